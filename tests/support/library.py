"""Steps a person takes in /library, as Slack would relay them."""

from __future__ import annotations

from typing import Any

from bot.fakeslack import ApiCall, SlackClient
from bot.ids import Action


def next_call(slack: SlackClient, method: str, count_before: int) -> ApiCall:
    """Wait for a successful call to `method` made after `count_before` calls to it."""
    return slack.fake.wait_for_call(
        method,
        lambda c: c.response.get("ok") is True and c in slack.fake.calls_to(method)[count_before:],
    )


def open_library(slack: SlackClient, user: str, text: str = "") -> dict[str, Any]:
    """Type /library and wait for the modal; returns the view as Slack shows it."""
    before = len(slack.fake.calls_to("views.open"))
    response = slack.command("/library", text, user=user)
    assert response.status == 200, response.body
    next_call(slack, "views.open", before)
    return top_view(slack, user)


def top_view(slack: SlackClient, user: str) -> dict[str, Any]:
    stack = slack.fake.open_views(user)
    assert stack, f"{user} has no modal open"
    return stack[-1]


def after_update(slack: SlackClient, user: str, count_before: int) -> dict[str, Any]:
    """Wait for the app's next views.update and return the refreshed modal."""
    next_call(slack, "views.update", count_before)
    return top_view(slack, user)


def choose(slack: SlackClient, user: str, action: Action, value: str) -> dict[str, Any]:
    view = top_view(slack, user)
    before = len(slack.fake.calls_to("views.update"))
    slack.select(user=user, view_id=view["id"], action_id=action, value=value)
    return after_update(slack, user, before)


def click_in_view(slack: SlackClient, user: str, action: Action, value: str | None = None) -> None:
    slack.click(user=user, action_id=action, value=value, view_id=top_view(slack, user)["id"])


def result_titles(view: dict[str, Any]) -> list[str]:
    """Titles of the resources listed, in order (section blocks with an item: id)."""
    titles = []
    for block in view["blocks"]:
        if block["type"] == "section" and str(block.get("block_id", "")).startswith("item:"):
            text = block["text"]["text"]
            titles.append(text.split("|", 1)[1].split(">*", 1)[0] if "|" in text else text)
    return titles


def meta_lines(view: dict[str, Any]) -> list[str]:
    """The context line under each result: type, duration, level, domains..."""
    return [
        " ".join(element.get("text", "") for element in block["elements"])
        for block in view["blocks"]
        if str(block.get("block_id", "")).startswith("meta:")
    ]
