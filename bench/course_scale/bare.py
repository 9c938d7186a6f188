"""The bare apps of bench/bare_apps.py, also acking what course_scale sends.

    python -m bench.course_scale.bare --kind bolt-before-response --port 3101

bench/bare_apps.py's Bolt app already acks `assignment.complete` (Mark complete); this adds
an acking listener for `course.item.done` (Done in the course modal). Everything else (the
kinds, gunicorn configured as `trainbot serve`, /healthz) is bare_apps' own: its `main`
runs with this module's app builder in place of its own, as bench/progress_scale/bare.py
does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from unittest import mock

from slack_bolt import App

from bench import bare_apps
from bench.servers import Target
from bot.ids import Action
from bot.settings import Settings

_BARE_MODULE = "bench.bare_apps"
_BASE_APP = bare_apps.bare_bolt_app


def course_bolt_app(settings: Settings, *, process_before_response: bool) -> App:
    """bare_apps' app, with an acking listener for the Done click."""
    app = _BASE_APP(settings, process_before_response=process_before_response)
    app.action(Action.COURSE_ITEM_DONE)(bare_apps.ack_only)
    return app


def with_course_listeners(target: Target) -> Target:
    """`target` started from this module when it is one of bare_apps' (Trainbot as it is)."""
    if _BARE_MODULE not in target.argv:
        return target
    argv = tuple(__name__ if part == _BARE_MODULE else part for part in target.argv)
    return replace(target, argv=argv)


def main(argv: Sequence[str] | None = None) -> None:
    """bare_apps.main, building this module's Bolt app (in each gunicorn worker, after fork)."""
    with mock.patch.object(bare_apps, "bare_bolt_app", course_bolt_app):
        bare_apps.main(argv)


if __name__ == "__main__":
    main()
