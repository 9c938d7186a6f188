"""App Home's Browse tab: the library as /library shows it, filtered and paged in Home."""

from __future__ import annotations

from typing import Any

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from tests.conftest import AMY, RunningApp
from tests.support.library import result_titles, top_view
from tests.support.seed import load_starter


def home(slack: SlackClient, app_server: RunningApp, user: str) -> dict[str, Any]:
    app_server.settle()
    view = slack.fake.home(user)
    assert view is not None
    return view


def test_browse_the_library_in_home_filter_page_and_come_back_to_it(
    slack: SlackClient, app_server: RunningApp
) -> None:
    total = load_starter(app_server)
    slack.app_home_opened(AMY)
    view = home(slack, app_server, AMY)
    assert "Team progress" not in view_texts(view)  # a member: My learning and Browse
    slack.click(user=AMY, action_id=Action.HOME_TAB_BROWSE, view_id=view["id"])
    browse = home(slack, app_server, AMY)
    assert f"* of *{total}* resources" in view_texts(browse)
    first_page = result_titles(browse)
    assert first_page

    slack.click(user=AMY, action_id=Action.LIBRARY_NEXT, view_id=browse["id"])
    second = home(slack, app_server, AMY)
    assert result_titles(second) and result_titles(second)[0] not in first_page
    slack.select(user=AMY, view_id=second["id"], action_id=Action.LIBRARY_FILTER_TYPE,
                 value="video")  # fmt: skip
    videos = home(slack, app_server, AMY)
    assert "Showing *1–" in view_texts(videos)  # a new filter starts from the first page
    assert _meta(videos) and all("Video" in line for line in _meta(videos))

    slack.app_home_opened(AMY)  # coming back: the same tab, the same filter
    again = home(slack, app_server, AMY)
    assert result_titles(again) == result_titles(videos)
    assert "Browse" in view_texts(again)


def test_a_manager_assigns_from_browse_in_a_new_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.app_home_opened(manager)
    slack.click(user=manager, action_id=Action.HOME_TAB_BROWSE,
                view_id=home(slack, app_server, manager)["id"])  # fmt: skip
    browse = home(slack, app_server, manager)
    first = next(b for b in browse["blocks"] if str(b.get("block_id", "")).startswith("item:"))
    resource_id = first["block_id"].split(":")[1]
    slack.click(user=manager, action_id=Action.LIBRARY_ASSIGN, value=resource_id,
                view_id=browse["id"])  # fmt: skip
    app_server.settle()
    modal = top_view(slack, manager)
    assert modal["title"]["text"] == "Assign training"
    resource = next(b for b in modal["blocks"] if b["block_id"] == Block.RESOURCE)
    assert resource["element"]["initial_option"]["value"] == resource_id


def _meta(view: dict[str, Any]) -> list[str]:
    return [
        b["elements"][0]["text"]
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith("meta:")
    ]
