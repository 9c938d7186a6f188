"""The bare apps of bench/bare_apps.py, also acking what progress_scale sends.

    python -m bench.progress_scale.bare --kind bolt-before-response --port 3101

bench/bare_apps.py builds its Bolt app with listeners for the requests of ack_latency and
assign_scale. This adds, each only acking: the `/progress` command and the
`home.tab.team`, `team.filter.domain` and `progress.export` actions. Everything else (the
kinds, gunicorn configured as `trainbot serve`, /healthz) is bare_apps' own: its `main`
runs with this module's app builder in place of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from unittest import mock

from slack_bolt import App

from bench import bare_apps
from bench.servers import Target
from bot.ids import Action, Command
from bot.settings import Settings

ACKED_ACTIONS = (Action.HOME_TAB_TEAM, Action.TEAM_FILTER_DOMAIN, Action.PROGRESS_EXPORT)
_BARE_MODULE = "bench.bare_apps"


def progress_bolt_app(settings: Settings, *, process_before_response: bool) -> App:
    """bare_apps' app, with an acking listener for each request progress_scale sends."""
    app = _BASE_APP(settings, process_before_response=process_before_response)
    app.command(Command.PROGRESS)(bare_apps.ack_only)
    for action_id in ACKED_ACTIONS:
        app.action(action_id)(bare_apps.ack_only)
    return app


_BASE_APP = bare_apps.bare_bolt_app


def with_progress_listeners(target: Target) -> Target:
    """`target` started from this module when it is one of bare_apps' (Trainbot as it is)."""
    if _BARE_MODULE not in target.argv:
        return target
    argv = tuple(__name__ if part == _BARE_MODULE else part for part in target.argv)
    return replace(target, argv=argv)


def main(argv: Sequence[str] | None = None) -> None:
    """bare_apps.main, building this module's Bolt app (in each gunicorn worker, after fork)."""
    with mock.patch.object(bare_apps, "bare_bolt_app", progress_bolt_app):
        bare_apps.main(argv)


if __name__ == "__main__":
    main()
