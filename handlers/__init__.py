"""Thin Slack adapters: ack, parse, one service call, render, respond."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    assign,
    assignments,
    audit,
    content,
    course_builder,
    courses,
    digests,
    home,
    installs,
    library,
    manage,
    manage_paths,
    path_builder,
    paths,
    progress,
    quiz_editor,
    quizzes,
    recommendations,
    reminders,
    training,
)


def register(app: App) -> None:
    features = (
        library, content, course_builder, path_builder, assign, assignments, courses, paths,
        quizzes, quiz_editor, manage, manage_paths, reminders, digests, progress, training, audit,
        home, recommendations, installs,
    )  # fmt: skip
    for feature in features:
        feature.register(app)
