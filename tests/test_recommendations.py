"""Recommended for you: what is offered, in which order, why, and "Not for me".

One small catalog, seeded the way imports and completions leave it: Amy completed *Pro
Git* and is doing *Python Basics*; Bob also completed *Pro Git* and *Bisect Like a Pro*;
Cara, on the path kept for @support-team with Amy, completed *De-escalation 101*; Dan and
Eve completed *Customer Empathy*. Another workspace's own content, a draft and what Amy
dismissed must never show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlalchemy import Engine, insert, select

from bot.errors import NotFound
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from models import (
    Domain,
    EnrollmentRule,
    Member,
    PathEnrollment,
    RecommendationDismissal,
    ResourceAssignment,
    ResourceDomain,
    TrainingResource,
    Workspace,
)
from models.search import search_fields
from tests.conftest import AMY, BOB, TEAM_ID, RunningApp
from tests.support.seed import bulk_resources
from tests.support.waiting import eventually
from tests.test_workspaces import audit_csv

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 10, 1, tzinfo=UTC)
EXPECTED = [
    ("Bisect Like a Pro", "People who completed Pro Git also did"),
    ("De-escalation 101", "People in @support-team also completed it"),
    ("Git Internals", "Next level after your beginner Git"),
    ("Advanced Git", "Because you completed Pro Git"),
    ("Customer Empathy", "Popular in your workspace (2 people completed it)"),
    ("Python Idioms", "Because you are doing Python Basics"),  # 6th: not on Home (5 shown)
]
NEVER = ("Pro Git", "Python Basics", "Their Own Git Notes", "Draft Git Guide", "Git Trivia")


def seed(engine: Engine) -> dict[str, int]:
    """The catalog and history above; returns resource ids by title."""
    with engine.begin() as c:
        ws = c.execute(insert(Workspace).values(
            team_id=TEAM_ID, name="Acme", settings={}, created_at=T0, updated_at=T0
        )).inserted_primary_key[0]  # fmt: skip
        other = c.execute(insert(Workspace).values(
            team_id="T0OTHER001", name="Other", settings={}, created_at=T0, updated_at=T0
        )).inserted_primary_key[0]  # fmt: skip
        people = {u: c.execute(insert(Member).values(
            workspace_id=ws, slack_user_id=u, display_name=u.lower(), created_at=T0, updated_at=T0
        )).inserted_primary_key[0] for u in (AMY, BOB, "U0CARA", "U0DAN", "U0EVE")}  # fmt: skip
        names = (("git", "Git"), ("python", "Python"), ("support", "Support"))
        domains = {slug: c.execute(insert(Domain).values(slug=slug, name=name))
                   .inserted_primary_key[0] for slug, name in names}  # fmt: skip
        ids: dict[str, int] = {}
        for title, domain, level, owner, status, kind in (
            ("Pro Git", "git", "beginner", None, "published", "book"),
            ("Git Internals", "git", "intermediate", None, "published", "article"),
            ("Advanced Git", "git", "advanced", None, "published", "video"),
            ("Python Basics", "python", "beginner", None, "published", "course"),
            ("Python Idioms", "python", "intermediate", None, "published", "article"),
            ("Customer Empathy", "support", None, None, "published", "article"),
            ("Bisect Like a Pro", None, None, None, "published", "article"),
            ("De-escalation 101", None, None, None, "published", "video"),
            ("Their Own Git Notes", "git", "intermediate", other, "published", "document"),
            ("Draft Git Guide", "git", "intermediate", None, "draft", "article"),
            ("Git Trivia", "git", "intermediate", None, "published", "article"),
            ("Support Path", None, None, ws, "published", "path"),
        ):
            ids[title] = c.execute(insert(TrainingResource).values(
                workspace_id=owner, title=title, type=kind, status=status, difficulty=level,
                skills=["git"] if domain == "git" else [], url=f"https://example.com/{len(ids)}",
                created_at=T0, updated_at=T0, **search_fields(
                    title=title, description="", skills=["git"] if domain == "git" else [],
                    domains=[domain] if domain else [], partner=None).columns(),
            )).inserted_primary_key[0]  # fmt: skip
            if domain:
                c.execute(
                    insert(ResourceDomain).values(resource_id=ids[title], domain_id=domains[domain])
                )

        def did(user: str, title: str, *, done: bool = True) -> None:
            c.execute(insert(ResourceAssignment).values(
                workspace_id=ws, resource_id=ids[title], member_id=people[user], assigned_at=T0,
                updated_at=T0, completed_at=T0 if done else None,
                status="completed" if done else "assigned"))  # fmt: skip

        did(AMY, "Pro Git")
        did(AMY, "Python Basics", done=False)
        did(BOB, "Pro Git")
        did(BOB, "Bisect Like a Pro")
        did("U0CARA", "De-escalation 101")
        did("U0DAN", "Customer Empathy")
        did("U0EVE", "Customer Empathy")
        path = ids["Support Path"]
        c.execute(insert(EnrollmentRule).values(
            workspace_id=ws, path_id=path, source="usergroup", source_id="S0SUPPORT",
            source_label="@support-team", created_at=T0, updated_at=T0))  # fmt: skip
        for user in (AMY, "U0CARA"):
            c.execute(insert(PathEnrollment).values(
                workspace_id=ws, path_id=path, member_id=people[user], starts_on=date(2026, 10, 1),
                enrolled_at=T0, updated_at=T0))  # fmt: skip
        c.execute(insert(RecommendationDismissal).values(
            workspace_id=ws, member_id=people[AMY], resource_id=ids["Git Trivia"],
            dismissed_at=T0))  # fmt: skip
    return ids


def recommended(app: RunningApp, user: str = AMY, limit: int = 10) -> list[tuple[str, str]]:
    found = app.services.recommendations.for_user(team_id=TEAM_ID, user_id=user, limit=limit)
    return [(r.title, r.reason.text) for r in found.items]


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_fixed_catalog_ranks_in_the_expected_order_with_real_reasons(
    app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    assert recommended(app_server) == EXPECTED


def test_never_what_they_completed_are_doing_may_not_see_or_dismissed(
    app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    titles = [title for title, _ in recommended(app_server, limit=50)]
    assert not set(NEVER) & set(titles)
    assert "Support Path" not in titles  # they are on it
    # What Bob completed is gone for him; what Amy dismissed is hers alone to hide.
    bobs = [title for title, _ in recommended(app_server, user=BOB, limit=50)]
    assert "Pro Git" not in bobs and "Bisect Like a Pro" not in bobs
    assert "Git Trivia" in bobs


def test_home_shows_the_section_and_not_for_me_removes_it(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    ids = seed(engine)
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    home = slack.fake.home(AMY) or {}
    View(**home).validate_json()
    text = view_texts(home)
    assert "Recommended for you" in text
    assert "Bisect Like a Pro" in text and "People who completed *Pro Git* also did" in text
    slack.click(
        user=AMY, action_id=Action.RECOMMENDATION_DISMISS, value=str(ids["Bisect Like a Pro"])
    )

    def redrawn() -> dict[str, Any] | None:
        now = slack.fake.home(AMY) or {}
        return now if "Bisect Like a Pro" not in view_texts(now) else None

    after = eventually(redrawn)
    assert "De-escalation 101" in view_texts(after)
    assert "Bisect Like a Pro" not in [t for t, _ in recommended(app_server, limit=50)]


def test_turned_off_for_the_workspace_home_has_no_section(
    slack: SlackClient, app_server: RunningApp, engine: Engine, database_url: str
) -> None:
    seed(engine)
    switched = cli(database_url, "workspace", "recommendations", TEAM_ID, "off")
    assert switched.returncode == 0, switched.stderr
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    assert "Recommended for you" not in view_texts(slack.fake.home(AMY) or {})
    listed = cli(database_url, "recommend", "--workspace", TEAM_ID, "--person", AMY)
    assert "Recommendations are off" in listed.stdout
    with engine.connect() as c:
        assert (
            c.scalar(select(Workspace.recommendations).where(Workspace.team_id == TEAM_ID)) is False
        )
    assert cli(database_url, "workspace", "recommendations", TEAM_ID, "off").returncode == 0
    switches = [r for r in audit_csv(database_url) if r["action"] == "recommendations.switched"]
    assert len(switches) == 1  # off twice: one change
    assert (json.loads(switches[0]["before"]), json.loads(switches[0]["after"])) == (
        {"recommendations": True}, {"recommendations": False},
    )  # fmt: skip


def test_the_cli_prints_the_same_list_as_text_and_json(
    app_server: RunningApp, engine: Engine, database_url: str
) -> None:
    seed(engine)
    text = cli(database_url, "recommend", "--workspace", TEAM_ID, "--person", AMY, "--limit", "2")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == [
        "1. Bisect Like a Pro (article): People who completed Pro Git also did",
        "2. De-escalation 101 (video): People in @support-team also completed it",
    ]
    as_json = cli(database_url, "recommend", "--workspace", TEAM_ID, "--person", AMY, "--json")
    rows = json.loads(as_json.stdout)
    assert [(r["title"], r["reason"]) for r in rows] == EXPECTED


def test_the_cli_names_an_unknown_workspace_or_person_in_one_line(
    app_server: RunningApp, engine: Engine, database_url: str
) -> None:
    seed(engine)
    nobody = cli(database_url, "recommend", "--workspace", TEAM_ID, "--person", "U0NOBODY")
    assert nobody.returncode == 1
    assert nobody.stderr == f"trainbot: no person U0NOBODY in workspace {TEAM_ID}\n"
    nowhere = cli(database_url, "recommend", "--workspace", "T0NOWHERE", "--person", AMY)
    assert nowhere.stderr == "trainbot: no workspace T0NOWHERE here\n"


def test_not_for_me_on_another_workspaces_content_is_refused_and_remembers_nothing(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    ids = seed(engine)
    amy = app_server.services.members.resolve(
        team_id=TEAM_ID, user_id=AMY, profiles=WebClient(base_url=slack.fake.base_url)
    )
    with pytest.raises(NotFound):
        app_server.services.recommendations.dismiss(
            caller=amy, resource_id=ids["Their Own Git Notes"]
        )
    app_server.services.recommendations.dismiss(caller=amy, resource_id=ids["Advanced Git"])
    app_server.services.recommendations.dismiss(caller=amy, resource_id=ids["Advanced Git"])
    with engine.connect() as c:
        dismissed = c.scalars(
            select(RecommendationDismissal.resource_id).where(
                RecommendationDismissal.member_id == amy.member_id
            )
        ).all()
    assert sorted(dismissed) == sorted([ids["Git Trivia"], ids["Advanced Git"]])
    assert "Advanced Git" not in [t for t, _ in recommended(app_server, limit=50)]


def test_completing_something_redraws_home_with_what_it_opens(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    assert "Python Idioms" not in view_texts(slack.fake.home(AMY) or {})
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)  # Python Basics, her open one

    def redrawn() -> str | None:
        text = view_texts(slack.fake.home(AMY) or {})
        return text if "Python Idioms" in text else None

    text = eventually(redrawn)
    assert "Next level after your beginner *Python*" in text
    assert "Recommended for you" in text


def test_home_with_ten_thousand_resources_validates_and_stays_within_100_blocks(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    seed(engine)
    bulk_resources(engine, 10_000, domains=20)
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    home = slack.fake.home(AMY) or {}
    View(**home).validate_json()
    assert len(home["blocks"]) <= 100
    assert (
        sum(1 for b in home["blocks"] if str(b.get("block_id", "")).startswith("recommended:")) == 5
    )
