"""Courses end to end: import, assign, Done item by item in the DM, progress derived."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from models import AssignmentEvent, CourseSectionItem, ResourceAssignment
from tests.conftest import AMY, BOB, RunningApp
from tests.support.courses import assign, dm, import_sample, item_button, resource_id
from tests.support.library import next_call, top_view

COURSE = "Onboarding essentials"


def click_item(slack: SlackClient, user: str, message: dict[str, Any], title: str) -> None:
    button = item_button(message, title)
    before = len(slack.fake.calls_to("chat.update"))
    slack.click(user=user, action_id=button["action_id"], value=button["value"],
                channel=slack.fake.dm_channel(user), ts=message["ts"])  # fmt: skip
    next_call(slack, "chat.update", before)


def test_importing_courses_and_paths_resolves_references_and_reports_bad_ones(
    app_server: RunningApp, engine: Engine
) -> None:
    first = import_sample(app_server)
    assert (first.created, first.updated) == (7, 0)  # 5 resources, the course, the path
    ((line, reason),) = first.rejected
    assert line == 17
    assert 'course "Broken course"' in reason
    assert 'section 1, item 1: no resource with external_id "cp-nowhere"' in reason
    with engine.connect() as conn:
        items = conn.execute(
            select(CourseSectionItem.id, CourseSectionItem.optional)
            .where(CourseSectionItem.course_id == resource_id(engine, "cp-onboarding"))
            .order_by(CourseSectionItem.id)
        ).all()
    assert [optional for _, optional in items] == [False, True, False, False]
    again = import_sample(app_server)  # the same file again changes nothing
    assert (again.created, again.rejected[0][0]) == (0, 17)
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(CourseSectionItem.id, CourseSectionItem.optional)
                .where(CourseSectionItem.course_id == resource_id(engine, "cp-onboarding"))
                .order_by(CourseSectionItem.id)
            ).all()
            == items
        )


def test_a_course_moves_on_item_by_item_and_completes_itself_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    caller = app_server.services.members.resolve(
        team_id=slack.fake.identity.team_id, user_id=manager, profiles=_client(slack)
    )
    app_server.services.members.set_completion_dms(caller=caller, on=True)
    answer = assign(slack, manager, COURSE, [AMY, BOB], **{Block.DUE: "2026-12-10"})
    assert not answer.get("errors")
    message = dm(slack, AMY)
    text = view_texts(message)
    assert "*1. Welcome*" in text and "*2. Tools*" in text
    assert "0 of 3 required items done" in text  # "Our values" is optional
    for title in ("Welcome to support", "Our values", "Tickets in 10 minutes"):
        assert item_button(message, title)["text"]["text"] == "Done"
    assert not any(b["type"] == "actions" for b in message["blocks"])  # no hand-typed progress

    click_item(slack, AMY, message, "Welcome to support")
    message = dm(slack, AMY)
    assert "33%" in view_texts(message) and "1 of 3 required items done" in view_texts(message)
    assert item_button(message, "Welcome to support")["text"]["text"] == "Undo"
    click_item(slack, AMY, message, "Our values")  # optional: progress does not move
    assert "1 of 3 required items done" in view_texts(dm(slack, AMY))
    click_item(slack, AMY, dm(slack, AMY), "Welcome to support")  # undo
    assert "0 of 3 required items done" in view_texts(dm(slack, AMY))
    for title in ("Welcome to support", "Tickets in 10 minutes", "Macros and saved replies"):
        click_item(slack, AMY, dm(slack, AMY), title)
    app_server.settle()
    final = dm(slack, AMY)
    assert "Completed" in view_texts(final) and "100%" in view_texts(final)
    assert all("accessory" not in b for b in final["blocks"] if b["type"] == "section"
               and str(b.get("block_id", "")).startswith("item:"))  # fmt: skip
    # One DM, updated in place; then the course's certificate, shared once.
    messages = slack.fake.messages(slack.fake.dm_channel(AMY))
    assert len(messages) == 2 and len(messages[1]["files"]) == 2
    told = [c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == manager]
    assert len(told) == 1 and "completed" in view_texts(told[0].args)
    with engine.connect() as conn:
        completed = conn.scalar(
            select(func.count())
            .select_from(AssignmentEvent)
            .where(AssignmentEvent.kind == "completed")
        )
        open_left = conn.scalar(
            select(func.count()).select_from(ResourceAssignment)
            .where(ResourceAssignment.completed_at.is_(None))
        )  # fmt: skip
    assert (completed, open_left) == (1, 1)  # Amy's, once; Bob's is still open


def _client(slack: SlackClient) -> Any:
    from slack_sdk import WebClient

    return WebClient(base_url=slack.fake.base_url)


def test_a_stale_course_modal_cannot_undo_a_completed_course(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    assign(slack, manager, COURSE, [AMY])
    app_server.settle()
    slack.app_home_opened(AMY)
    app_server.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=AMY, action_id=Action.COURSE_OPEN, view_id=(slack.fake.home(AMY) or {})["id"])
    next_call(slack, "views.open", before)
    modal = top_view(slack, AMY)
    assert modal["title"]["text"] == "Course"
    for title in ("Welcome to support", "Tickets in 10 minutes", "Macros and saved replies"):
        click_item(slack, AMY, dm(slack, AMY), title)
    app_server.settle()
    # The modal opened before still offers "Done" for an item: the course is complete.
    stale = item_button(modal, "Our values")
    updates = len(slack.fake.calls_to("views.update"))
    slack.click(user=AMY, action_id=stale["action_id"], value=stale["value"], view_id=modal["id"])
    next_call(slack, "views.update", updates)
    app_server.settle()
    assert any("You already completed this one" in t for t in _notes_to(slack, AMY))
    redrawn = top_view(slack, AMY)
    assert "Completed" in view_texts(redrawn)
    assert not [b for b in redrawn["blocks"] if "accessory" in b]  # no buttons left
    with engine.connect() as conn:
        done = conn.scalar(select(func.count()).select_from(AssignmentEvent)
                           .where(AssignmentEvent.kind == "completed"))  # fmt: skip
    assert done == 1


def _notes_to(slack: SlackClient, user: str) -> list[str]:
    """Texts of the DMs and ephemerals Trainbot sent to `user`."""
    calls = slack.fake.calls_to("chat.postMessage") + slack.fake.calls_to("chat.postEphemeral")
    return [str(c.args.get("text")) for c in calls
            if c.args.get("channel") == user or c.args.get("user") == user]  # fmt: skip
