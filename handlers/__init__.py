"""Thin Slack adapters: ack, parse, one service call, render, respond."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    assign,
    assignments,
    content,
    digests,
    home,
    library,
    manage,
    progress,
    reminders,
    training,
)


def register(app: App) -> None:
    features = (
        library, content, assign, assignments, manage, reminders, digests, progress, training,
        home,
    )  # fmt: skip
    for feature in features:
        feature.register(app)
