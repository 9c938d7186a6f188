"""The bare apps of bench/bare_apps.py, also acking what quiz_scale sends.

    python -m bench.quiz_scale.bare --kind bolt-before-response --port 3101

This adds, each only acking (with an empty body): the `quiz.take` action (Take quiz) and
the `quiz` view submission (Next and Submit). Everything else (the kinds, gunicorn
configured as `trainbot serve`, /healthz) is bare_apps' own: its `main` runs with this
module's app builder in place of its own, as bench/course_scale/bare.py does, and
`with_quiz_listeners` starts a target from here as course_scale's `with_course_listeners`
does from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from unittest import mock

from slack_bolt import App

from bench import bare_apps
from bench.servers import Target
from bot.ids import Action, Callback
from bot.settings import Settings

_BARE_MODULE = "bench.bare_apps"
_BASE_APP = bare_apps.bare_bolt_app


def quiz_bolt_app(settings: Settings, *, process_before_response: bool) -> App:
    """bare_apps' app, with acking listeners for Take quiz and the quiz's pages."""
    app = _BASE_APP(settings, process_before_response=process_before_response)
    app.action(Action.QUIZ_TAKE)(bare_apps.ack_only)
    app.view_submission(Callback.QUIZ)(bare_apps.ack_only)
    return app


def with_quiz_listeners(target: Target) -> Target:
    """`target` started from this module when it is one of bare_apps' (Trainbot as it is)."""
    if _BARE_MODULE not in target.argv:
        return target
    argv = tuple(__name__ if part == _BARE_MODULE else part for part in target.argv)
    return replace(target, argv=argv)


def main(argv: Sequence[str] | None = None) -> None:
    """bare_apps.main, building this module's Bolt app (in each gunicorn worker, after fork)."""
    with mock.patch.object(bare_apps, "bare_bolt_app", quiz_bolt_app):
        bare_apps.main(argv)


if __name__ == "__main__":
    main()
