"""App Home's Manage content tab: the workspace's own resources in every status, for managers."""

from __future__ import annotations

from typing import Any

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from tests.conftest import ADMIN, AMY, RunningApp
from tests.support.library import result_titles, top_view
from tests.support.seed import assignment_for, load_starter

NEW = {
    Block.TITLE: "Acme onboarding checklist",
    Block.TYPE: "article",
    Block.URL: "https://wiki.example.com/onboarding",
    Block.DOMAINS: "Onboarding",
    Block.STATUS: "draft",
}


def home(slack: SlackClient, app_server: RunningApp, user: str) -> dict[str, Any]:
    app_server.settle()
    view = slack.fake.home(user)
    assert view is not None
    return view


def open_content_tab(slack: SlackClient, app_server: RunningApp, user: str) -> dict[str, Any]:
    slack.app_home_opened(user)
    slack.click(
        user=user, action_id=Action.HOME_TAB_CONTENT, view_id=home(slack, app_server, user)["id"]
    )
    return home(slack, app_server, user)


def add_from_home(
    slack: SlackClient, app_server: RunningApp, user: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Add content from the tab; returns the tab as drawn after saving."""
    slack.click(
        user=user, action_id=Action.CONTENT_ADD, view_id=home(slack, app_server, user)["id"]
    )
    app_server.settle()
    form = top_view(slack, user)
    assert form["title"]["text"] == "Add content"
    response = slack.submit_view(user=user, view_id=form["id"], values=values)
    assert not (response.json or {}).get("errors"), response.json
    assert slack.fake.open_views(user) == []  # the modal closes; Home shows the result
    return home(slack, app_server, user)


def summary(view: dict[str, Any]) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == "content.summary")
    return str(block["text"]["text"])


def test_a_manager_adds_a_draft_from_the_tab_and_sees_only_the_workspaces_own_content(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)  # the shared library: browsable, not "own" content
    tab = open_content_tab(slack, app_server, manager)
    assert "Nothing of your own yet" in summary(tab)
    assert result_titles(tab) == []

    after = add_from_home(slack, app_server, manager, NEW)
    assert result_titles(after) == ["Acme onboarding checklist"]
    assert "*1* resource of your own" in summary(after)
    assert "Draft *1*" in summary(after) and "Published *0*" in summary(after)
    assert "is saved in your workspace's library (draft)" in view_texts(after)
    assert "Edit" in view_texts(after) and "Remove" in view_texts(after)

    slack.app_home_opened(manager)  # coming back: still Manage content
    assert result_titles(home(slack, app_server, manager)) == ["Acme onboarding checklist"]


def test_status_filter_counts_and_archiving_agree(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    open_content_tab(slack, app_server, manager)
    add_from_home(slack, app_server, manager, {**NEW, Block.TITLE: "Draft guide"})
    add_from_home(
        slack, app_server, manager, {**NEW, Block.TITLE: "Soon guide", Block.STATUS: "coming_soon"}
    )
    live = add_from_home(
        slack, app_server, manager, {**NEW, Block.TITLE: "Live guide", Block.STATUS: "published"}
    )
    assert sorted(result_titles(live)) == ["Draft guide", "Live guide", "Soon guide"]

    slack.select(
        user=manager,
        view_id=live["id"],
        action_id=Action.LIBRARY_FILTER_STATUS,
        value="coming_soon",
    )
    assert result_titles(home(slack, app_server, manager)) == ["Soon guide"]

    # Someone was assigned "Live guide": removing it archives it, and the counts follow.
    slack.select(
        user=manager,
        view_id=home(slack, app_server, manager)["id"],
        action_id=Action.LIBRARY_FILTER_STATUS,
        value="published",
    )
    published = home(slack, app_server, manager)
    resource_id = next(
        b["block_id"].split(":")[1]
        for b in published["blocks"]
        if str(b.get("block_id", "")).startswith("item:")
    )
    slack.app_home_opened(AMY)  # Amy is someone Trainbot knows
    app_server.settle()
    assignment_for(
        app_server.services.engine,
        team_id=slack.fake.identity.team_id,
        user_id=AMY,
        resource_id=int(resource_id),
    )
    slack.click(
        user=manager, action_id=Action.LIBRARY_REMOVE, value=resource_id, view_id=published["id"]
    )
    after = home(slack, app_server, manager)
    assert "is archived" in view_texts(after)
    assert "Published *0*" in summary(after) and "Archived *1*" in summary(after)
    assert "Draft *1*" in summary(after) and "Coming soon *1*" in summary(after)


def test_members_have_no_manage_content_tab(slack: SlackClient, app_server: RunningApp) -> None:
    """Amy is a manager when her Home is drawn, and a member by the time she clicks."""
    slack.command("/training", f"role <@{AMY}|amy> manager", user=ADMIN)
    slack.fake.wait_for_response_text(f"<@{AMY}> is now a Trainbot manager")
    open_content_tab(slack, app_server, AMY)
    drawn = add_from_home(slack, app_server, AMY, NEW)
    slack.command("/training", f"role <@{AMY}|amy> member", user=ADMIN)
    slack.fake.wait_for_response_text(f"<@{AMY}> is now a Trainbot member")

    slack.click(user=AMY, action_id=Action.HOME_TAB_CONTENT, view_id=drawn["id"])
    shown = home(slack, app_server, AMY)
    assert "Manage content" not in view_texts(shown)  # Browse, for members
    assert "Your workspace's content" not in view_texts(shown)
    assert "Acme onboarding checklist" not in view_texts(shown)  # a draft stays hidden
