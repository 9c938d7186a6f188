"""/library end to end: signed requests in, a real modal out, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from bot.fakeslack import SlackClient, find_action_ids, view_texts
from bot.ids import Action
from bot.services.catalog_files import parse_catalog
from tests.conftest import AMY, RunningApp
from tests.support.library import (
    after_update,
    choose,
    click_in_view,
    meta_lines,
    open_library,
    result_titles,
    top_view,
)
from tests.support.seed import bulk_resources, load_starter


def test_library_opens_with_the_starter_catalog(slack: SlackClient, app_server: RunningApp) -> None:
    total = load_starter(app_server)
    view = open_library(slack, AMY)
    assert view["title"]["text"] == "Training library"
    assert f"Showing *1–10* of *{total}* resources" in view_texts(view)
    assert len(result_titles(view)) == 10
    assert "Page 1 of" in view_texts(view)


def test_a_member_can_browse_but_not_curate(slack: SlackClient, app_server: RunningApp) -> None:
    load_starter(app_server)
    actions = find_action_ids(open_library(slack, AMY))
    assert Action.LIBRARY_OPEN in actions
    assert Action.LIBRARY_ASSIGN not in actions
    assert Action.CONTENT_ADD not in actions
    assert Action.LIBRARY_FILTER_STATUS not in actions


def test_words_and_filters_from_the_command_narrow_the_list(
    slack: SlackClient, app_server: RunningApp
) -> None:
    load_starter(app_server)
    view = open_library(slack, AMY, "python type:course")
    titles = result_titles(view)
    assert titles, view_texts(view)
    assert all("Python" in t or "python" in t.lower() for t in titles[:1])
    assert all(line.startswith(":mortar_board: Course") for line in meta_lines(view))
    assert json.loads(view["private_metadata"])["type"] == "course"


def test_choosing_a_filter_refilters_in_place(slack: SlackClient, app_server: RunningApp) -> None:
    load_starter(app_server)
    view = open_library(slack, AMY)
    refreshed = choose(slack, AMY, Action.LIBRARY_FILTER_TYPE, "video")
    assert refreshed["id"] == view["id"]
    assert meta_lines(refreshed)
    assert all(":movie_camera: Video" in line for line in meta_lines(refreshed))
    refreshed = choose(slack, AMY, Action.LIBRARY_FILTER_TYPE, "any")
    assert not all(":movie_camera: Video" in line for line in meta_lines(refreshed))


def test_domain_filter_lists_domains_in_use(slack: SlackClient, app_server: RunningApp) -> None:
    load_starter(app_server)
    open_library(slack, AMY)
    refreshed = choose(slack, AMY, Action.LIBRARY_FILTER_DOMAIN, "security")
    assert meta_lines(refreshed)
    assert all("Security" in line for line in meta_lines(refreshed))


def test_nothing_matching_says_so(slack: SlackClient, app_server: RunningApp) -> None:
    load_starter(app_server)
    view = open_library(slack, AMY, "zzzz-no-such-thing")
    assert result_titles(view) == []
    assert "Nothing matches these filters" in view_texts(view)


def test_an_unknown_filter_explains_the_usage_and_opens_nothing(
    slack: SlackClient, app_server: RunningApp
) -> None:
    response = slack.command("/library", "type:hologram", user=AMY)
    assert response.status == 200
    # Slack shows a command's plain-text answer to the caller only.
    assert "`type:hologram` is not a filter I know" in response.body
    assert "Usage: `/library" in response.body
    assert slack.fake.calls_to("views.open") == []


def test_searching_from_the_modal_updates_the_results(
    slack: SlackClient, app_server: RunningApp
) -> None:
    load_starter(app_server)
    view = open_library(slack, AMY)
    response = slack.submit_view(user=AMY, view_id=view["id"], values={"search": "kubernetes"})
    assert response.status == 200
    updated = top_view(slack, AMY)
    assert [t for t in result_titles(updated) if "Kubernetes" in t]
    assert "Showing *1–1* of *1* resource" in view_texts(updated)


def test_ten_thousand_resources_page_within_slack_limits(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    bulk_resources(engine, 10_000)
    view = open_library(slack, AMY)
    assert "of *10000* resources" in view_texts(view)
    assert "Page 1 of 1000" in view_texts(view)
    assert result_titles(view)[0].startswith("Resource 00001")
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, AMY, Action.LIBRARY_NEXT, "2")
    page_two = after_update(slack, AMY, before)
    assert "Page 2 of 1000" in view_texts(page_two)
    assert result_titles(page_two)[0].startswith("Resource 00011")
    assert len(page_two["blocks"]) <= 100
    assert len(json.dumps(page_two)) < 250_000
    # The stand-in rejected nothing: every view passed Slack's limits (checked at teardown).


def test_another_workspaces_content_never_shows(slack: SlackClient, app_server: RunningApp) -> None:
    from pathlib import Path

    from bot.services.catalog_files import read_catalog_file

    services = app_server.services
    other = services.members.ensure_workspace(team_id="T0OTHER001")
    rows = parse_catalog(*read_catalog_file(Path(__file__).parent / "data" / "catalog_small.json"))
    services.catalog.import_rows(rows=rows, workspace_id=other)
    view = open_library(slack, AMY, "acme")
    assert result_titles(view) == []
    assert "Nothing matches these filters" in view_texts(view)


def test_previous_goes_back_a_page(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    bulk_resources(engine, 25)
    open_library(slack, AMY)
    for action, value, expected in (
        (Action.LIBRARY_NEXT, "2", "Page 2 of 3"),
        (Action.LIBRARY_NEXT, "3", "Page 3 of 3"),
        (Action.LIBRARY_PREVIOUS, "2", "Page 2 of 3"),
    ):
        before = len(slack.fake.calls_to("views.update"))
        click_in_view(slack, AMY, action, value)
        assert expected in view_texts(after_update(slack, AMY, before))
    assert Action.LIBRARY_NEXT in find_action_ids(top_view(slack, AMY))


def test_title_matches_come_before_tag_matches_before_description_matches(
    slack: SlackClient, app_server: RunningApp
) -> None:
    rows = parse_catalog(
        "ranking.csv",
        "title,type,url,description,skills\n"
        "Aardvark basics,article,https://r.example/1,All about negotiation tactics,\n"
        "Zebra handbook,article,https://r.example/2,,Negotiation\n"
        "Negotiation for engineers,article,https://r.example/3,,\n"
        "Unrelated,article,https://r.example/4,Nothing here,\n",
    )
    app_server.services.catalog.import_rows(rows=rows, workspace_id=None)
    assert result_titles(open_library(slack, AMY, "negotiation")) == [
        "Negotiation for engineers",
        "Zebra handbook",
        "Aardvark basics",
    ]


def test_a_rate_limited_slack_is_retried_after_its_retry_after(
    slack: SlackClient, app_server: RunningApp
) -> None:
    load_starter(app_server)
    slack.fake.fail("views.open", status=429, retry_after=1)
    view = open_library(slack, AMY)
    assert view["title"]["text"] == "Training library"
    attempts = slack.fake.calls_to("views.open")
    assert [c.http_status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0


def test_long_search_text_and_awkward_content_stay_within_slack_limits(
    slack: SlackClient, app_server: RunningApp
) -> None:
    awkward = (
        "title,type,url,description\n"
        + '"'
        + "&<>" * 50
        + '",article,https://x.example/'
        + "a|b>" * 450
        + ","
        + "<&>" * 600
        + "\n"
    )
    app_server.services.catalog.import_rows(
        rows=parse_catalog("awkward.csv", awkward), workspace_id=None
    )
    view = open_library(slack, AMY, "word " * 300)
    assert len(view["private_metadata"]) <= 3000
    app_server.settle()
    open_library(slack, AMY)
    # The stand-in refused nothing: checked for every payload at teardown.


def test_a_manager_pages_ten_thousand_resources_in_150_domains(
    slack: SlackClient, app_server: RunningApp, engine: Engine, manager: str
) -> None:
    bulk_resources(engine, 10_000, domains=150)
    view = open_library(slack, manager)
    filters = next(b for b in view["blocks"] if b.get("block_id") == "filters")
    domain_select = next(
        e for e in filters["elements"] if e["action_id"] == Action.LIBRARY_FILTER_DOMAIN
    )
    assert len(domain_select["options"]) == 100  # "Any" and the 99 most used
    assert len(view["blocks"]) <= 100
    before = len(slack.fake.calls_to("views.update"))
    click_in_view(slack, manager, Action.LIBRARY_NEXT, "2")
    assert "Page 2 of 1000" in view_texts(after_update(slack, manager, before))
    refreshed = choose(slack, manager, Action.LIBRARY_FILTER_DOMAIN, "domain-007")
    assert "of *67* resources" in view_texts(refreshed)
