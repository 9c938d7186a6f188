"""The library's "For you": `/library for:me` and the toggle beside the filters show the
person's recommendations in their order, each with its reason, narrowed by words and
filters like any search."""

from __future__ import annotations

from sqlalchemy import Engine, update

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from models import Workspace
from tests.conftest import AMY, RunningApp
from tests.support.library import meta_lines, open_library, result_titles
from tests.support.waiting import eventually
from tests.test_recommendations import EXPECTED, seed


def test_library_for_me_lists_the_recommendations_in_order_with_their_reasons(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    view = open_library(slack, AMY, "for:me")
    titles = result_titles(view)
    assert titles[: len(EXPECTED)] == [title for title, _ in EXPECTED]
    lines = meta_lines(view)
    assert lines[0].startswith("_People who completed Pro Git also did_")
    assert lines[1].startswith("_People in @support-team also completed it_")
    # Words narrow it and keep the order; the toggle goes back to the whole library.
    narrowed = result_titles(open_library(slack, AMY, "for:me git"))
    assert narrowed == ["Git Internals", "Advanced Git"]  # the Git ones, in the same order
    slack.click(user=AMY, action_id=Action.LIBRARY_FOR_ME, value="off", view_id=view["id"])

    def whole() -> list[str] | None:
        shown = result_titles(slack.fake.view(view["id"]))
        return shown if shown != titles else None

    assert "Pro Git" in eventually(whole)  # completed: never "for you", but in the library


def test_for_you_says_so_when_the_workspace_turned_recommendations_off(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(Workspace).values(recommendations=False))
    view = open_library(slack, AMY, "for:me")
    assert result_titles(view) == []
    assert "Recommendations are turned off for this workspace." in view_texts(view)
