"""Building paths in Slack, and what an edit does to the people on a path or in a course."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from bot.services import builder_ops as ops
from models import EnrollmentStep, PathEnrollment, PathStep, ResourceAssignment, TrainingResource
from models.enums import ResourceType
from tests.conftest import AMY, BOB, TEAM_ID, RunningApp
from tests.support.courses import assign, dm, import_sample, item_button, resource_id
from tests.support.library import next_call
from tests.test_course_builder import input_id, open_from_manage_content, overflow, pick
from tests.test_paths import PATH, mark_complete


def open_new_path(slack: SlackClient, manager: str, app: RunningApp) -> dict[str, Any]:
    return open_from_manage_content(slack, manager, app, Action.PATH_NEW)


def test_a_manager_builds_a_path_with_steps_days_and_order(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    view = open_new_path(slack, manager, app_server)
    assert view["title"]["text"] == "New path"
    answer = slack.submit_view(user=manager, view_id=view["id"], values={Block.TITLE: "Sales"})
    assert (answer.json or {})["errors"] == {
        input_id(view, Block.PICK): "A path needs at least one step."
    }

    pick(slack, manager, "escalation", "Escalation playbook", Action.BUILDER_PICK_STEP)
    view = pick(slack, manager, "onboarding", "Onboarding essentials", Action.BUILDER_PICK_STEP)
    offered = slack.suggest(user=manager, view_id=view["id"], action_id=Action.BUILDER_PICK_STEP,
                            value="support agent")  # fmt: skip
    titles = [o["text"]["text"] for o in (offered.json or {})["options"]]
    assert "New support agent" not in titles  # a path is never a step
    steps = [
        b["block_id"] for b in view["blocks"] if str(b.get("block_id", "")).startswith("step:")
    ]
    view = overflow(slack, manager, steps[1], f"up:{steps[1].split(':')[1]}")  # the course first
    order = [
        b["text"]["text"] for b in view["blocks"] if str(b.get("block_id")).startswith("step:")
    ]
    assert ["Onboarding" in order[0], "Escalation" in order[1]] == [True, True]
    days = {
        f"{Block.STEP_DAYS}:{s.split(':')[1]}": n for s, n in zip(steps, ("400", "7"), strict=True)
    }
    answer = slack.submit_view(user=manager, view_id=view["id"], values={
        Block.TITLE: "Support in a month", Block.ROLE: "Support agent", Block.PATH_DUE: "30",
        **days})  # fmt: skip
    assert (answer.json or {})["errors"] == {
        f"{Block.STEP_DAYS}:{steps[0].split(':')[1]}": "A whole number of days, 1 to 365."
    }
    days[f"{Block.STEP_DAYS}:{steps[0].split(':')[1]}"] = "5"
    answer = slack.submit_view(user=manager, view_id=view["id"], values=days)
    assert not (answer.json or {}).get("errors"), answer.json
    app_server.settle()
    assert "The learning path *Support in a month* is saved" in view_texts(
        slack.fake.home(manager) or {}
    )
    path = resource_id_by_title(engine, "Support in a month")
    with engine.connect() as conn:
        rows = conn.execute(
            select(TrainingResource.title, PathStep.due_days)
            .join(PathStep, PathStep.resource_id == TrainingResource.id)
            .where(PathStep.path_id == path).order_by(PathStep.position)
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [("Onboarding essentials", 7), ("Escalation playbook", 5)]
    # ...and /assign offers it, labelled as a path.
    assign(slack, manager, "Path: Support in a month", [AMY])
    app_server.settle()
    assert "Step 1 of 2 of *Support in a month*" in view_texts(dm(slack, AMY, 0))


def resource_id_by_title(engine: Engine, title: str) -> int:
    with engine.connect() as conn:
        found = conn.scalar(select(TrainingResource.id).where(TrainingResource.title == title))
    assert found is not None
    return int(found)


def test_a_path_edit_reaches_current_learners_only_when_the_manager_applies_it(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    """Amy is on step 2 when a step is added; Bob enrolls after the change."""
    boss = _boss(app_server, slack, manager)
    import_sample(app_server, workspace_id=boss.workspace_id)  # the workspace's own: editable
    assign(slack, manager, PATH, [AMY])
    app_server.settle()
    mark_complete(slack, AMY, dm(slack, AMY, 0))
    app_server.settle()
    services, path = app_server.services, resource_id(engine, "cp-support-path")
    values = resource_id(engine, "cp-values")

    def add_values_first(apply: bool) -> None:
        draft = services.builders.start(caller=boss, kind=ResourceType.PATH, resource_id=path)

        def add_first(d: ops.Draft) -> None:
            ops.add_step(d, values, "Our values", 1)
            new = d["steps"][-1]["key"]
            for _ in range(3):
                ops.step_op(d, "up", new, {})

        services.builders.change(caller=boss, draft_id=draft.id, edit=add_first)
        fields = _fields("New support agent")
        saved = services.builders.save_path(caller=boss, draft_id=draft.id, fields=fields,
                                            role="Support agent", due_days=30, step_days={},
                                            apply=apply)  # fmt: skip
        assert not saved.problems, saved.problems

    add_values_first(apply=False)
    assert _plan(engine, AMY) == [("Welcome to support", "done"),
                                  ("Onboarding essentials", "open"),
                                  ("Escalation playbook", "locked")]  # fmt: skip
    # Applied: the new step comes after the step she is on; done steps never reopen.
    draft = services.builders.start(caller=boss, kind=ResourceType.PATH, resource_id=path)
    assert draft.enrolled == 1
    saved = services.builders.save_path(caller=boss, draft_id=draft.id,
                                        fields=_fields("New support agent"), role="Support agent",
                                        due_days=30, step_days={}, apply=True)  # fmt: skip
    assert saved.applied == 1
    assert _plan(engine, AMY) == [("Welcome to support", "done"),
                                  ("Onboarding essentials", "open"),
                                  ("Our values", "locked"),
                                  ("Escalation playbook", "locked")]  # fmt: skip
    assign(slack, manager, PATH, [BOB])  # a new enrollment copies the path as it is now
    app_server.settle()
    assert [t for t, _ in _plan(engine, BOB)] == [
        "Our values",
        "Welcome to support",
        "Onboarding essentials",
        "Escalation playbook",
    ]


def _boss(app: RunningApp, slack: SlackClient, manager: str) -> Any:
    return app.services.members.resolve(
        team_id=TEAM_ID, user_id=manager, profiles=WebClient(base_url=slack.fake.base_url)
    )


def _fields(title: str) -> Any:
    from models.rules import validate_content

    fields, errors = validate_content({"title": title, "type": "path"}, structured=True)
    assert fields is not None, errors
    return fields


def _plan(engine: Engine, user_id: str) -> list[tuple[str, str]]:
    from models import Member

    with engine.connect() as conn:
        rows = conn.execute(
            select(TrainingResource.title, EnrollmentStep.state)
            .join(EnrollmentStep, EnrollmentStep.resource_id == TrainingResource.id)
            .join(PathEnrollment, PathEnrollment.id == EnrollmentStep.enrollment_id)
            .join(Member, Member.id == PathEnrollment.member_id)
            .where(Member.slack_user_id == user_id)
            .order_by(EnrollmentStep.position)
        ).all()  # fmt: skip
    return [(title, state) for title, state in rows]


def test_editing_a_course_people_are_taking_keeps_their_checks_and_completions(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    boss = _boss(app_server, slack, manager)
    import_sample(app_server, workspace_id=boss.workspace_id)
    assign(slack, manager, "Onboarding essentials", [AMY, BOB])
    app_server.settle()
    for title in ("Welcome to support", "Tickets in 10 minutes", "Macros and saved replies"):
        message = dm(slack, BOB)
        button = item_button(message, title)
        before = len(slack.fake.calls_to("chat.update"))
        slack.click(user=BOB, action_id=button["action_id"], value=button["value"],
                    channel=slack.fake.dm_channel(BOB), ts=message["ts"])  # fmt: skip
        next_call(slack, "chat.update", before)
    message = dm(slack, AMY)
    button = item_button(message, "Tickets in 10 minutes")
    slack.click(user=AMY, action_id=button["action_id"], value=button["value"],
                channel=slack.fake.dm_channel(AMY), ts=message["ts"])  # fmt: skip
    app_server.settle()
    services, course = app_server.services, resource_id(engine, "cp-onboarding")
    draft = services.builders.start(caller=boss, kind=ResourceType.COURSE, resource_id=course)
    tools = draft.data["sections"][1]["key"]
    escalation = resource_id(engine, "cp-escalation")
    services.builders.change(caller=boss, draft_id=draft.id, edit=lambda d: (
        ops.item_op(d, "remove", tools, resource_id(engine, "cp-tickets")),
        ops.add_item(d, tools, escalation, "Escalation playbook")))  # fmt: skip
    fields = _course_fields()
    assert not services.builders.save_course(caller=boss, draft_id=draft.id, fields=fields).problems
    with engine.connect() as conn:
        progress = dict(conn.execute(
            select(ResourceAssignment.member_id, ResourceAssignment.progress)).all())  # fmt: skip
        done = conn.execute(select(ResourceAssignment.completed_at)).scalars().all()
    # Amy's one check was on the removed item: 0 of 3 now (she keeps the check, should it
    # come back); Bob had finished: still complete.
    assert sorted(progress.values()) == [0, 100]
    assert sum(d is not None for d in done) == 1
    restore = services.builders.start(caller=boss, kind=ResourceType.COURSE, resource_id=course)
    services.builders.change(caller=boss, draft_id=restore.id, edit=lambda d: ops.add_item(
        d, d["sections"][1]["key"], resource_id(engine, "cp-tickets"), "Tickets"))  # fmt: skip
    services.builders.save_course(caller=boss, draft_id=restore.id, fields=fields)
    with engine.connect() as conn:
        amy = conn.scalar(select(ResourceAssignment.progress).where(
            ResourceAssignment.completed_at.is_(None)))  # fmt: skip
    assert amy == 25  # back: 1 of 4 required items


def _course_fields() -> Any:
    from models.rules import validate_content

    fields, _ = validate_content({"title": "Onboarding essentials", "type": "course"},
                                 structured=True)  # fmt: skip
    return fields
