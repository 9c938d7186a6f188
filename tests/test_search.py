"""Full-text search: ranking, prefixes, accents, "did you mean", the index kept in step with
every write, filters and paging; on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, insert

from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action
from bot.services import Services
from bot.services.catalog_files import parse_catalog
from bot.services.library import LibraryQuery
from bot.services.members import Caller
from bot.services.title_words import MAX_EXPANSIONS
from bot.services.typeahead import WALK
from models import Workspace
from tests.conftest import AMY, BOT_TOKEN, TEAM_ID, RunningApp
from tests.support.library import open_library, result_titles
from tests.support.seed import T0, bulk_resources
from tests.test_assign_flow import open_assign

CATALOG = [
    {"title": "Negotiation basics", "description": "How to agree on a price."},
    {"title": "Advanced negotiation", "description": "Anchors, concessions and walking away."},
    {"title": "Sales calls", "skills": "negotiation; discovery", "description": "Calls."},
    {"title": "Pricing for product managers", "description": "A chapter on negotiation."},
    {"title": "Résumé writing", "description": "A CV that gets read."},
    {"title": "Python for data", "description": "Pandas and friends."},
    {"title": "Data with Python", "description": "Notebooks, plots."},
    {"title": "Cooking for teams", "partner": "Negotiators Guild", "description": "Food."},
]


def import_catalog(services: Services, rows: list[dict[str, Any]]) -> None:
    numbered = [
        {"external_id": f"s{i}", "type": "article", "url": f"https://learn.example/{i}", **row}
        for i, row in enumerate(rows)
    ]
    done = services.catalog.import_rows(
        rows=parse_catalog("c.json", json.dumps(numbered)), workspace_id=None
    )
    assert not done.rejected, done


@pytest.fixture
def amy(app_server: RunningApp, fake_slack: FakeSlack) -> Caller:
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    return app_server.services.members.resolve(team_id=TEAM_ID, user_id=AMY, profiles=client)


@pytest.fixture
def services(app_server: RunningApp) -> Services:
    import_catalog(app_server.services, CATALOG)
    return app_server.services


def found(services: Services, caller: Caller, words: str, **filters: Any) -> list[str]:
    page = services.catalog.search(caller=caller, query=LibraryQuery(words=words, **filters))
    return [item.title for item in page.items]


def typed(services: Services, caller: Caller, words: str, limit: int = 100) -> list[str]:
    return [
        title for _, title, _ in services.catalog.suggest(caller=caller, words=words, limit=limit)
    ]


def test_titles_rank_over_tags_over_descriptions_and_prefixes_match(
    services: Services, amy: Caller
) -> None:
    expected = [
        "Advanced negotiation",  # the word in the title, alphabetically
        "Negotiation basics",
        "Cooking for teams",  # in the partner's name (a tag)
        "Sales calls",  # in the skills (a tag)
        "Pricing for product managers",  # only in the description
    ]
    assert found(services, amy, "negot") == expected
    assert typed(services, amy, "negot") == expected
    # The whole word no longer starts "Negotiators Guild": the partner's item drops out.
    assert found(services, amy, "NEGOTIATION") == [t for t in expected if t != "Cooking for teams"]


def test_words_match_in_any_order_and_all_must_match(services: Services, amy: Caller) -> None:
    both = ["Data with Python", "Python for data"]
    assert found(services, amy, "python data") == both
    assert found(services, amy, "data pyth") == both
    assert typed(services, amy, "dat python") == both
    assert found(services, amy, "python cooking") == []


def test_accents_are_folded_both_ways(services: Services, amy: Caller) -> None:
    assert found(services, amy, "resume") == ["Résumé writing"]
    assert found(services, amy, "RÉSUMÉ wri") == ["Résumé writing"]
    import_catalog(services, [{"title": "Resume review", "description": "Plain letters."}])
    assert found(services, amy, "résumé") == ["Resume review", "Résumé writing"]


def test_a_typo_finds_the_closest_titles(services: Services, amy: Caller) -> None:
    page = services.catalog.search(caller=amy, query=LibraryQuery(words="negotiaton basics"))
    assert page.searched_for == "negotiaton basics"
    assert page.query.words == "negotiation basics"
    assert [item.title for item in page.items] == ["Negotiation basics"]
    assert typed(services, amy, "pyhton") == ["Data with Python", "Python for data"]
    # Nothing close enough: no suggestion rather than a wrong one.
    nothing = services.catalog.search(caller=amy, query=LibraryQuery(words="quantum"))
    assert (nothing.total, nothing.searched_for) == (0, None)


def test_the_index_follows_edits_archiving_and_reimports(services: Services, amy: Caller) -> None:
    renamed = {"external_id": "s0", "title": "Haggling basics", "description": "Prices."}
    import_catalog(services, [])  # nothing: nothing changes
    services.catalog.import_rows(
        rows=parse_catalog(
            "c.json", json.dumps([{**renamed, "type": "article", "url": "https://learn.example/0"}])
        ),
        workspace_id=None,
    )
    assert found(services, amy, "haggl") == ["Haggling basics"]
    assert "Haggling basics" not in found(services, amy, "negotiation")
    archived = {
        **renamed,
        "status": "archived",
        "type": "article",
        "url": "https://learn.example/0",
    }
    services.catalog.import_rows(
        rows=parse_catalog("c.json", json.dumps([archived])), workspace_id=None
    )
    assert found(services, amy, "haggl") == []
    assert typed(services, amy, "haggl") == []
    restored = {**archived, "status": "published", "title": "Bargaining basics"}
    services.catalog.import_rows(
        rows=parse_catalog("c.json", json.dumps([restored])), workspace_id=None
    )
    assert found(services, amy, "bargain") == ["Bargaining basics"]
    assert found(services, amy, "haggl") == []


def test_filters_and_paging_combine_with_the_words(services: Services, amy: Caller) -> None:
    guides = [
        {"title": f"Field guide {i:02d}", "type": "video" if i % 2 else "article"}
        for i in range(25)
    ]
    import_catalog(services, guides)  # replaces the catalog's first 25 external ids
    page = services.catalog.search(caller=amy, query=LibraryQuery(words="guide", type="video"))
    assert (page.total, page.pages) == (12, 2)
    second = services.catalog.search(
        caller=amy, query=LibraryQuery(words="guide", type="video", page=2)
    )
    titles = [item.title for item in page.items] + [item.title for item in second.items]
    assert titles == [f"Field guide {i:02d}" for i in range(1, 25, 2)]


def test_a_typeahead_over_a_big_library_still_finds_what_sorts_last(
    app_server: RunningApp, amy: Caller, engine: Engine
) -> None:
    bulk_resources(engine, WALK + 100)  # "Resource 00001 about a long topic ..."
    import_catalog(app_server.services, [{"title": "Zymurgy for brewers"}])
    services = app_server.services
    assert typed(services, amy, "zym") == ["Zymurgy for brewers"]  # beyond the first WALK
    first = typed(services, amy, "resource", limit=5)
    assert first == [f"Resource {i:05d} " + "about a long topic " * 5 for i in range(1, 6)]
    assert typed(services, amy, "topic zymur") == []


def test_library_and_typeahead_through_slack(
    slack: SlackClient, services: Services, manager: str
) -> None:
    view = open_library(slack, AMY, "negotiaton")
    assert "Did you mean *negotiation*?" in view_texts(view)
    assert result_titles(view)[:2] == ["Advanced negotiation", "Negotiation basics"]
    assign = open_assign(slack, manager)
    answer = slack.suggest(
        user=manager, view_id=assign["id"], action_id=Action.ASSIGN_RESOURCE, value="résu"
    )
    assert answer.json is not None
    assert answer.json["options"][0]["text"]["text"].startswith("Résumé writing")


def test_titles_in_other_scripts_are_found_by_their_first_letters(
    services: Services, amy: Caller
) -> None:
    import_catalog(services, [
        {"title": "Переговоры для начинающих", "description": "Основы."},
        {"title": "交渉の基本", "description": "はじめての交渉"},
        {"title": "Διαπραγμάτευση", "description": "Βασικά."},
    ])  # fmt: skip
    assert found(services, amy, "переГОВ") == ["Переговоры для начинающих"]
    assert found(services, amy, "交渉") == ["交渉の基本"]
    assert typed(services, amy, "διαπραγ") == ["Διαπραγμάτευση"]  # the tonos is folded away


def test_a_typeahead_merges_the_title_word_lists_of_what_is_typed(
    services: Services, amy: Caller, engine: Engine
) -> None:
    """The typed prefix stands for several title words (migration 0017's lists, merged); a
    prefix standing for more than MAX_EXPANSIONS falls back to the walk, with the same
    answer; another workspace's own content never shows, the caller's own does."""
    many = [f"q{i}x" for i in range(MAX_EXPANSIONS + 8)]  # q0x ... q39x: 40 words on "q"
    titles = [f"Quiz {word} drills" for word in many] + ["Both q1x and q10x", "Q1 planning"]
    import_catalog(services, [{"title": t, "type": "video"} for t in titles])
    with engine.begin() as conn:
        other = conn.execute(
            insert(Workspace).values(team_id="T0OTHER001", created_at=T0, updated_at=T0)
        ).inserted_primary_key[0]
    for workspace_id, title in ((other, "Q1x secrets of Globex"), (amy.workspace_id, "Q1x ours")):
        own = {"external_id": "own", "type": "article", "url": "https://x.example", "title": title}
        services.catalog.import_rows(
            rows=parse_catalog("c.json", json.dumps([own])), workspace_id=workspace_id
        )
    visible = [*titles, "Q1x ours"]

    def expected(*prefixes: str) -> list[str]:
        def holds(title: str) -> bool:
            words = title.lower().split()
            return all(any(w.startswith(p) for w in words) for p in prefixes)

        return sorted((t for t in visible if holds(t)), key=str.lower)

    assert typed(services, amy, "q1") == expected("q1")  # q1, q1x, q10x ... q19x: merged
    assert typed(services, amy, "q1").count("Both q1x and q10x") == 1
    assert typed(services, amy, "q") == expected("q")  # 40 words and more: walked
    assert typed(services, amy, "drills q3") == expected("drills", "q3")
    assert typed(services, amy, "q1x") == ["Both q1x and q10x", "Q1x ours", "Quiz q1x drills"]
    not_videos = services.catalog.suggest(caller=amy, words="q1x", exclude_types=("video",))
    assert [title for _, title, _ in not_videos] == ["Q1x ours"]
