"""Team progress for a user group suggests what to assign it next, and one click opens /assign
with that training and that group chosen."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from bot.services.assignments import AssignForm, Step
from models import ResourceAssignment, TrainingResource
from models.enums import Priority
from tests.conftest import AMY, BOB, BOT_TOKEN, TEAM_ID, RunningApp
from tests.support.library import next_call, top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import open_assign

CAROL, DAVE = "U0CAROL001", "U0DAVE0001"


def titles(engine: Engine, n: int) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(TrainingResource.id, TrainingResource.title)
            .where(TrainingResource.type == "book")
            .order_by(TrainingResource.id)
            .limit(n)
        ).all()
    return [(rid, title) for rid, title in rows]


def history(
    slack: SlackClient, app: RunningApp, engine: Engine, manager: str,
    plan: dict[int, dict[str, bool]],
) -> None:  # fmt: skip
    """For each resource, who has it (True: completed, False: still open)."""
    services = app.services
    client = WebClient(token=BOT_TOKEN, base_url=slack.fake.base_url)
    caller = services.members.resolve(team_id=TEAM_ID, user_id=manager, profiles=client)
    for resource_id, people in plan.items():
        form = AssignForm(resource_id, tuple(people), None, Priority.NORMAL)
        services.assignments.assign(by=caller, form=form)
        for user, done in people.items():
            if not done:
                continue
            person = services.members.resolve(team_id=TEAM_ID, user_id=user, profiles=client)
            with engine.connect() as conn:
                aid = conn.scalar(
                    select(ResourceAssignment.id).where(
                        ResourceAssignment.resource_id == resource_id,
                        ResourceAssignment.member_id == person.member_id,
                    )
                )
            assert aid is not None
            services.assignments.advance(caller=person, assignment_id=aid, step=Step.COMPLETE)


def team_tab(slack: SlackClient, app: RunningApp, manager: str, group: str) -> dict[str, Any]:
    slack.app_home_opened(manager)
    app.settle()
    slack.click(
        user=manager, action_id=Action.HOME_TAB_TEAM, view_id=slack.fake.home(manager)["id"]
    )
    app.settle()
    slack.select(user=manager, view_id=slack.fake.home(manager)["id"],
                 action_id=Action.ASSIGN_GROUPS, value=("S0DEVS0001", group))  # fmt: skip
    app.settle()
    view = slack.fake.home(manager)
    assert view is not None
    return view


def test_a_group_gets_what_its_peers_completed_and_one_click_assigns_it(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    for user, name in ((CAROL, "carol"), (DAVE, "dave")):
        slack.fake.add_user(user, name)
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=[BOB, CAROL])
    (shared, _), (next_up, next_title), (had, had_title), (other, other_title) = titles(engine, 4)
    history(slack, app_server, engine, manager, {
        shared: {BOB: True, AMY: True},  # Amy learns like @devs: a peer
        next_up: {AMY: True},  # what the peer did and @devs has not: suggested
        had: {AMY: True, BOB: False, CAROL: False},  # @devs has it already: not suggested
        other: {DAVE: True},  # Dave shares nothing with @devs: not a peer
    })  # fmt: skip

    view = team_tab(slack, app_server, manager, "@devs")
    text = view_texts(view)
    assert "Suggested for @devs" in text
    assert f"*{next_title}*\n_1 person who completed what @devs did also completed it_" in text
    assert had_title not in text.split("Suggested for @devs")[1].split("People")[0]
    assert other_title not in text
    suggested = [
        b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("team-sug")
    ]
    assert suggested == [f"team-suggestion:{next_up}"]

    opened = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=Action.TEAM_SUGGESTION_ASSIGN, value=str(next_up),
                view_id=view["id"])  # fmt: skip
    next_call(slack, "views.open", opened)
    modal = top_view(slack, manager)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    chosen = blocks[Block.RESOURCE]["element"]["initial_option"]
    assert (chosen["value"], chosen["text"]["text"].startswith(next_title[:20])) == (
        str(next_up),
        True,
    )
    groups = blocks[Block.GROUPS]["element"]["initial_options"]
    assert [(g["value"], g["text"]["text"]) for g in groups] == [("S0DEVS0001", "@devs")]


def test_nothing_to_suggest_for_a_group_that_did_everything_its_peers_did(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=[BOB])
    (first, _), (second, _) = titles(engine, 2)
    history(
        slack, app_server, engine, manager, {first: {BOB: True, AMY: True}, second: {BOB: True}}
    )
    assert "Suggested for" not in view_texts(team_tab(slack, app_server, manager, "@devs"))


def test_assign_with_a_group_suggests_for_it_first_in_the_training_typeahead(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    slack.fake.add_user(CAROL, "carol")
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=[BOB, CAROL])
    (shared, _), (next_up, next_title) = titles(engine, 2)
    history(
        slack, app_server, engine, manager, {shared: {BOB: True, AMY: True}, next_up: {AMY: True}}
    )
    modal = open_assign(slack, manager, "<!subteam^S0DEVS0001|@devs>")

    answer = slack.suggest(
        user=manager, view_id=modal["id"], action_id=Action.ASSIGN_RESOURCE, value=""
    )
    assert answer.json is not None
    first, library = answer.json["option_groups"]
    assert first["label"]["text"] == "Suggested for @devs"
    assert [o["value"] for o in first["options"]] == [str(next_up)]
    assert first["options"][0]["text"]["text"].startswith(next_title[:20])
    assert len(library["options"]) > 1
    # Typing searches the library as always.
    typed = slack.suggest(
        user=manager, view_id=modal["id"], action_id=Action.ASSIGN_RESOURCE, value="git"
    )
    assert typed.json is not None and "options" in typed.json and "option_groups" not in typed.json
