"""Managers add, edit and remove content from Slack; members are politely refused."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from tests.conftest import ADMIN, AMY, TEAM_ID, RunningApp
from tests.support.library import (
    after_update,
    choose,
    click_in_view,
    next_call,
    open_library,
    result_titles,
    top_view,
)
from tests.support.seed import assignment_for, load_starter

GOOD = {
    Block.TITLE: "Acme negotiation basics",
    Block.TYPE: "video",
    Block.URL: "https://videos.example.com/negotiation",
    Block.DOMAINS: "Sales; Negotiation",
    Block.SKILLS: "Anchoring",
    Block.DURATION: "45",
    Block.DIFFICULTY: "beginner",
}


def open_add_form(slack: SlackClient, manager: str) -> dict:
    open_library(slack, manager)
    before = len(slack.fake.calls_to("views.push"))
    click_in_view(slack, manager, Action.CONTENT_ADD)
    next_call(slack, "views.push", before)
    form = top_view(slack, manager)
    assert form["title"]["text"] == "Add content"
    return form


def open_edit_form(slack: SlackClient, manager: str, resource_id: str) -> dict:
    """Click Edit on one of the workspace's resources in the open library modal."""
    before = len(slack.fake.calls_to("views.push"))
    click_in_view(slack, manager, Action.CONTENT_EDIT, resource_id)
    next_call(slack, "views.push", before)
    return top_view(slack, manager)


def add(slack: SlackClient, manager: str, values: dict) -> dict:
    """Submit the add form; returns the library modal as shown afterwards."""
    form = open_add_form(slack, manager)
    before = len(slack.fake.calls_to("views.update"))
    response = slack.submit_view(user=manager, view_id=form["id"], values=values)
    assert response.status == 200
    assert not (response.json or {}).get("errors"), response.json
    return after_update(slack, manager, before)


def test_bad_fields_are_answered_in_the_modal(slack: SlackClient, manager: str) -> None:
    form = open_add_form(slack, manager)
    response = slack.submit_view(
        user=manager,
        view_id=form["id"],
        values={
            Block.TITLE: "",
            Block.TYPE: "video",
            Block.URL: "ftp://files.example.com/x",
            Block.DURATION: "",
            Block.DOMAINS: "a;b;c;d;e;f",
        },
    )
    assert response.json is not None
    assert response.json["response_action"] == "errors"
    assert set(response.json["errors"]) == {Block.TITLE, Block.URL, Block.DOMAINS}
    assert "http" in response.json["errors"][Block.URL]
    # The modal stays open for the person to fix it, and nothing was saved.
    assert top_view(slack, manager)["id"] == form["id"]
    assert slack.fake.calls_to("views.update") == []


def test_a_link_and_a_file_together_are_refused(slack: SlackClient, manager: str) -> None:
    form = open_add_form(slack, manager)
    file = {
        "id": "F0FILE0001",
        "name": "deck.pdf",
        "title": "deck.pdf",
        "permalink": "https://acme.slack.com/files/U1/F0FILE0001/deck.pdf",
    }
    response = slack.submit_view(
        user=manager, view_id=form["id"], values={**GOOD, Block.FILE: [file]}
    )
    assert response.json is not None
    assert response.json["errors"] == {
        Block.URL: "Use either a link or an uploaded file, not both."
    }


def test_a_manager_adds_a_link_and_sees_it_in_the_library(slack: SlackClient, manager: str) -> None:
    library = add(slack, manager, GOOD)
    assert "Acme negotiation basics" in result_titles(library)
    text = view_texts(library)
    assert "45 min" in text
    assert "Negotiation, Sales" in text
    assert "_your workspace_" in text
    # And a member finds it too.
    slack.fake.clear_views(manager)
    assert "Acme negotiation basics" in result_titles(open_library(slack, AMY, "negotiation"))


def test_an_uploaded_file_keeps_its_slack_permalink(slack: SlackClient, manager: str) -> None:
    file = {
        "id": "F0FILE0002",
        "name": "handbook.pdf",
        "title": "handbook.pdf",
        "mimetype": "application/pdf",
        "filetype": "pdf",
        "permalink": "https://acme.slack.com/files/U0MGR00001/F0FILE0002/handbook.pdf",
    }
    values = {Block.TITLE: "Acme handbook", Block.TYPE: "pdf", Block.FILE: [file]}
    library = add(slack, manager, values)
    item = next(
        b for b in library["blocks"] if "Acme handbook" in b.get("text", {}).get("text", "")
    )
    assert (
        "<https://acme.slack.com/files/U0MGR00001/F0FILE0002/handbook.pdf|Acme handbook>"
        in item["text"]["text"]
    )


def test_a_manager_edits_their_content(slack: SlackClient, manager: str) -> None:
    library = add(slack, manager, GOOD)
    resource_id = next(
        b["block_id"].split(":")[1]
        for b in library["blocks"]
        if b.get("block_id", "").startswith("manage:")
    )
    form = open_edit_form(slack, manager, resource_id)
    assert form["title"]["text"] == "Edit content"
    before = len(slack.fake.calls_to("views.update"))
    slack.submit_view(
        user=manager, view_id=form["id"], values={**GOOD, Block.TITLE: "Negotiation, revised"}
    )
    library = after_update(slack, manager, before)
    assert "Negotiation, revised" in result_titles(library)
    assert "Acme negotiation basics" not in result_titles(library)


def test_removing_unassigned_content_deletes_it(slack: SlackClient, manager: str) -> None:
    library = add(slack, manager, GOOD)
    resource_id = _own_id(library)
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, manager, Action.LIBRARY_REMOVE, resource_id)
    library = after_update(slack, manager, before)
    assert "Acme negotiation basics" not in result_titles(library)
    archived = choose(slack, manager, Action.LIBRARY_FILTER_STATUS, "archived")
    assert result_titles(archived) == []


def test_removing_assigned_content_archives_it_and_it_can_be_restored(
    slack: SlackClient, manager: str, engine: Engine
) -> None:
    library = add(slack, manager, GOOD)
    resource_id = _own_id(library)
    assignment_for(engine, team_id=TEAM_ID, user_id=manager, resource_id=int(resource_id))
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, manager, Action.LIBRARY_REMOVE, resource_id)
    assert "Acme negotiation basics" not in result_titles(after_update(slack, manager, before))
    archived = choose(slack, manager, Action.LIBRARY_FILTER_STATUS, "archived")
    assert result_titles(archived) == ["Acme negotiation basics"]
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, manager, Action.LIBRARY_RESTORE, resource_id)
    assert result_titles(after_update(slack, manager, before)) == []
    published = choose(slack, manager, Action.LIBRARY_FILTER_STATUS, "published")
    assert "Acme negotiation basics" in result_titles(published)


def test_drafts_are_visible_to_managers_only(slack: SlackClient, manager: str) -> None:
    add(slack, manager, {**GOOD, Block.STATUS: "draft"})
    slack.fake.clear_views(manager)
    assert "Acme negotiation basics" not in result_titles(open_library(slack, AMY, "negotiation"))
    open_library(slack, manager)
    drafts = choose(slack, manager, Action.LIBRARY_FILTER_STATUS, "draft")
    assert result_titles(drafts) == ["Acme negotiation basics"]


def test_a_member_is_refused_content_management(slack: SlackClient, app_server: RunningApp) -> None:
    slack.command("/training", "add", user=AMY)
    slack.fake.wait_for_response_text("Only managers and admins can add or edit content")
    assert slack.fake.calls_to("views.open") == []


def test_a_member_clicking_a_stale_add_button_is_refused(
    slack: SlackClient, app_server: RunningApp
) -> None:
    """Amy was a manager when her Home was drawn, and is a member by the time she clicks."""
    slack.command("/training", f"role <@{AMY}|amy> manager", user=ADMIN)
    slack.fake.wait_for_response_text(f"<@{AMY}> is now a Trainbot manager")
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    slack.command("/training", f"role <@{AMY}|amy> member", user=ADMIN)
    slack.fake.wait_for_response_text(f"<@{AMY}> is now a Trainbot member")
    slack.block_action(user=AMY, action_id=Action.CONTENT_ADD, view_id=slack.fake.home(AMY)["id"])
    refusal = slack.fake.wait_for_call("chat.postMessage", lambda c: c.args.get("channel") == AMY)
    assert "Only managers and admins" in refusal.args["text"]
    assert slack.fake.calls_to("views.open") == []


def test_the_shared_library_cannot_be_edited(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    library = open_library(slack, manager)
    assert len(result_titles(library)) == 10
    # Shared resources offer Assign, but neither Edit nor Remove.
    assert not [b for b in library["blocks"] if b.get("block_id", "").startswith("manage:")]


def _own_id(library: dict) -> str:
    return next(
        b["block_id"].split(":")[1]
        for b in library["blocks"]
        if b.get("block_id", "").startswith("manage:")
    )


def test_a_file_resource_can_become_a_link(slack: SlackClient, manager: str) -> None:
    file = {
        "id": "F0FILE0003",
        "name": "deck.pdf",
        "title": "deck.pdf",
        "permalink": "https://acme.slack.com/files/U0MGR00001/F0FILE0003/deck.pdf",
    }
    library = add(
        slack, manager, {Block.TITLE: "Sales deck", Block.TYPE: "pdf", Block.FILE: [file]}
    )
    resource_id = _own_id(library)
    form = open_edit_form(slack, manager, resource_id)
    # Saving without touching link or file keeps the file.
    before = len(slack.fake.calls_to("views.update"))
    slack.submit_view(
        user=manager, view_id=form["id"], values={Block.TITLE: "Sales deck v2", Block.TYPE: "pdf"}
    )
    library = after_update(slack, manager, before)
    assert "F0FILE0003/deck.pdf|Sales deck v2>" in view_texts(library)
    # A link replaces the file.
    form = open_edit_form(slack, manager, resource_id)
    before = len(slack.fake.calls_to("views.update"))
    slack.submit_view(
        user=manager,
        view_id=form["id"],
        values={
            Block.TITLE: "Sales deck v3",
            Block.TYPE: "pdf",
            Block.URL: "https://decks.example.com/v3",
        },
    )
    library = after_update(slack, manager, before)
    assert "<https://decks.example.com/v3|Sales deck v3>" in view_texts(library)
    # The next edit shows that link; emptied, there is no file left to fall back on.
    form = open_edit_form(slack, manager, resource_id)
    url_input = next(b for b in form["blocks"] if b.get("block_id") == Block.URL)
    assert url_input["element"]["initial_value"] == "https://decks.example.com/v3"
    response = slack.submit_view(
        user=manager,
        view_id=form["id"],
        values={Block.TITLE: "Sales deck v4", Block.TYPE: "pdf", Block.URL: ""},
    )
    assert response.json is not None
    assert response.json["errors"] == {Block.URL: "Add a link (http or https) or upload a file."}


def test_removing_says_what_happened(slack: SlackClient, manager: str) -> None:
    library = add(slack, manager, GOOD)
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, manager, Action.LIBRARY_REMOVE, _own_id(library))
    notice = view_texts(after_update(slack, manager, before))
    assert "*Acme negotiation basics* is removed from the library." in notice
