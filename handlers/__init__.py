"""Thin Slack adapters: ack, parse, one service call, render, respond."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    assign,
    assignments,
    content,
    home,
    library,
    manage,
    reminders,
    training,
)


def register(app: App) -> None:
    for feature in (library, content, assign, assignments, manage, reminders, training, home):
        feature.register(app)
