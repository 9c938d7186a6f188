"""Building courses in Slack: Manage content → New course, sections and items, validation."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.fakeslack.surface import find_element
from bot.ids import INPUT, Action, Block
from models import CourseSection, CourseSectionItem, TrainingResource
from tests.conftest import RunningApp
from tests.support.courses import import_sample
from tests.support.library import next_call, top_view
from tests.support.seed import bulk_resources


def open_new_course(slack: SlackClient, manager: str, app: RunningApp) -> dict[str, Any]:
    return open_from_manage_content(slack, manager, app, Action.COURSE_NEW)


def open_from_manage_content(
    slack: SlackClient, manager: str, app: RunningApp, action: str
) -> dict[str, Any]:
    """Home → Manage content → `action` (New course, New path): the builder's modal."""
    slack.app_home_opened(manager)
    app.settle()
    slack.click(user=manager, action_id=Action.HOME_TAB_CONTENT, view_id=_home(slack, manager))
    app.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=action, view_id=_home(slack, manager))
    next_call(slack, "views.open", before)
    return top_view(slack, manager)


def _home(slack: SlackClient, user: str) -> str:
    home = slack.fake.home(user)
    assert home is not None
    return str(home["id"])


def input_id(view: dict[str, Any], prefix: str) -> str:
    return next(str(b["block_id"]) for b in view["blocks"]
                if str(b.get("block_id", "")).split(":")[0] == prefix)  # fmt: skip


def add_section(slack: SlackClient, user: str, title: str) -> dict[str, Any]:
    view = top_view(slack, user)
    before = len(slack.fake.calls_to("views.update"))
    # Enter in the field dispatches block_actions with what was typed.
    slack.select(user=user, view_id=view["id"], action_id=Action.BUILDER_ADD_SECTION, value=title)
    next_call(slack, "views.update", before)
    return top_view(slack, user)


def overflow(slack: SlackClient, user: str, block_id: str, value: str) -> dict[str, Any]:
    """Choose `value` in the overflow menu of block `block_id` of the top modal."""
    view = top_view(slack, user)
    action = next(
        b["accessory"]["action_id"] for b in view["blocks"] if b.get("block_id") == block_id
    )
    method = "views.push" if value.startswith("edit:") else "views.update"
    before = len(slack.fake.calls_to(method))
    slack.block_action(user=user, action_id=action, block_id=block_id, view_id=view["id"],
                       selected_option={"value": value})  # fmt: skip
    next_call(slack, method, before)
    return top_view(slack, user)


def section_menu(slack: SlackClient, user: str, op: str, number: int = 1) -> None:
    view = top_view(slack, user)
    sections = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("section:")]
    block_id = str(sections[number - 1]["block_id"])
    overflow(slack, user, block_id, f"{op}:{block_id.split(':')[1]}")


def pick(slack: SlackClient, user: str, words: str, title: str, action: str) -> dict[str, Any]:
    """Type in the builder's typeahead and choose `title`; the view is redrawn."""
    view = top_view(slack, user)
    answer = slack.suggest(user=user, view_id=view["id"], action_id=action, value=words)
    assert answer.json is not None
    option = next(o for o in answer.json["options"] if o["text"]["text"] == title)
    before = len(slack.fake.calls_to("views.update"))
    slack.select(user=user, view_id=view["id"], action_id=action,
                 value=(option["value"], option["text"]["text"]))  # fmt: skip
    next_call(slack, "views.update", before)
    return top_view(slack, user)


def test_a_manager_builds_a_course_with_sections_items_and_a_new_link(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    view = open_new_course(slack, manager, app_server)
    assert view["title"]["text"] == "New course"
    answer = slack.submit_view(user=manager, view_id=view["id"],
                               values={Block.TITLE: "Support basics"})  # fmt: skip
    assert answer.json is not None
    assert answer.json["errors"] == {
        input_id(
            view, Block.NEW_SECTION
        ): "A course needs at least one section with at least one item."
    }

    add_section(slack, manager, "Welcome")
    add_section(slack, manager, "Tools")
    section_menu(slack, manager, "edit", 1)
    typeahead = input_id(top_view(slack, manager), Block.PICK)
    section = pick(slack, manager, "welcome", "Welcome to support", Action.BUILDER_PICK_ITEM)
    assert input_id(section, Block.PICK) != typeahead  # a new id: Slack shows it empty again
    section = pick(slack, manager, "values", "Our values", Action.BUILDER_PICK_ITEM)
    assert "2 items, in the order learners see them." in view_texts(section)
    # Courses and paths are not offered as items.
    offered = slack.suggest(user=manager, view_id=section["id"],
                            action_id=Action.BUILDER_PICK_ITEM, value="")  # fmt: skip
    titles = [o["text"]["text"] for o in (offered.json or {})["options"]]
    assert "Onboarding essentials" not in titles and "New support agent" not in titles
    values = _item_id(section, "Our values")
    section = overflow(slack, manager, f"item:{values}", f"optional:{_key(section)}:{values}")
    assert "_optional_" in view_texts(section)
    slack.submit_view(user=manager, view_id=section["id"],
                      values={Block.SECTION_TITLE: "Welcome aboard"})  # fmt: skip
    app_server.settle()
    builder = top_view(slack, manager)
    assert "*1. Welcome aboard*  ·  2 items (1 optional)" in view_texts(builder)

    section_menu(slack, manager, "edit", 2)
    # The same item twice in one course is refused at once, with where it already is.
    section = pick(slack, manager, "welcome", "Welcome to support", Action.BUILDER_PICK_ITEM)
    assert "Welcome to support is in section 1 already" in view_texts(section)
    before = len(slack.fake.calls_to("views.update"))
    # A new link: its fields typed (Slack sends nothing for those), then "Add link".
    _type(slack, manager, section, Block.LINK_TITLE, "Our escalation checklist")
    _type(slack, manager, section, Block.LINK_URL, "https://wiki.example.com/escalation")
    slack.click(user=manager, action_id=Action.BUILDER_ADD_LINK, view_id=section["id"])
    typed = input_id(section, Block.LINK_TITLE)
    section = _after(slack, manager, before)
    assert "Our escalation checklist" in view_texts(section)
    assert input_id(section, Block.LINK_TITLE) != typed  # cleared: a second click adds nothing
    slack.submit_view(user=manager, view_id=section["id"])
    app_server.settle()

    builder = top_view(slack, manager)
    answer = slack.submit_view(
        user=manager,
        view_id=builder["id"],
        values={
            Block.TITLE: "Support basics",
            Block.DOMAINS: "Support",
            Block.DIFFICULTY: "beginner",
        },
    )
    assert answer.json is None or not answer.json.get("errors"), answer.json
    app_server.settle()
    assert "The course *Support basics* is saved" in view_texts(slack.fake.home(manager) or {})
    with engine.connect() as conn:
        course = conn.scalar(
            select(TrainingResource).where(TrainingResource.title == "Support basics")
        )
        rows = conn.execute(
            select(CourseSection.position, CourseSection.title, TrainingResource.title,
                   CourseSectionItem.optional)
            .join(CourseSectionItem, CourseSectionItem.section_id == CourseSection.id)
            .join(TrainingResource, TrainingResource.id == CourseSectionItem.resource_id)
            .where(CourseSection.course_id == course)
            .order_by(CourseSection.position, CourseSectionItem.position)
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (1, "Welcome aboard", "Welcome to support", False),
        (1, "Welcome aboard", "Our values", True),
        (2, "Tools", "Our escalation checklist", False),
    ]


def _key(section_view: dict[str, Any]) -> str:
    return str(json.loads(section_view["private_metadata"])["section"])


def _item_id(view: dict[str, Any], title: str) -> str:
    items = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("item:")]
    return next(str(b["block_id"]).split(":")[1] for b in items if title in b["text"]["text"])


def _after(slack: SlackClient, user: str, before: int) -> dict[str, Any]:
    next_call(slack, "views.update", before)
    return top_view(slack, user)


def _type(slack: SlackClient, user: str, view: dict[str, Any], prefix: str, value: str) -> None:
    """Type into an input (Slack sends nothing; it shows up in the view's state later)."""
    found = find_element(view, INPUT, block_id=input_id(view, prefix))
    assert found is not None
    slack.remember(view["id"], found, value)


def test_a_course_of_20_sections_of_15_items_is_built_and_edited_within_slack_s_limits(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    bulk_resources(engine, 360)
    with engine.connect() as conn:
        ids = list(conn.scalars(
            select(TrainingResource.id).where(TrainingResource.type != "course")
            .order_by(TrainingResource.id).limit(300)
        ))  # fmt: skip
    open_new_course(slack, manager, app_server)
    for number in range(1, 21):
        add_section(slack, manager, f"Part {number}")
    for number in range(1, 21):
        section_menu(slack, manager, "edit", number)
        for resource_id in ids[(number - 1) * 15 : number * 15]:
            section = top_view(slack, manager)
            before = len(slack.fake.calls_to("views.update"))
            slack.select(user=manager, view_id=section["id"], action_id=Action.BUILDER_PICK_ITEM,
                         value=(str(resource_id), f"Resource {resource_id}"))  # fmt: skip
            next_call(slack, "views.update", before)
        slack.submit_view(user=manager)
        app_server.settle()
    builder = top_view(slack, manager)
    assert len(builder["blocks"]) <= 100
    answer = slack.submit_view(user=manager, view_id=builder["id"],
                               values={Block.TITLE: "The long course"})  # fmt: skip
    assert answer.json is None or not answer.json.get("errors"), answer.json
    app_server.settle()
    with engine.connect() as conn:
        course = conn.scalar(select(TrainingResource.id).where(
            TrainingResource.title == "The long course"))  # fmt: skip
        count = conn.scalar(select(func.count()).select_from(CourseSectionItem)
                            .where(CourseSectionItem.course_id == course))  # fmt: skip
    assert count == 300

    # Edit: the builder opens with all 20 sections; the last loses its first item.
    slack.click(user=manager, action_id=Action.HOME_TAB_CONTENT, view_id=_home(slack, manager))
    app_server.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=Action.CONTENT_EDIT, value=str(course),
                view_id=_home(slack, manager))  # fmt: skip
    next_call(slack, "views.open", before)
    assert top_view(slack, manager)["title"]["text"] == "Edit course"
    section_menu(slack, manager, "edit", 20)
    section = top_view(slack, manager)
    overflow(slack, manager, f"item:{ids[285]}", f"remove:{_key(section)}:{ids[285]}")
    slack.submit_view(user=manager)
    app_server.settle()
    slack.submit_view(user=manager)
    app_server.settle()
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(CourseSectionItem)
                            .where(CourseSectionItem.course_id == course))  # fmt: skip
    assert count == 299
