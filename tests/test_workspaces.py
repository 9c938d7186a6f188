"""`trainbot workspace list | export | delete`: everything a workspace owns, and nothing
else, checked table by table against the metadata (a table added later is covered too).
One row is written by the delete, on purpose: the audit entry recording it, which has no
workspace to belong to any more."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, Table, exists, func, select

from bot.installations import SealedInstallationStore
from bot.services.assignments import AssignForm
from bot.token_keys import Keyring
from models import AuditEntry, Base, Workspace
from models.enums import Priority
from models.slack_oauth import slack_installations
from tests.conftest import ADMIN, AMY, BOB, TEAM_ID, RunningApp
from tests.support.courses import import_sample, resource_id
from tests.support.quizzes import QUIZZES
from tests.test_certificates import finish_course

ROOT = Path(__file__).resolve().parents[1]
OTHER = "T0OTHER001"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "workspace", *args],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def audit_csv(database_url: str) -> list[dict[str, str]]:
    """`trainbot audit export --workspace TEAM_ID`, read back."""
    log = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "export", "--workspace", TEAM_ID],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert log.returncode == 0, log.stderr
    return list(csv.DictReader(io.StringIO(log.stdout)))


def two_workspaces(app: RunningApp, slack: Any, manager: str, engine: Engine) -> None:
    """Ours with a finished course, its own quizzes and an installation; another beside it."""
    import_sample(app)
    finish_course(slack, app, manager)  # assignments, events, items done, outbox, certificate
    services = app.services
    profiles = WebClient(base_url=slack.fake.base_url, token=slack.fake.identity.bot_token)
    ours = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=profiles)
    import_sample(app, QUIZZES, workspace_id=ours.workspace_id)  # its own content, with quizzes
    theirs = services.members.resolve(team_id=OTHER, user_id=ADMIN, profiles=profiles)
    services.assignments.assign(by=theirs, form=AssignForm(
        resource_id(engine, "cp-welcome"), (AMY, BOB), None, Priority.NORMAL))  # fmt: skip
    store = SealedInstallationStore(client_id="1.2", engine=engine,
                                    keyring=Keyring([Fernet.generate_key().decode()]))  # fmt: skip
    for team in (TEAM_ID, OTHER):
        store.save(Installation(app_id="A0TRAINBOT", team_id=team, user_id=ADMIN,
                                bot_token=f"xoxb-{team}-secret", bot_id="B1",
                                installed_at=datetime(2026, 12, 6, tzinfo=UTC)))  # fmt: skip


def snapshot(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table in the metadata (JSON values as text, to compare them)."""

    def hashable(value: Any) -> Any:
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    with engine.connect() as conn:
        return {
            t.name: {tuple(hashable(v) for v in row) for row in conn.execute(select(t))}
            for t in Base.metadata.sorted_tables
        }


def test_export_then_delete_takes_everything_of_one_workspace_and_nothing_else(
    app_server: RunningApp, slack: Any, manager: str, engine: Engine, database_url: str
) -> None:
    two_workspaces(app_server, slack, manager, engine)
    with engine.connect() as conn:
        ours, theirs = (conn.scalar(select(Workspace.id).where(Workspace.team_id == t))
                        for t in (TEAM_ID, OTHER))  # fmt: skip

    listed = cli(database_url, "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [OTHER, TEAM_ID]

    exported = cli(database_url, "export", TEAM_ID)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert "-secret" not in exported.stdout and "xoxb" not in exported.stdout  # no tokens
    assert {r["team_id"] for r in data["slack_installations"]} == {TEAM_ID}
    for table in (
        "members",
        "resource_assignments",
        "assignment_events",
        "course_item_done",
        "certificates",
        "outbox",
        "quizzes",
        "quiz_questions",
        "training_resources",
    ):
        assert data[table], table  # fmt: skip
    assert all(r["workspace_id"] == ours for r in data["resource_assignments"])
    assert all(r["workspace_id"] == ours for r in data["training_resources"])
    # Its audit log is its own too: Maria made a manager, its content imported.
    assert {r["action"] for r in data["audit_log"]} >= {"role.changed", "content.imported"}
    assert all(r["workspace_id"] == ours for r in data["audit_log"])

    # The export itself is recorded, by the operator, with what it held.
    (exported_entry,) = [r for r in audit_csv(database_url) if r["action"] == "workspace.exported"]
    assert exported_entry["actor"] == "CLI (operator)"
    assert json.loads(exported_entry["after"]) == {"rows": sum(len(rows) for rows in data.values())}

    refused = cli(database_url, "delete", TEAM_ID)
    assert refused.returncode == 2 and "--confirm" in refused.stderr
    before = snapshot(engine)
    done = cli(database_url, "delete", TEAM_ID, "--confirm")
    assert done.returncode == 0 and done.stdout.startswith(f"Deleted {TEAM_ID}:"), done.stderr
    after = snapshot(engine)

    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            gone = before[table.name] - after[table.name]
            added = after[table.name] - before[table.name]
            if table.name == AuditEntry.__tablename__:  # but the deletion's own entry, kept
                (kept,) = (dict(zip(table.c.keys(), row, strict=True)) for row in added)
                assert (kept["workspace_id"], kept["team_id"], kept["action"], kept["actor"]) == (
                    None, TEAM_ID, "workspace.deleted", "CLI (operator)")  # fmt: skip
            else:
                assert not added, table.name  # nothing added
            if "workspace_id" in table.c:  # exactly our rows went; theirs and shared stayed
                column = list(table.c.keys()).index("workspace_id")
                assert all(row[column] == ours for row in gone), table.name
                assert not any(row[column] == ours for row in after[table.name]), table.name
            for fk in table.foreign_keys:  # and nothing points at a row that is gone
                parent: Table = fk.column.table
                points = exists().where(fk.column == fk.parent).select_from(parent)
                orphans = conn.scalar(select(func.count()).select_from(table).where(
                    fk.parent.is_not(None), ~points.correlate(table)))  # fmt: skip
                assert orphans == 0, f"{table.name}.{fk.parent.name}"
        assert conn.scalar(select(func.count()).select_from(slack_installations)
                           .where(slack_installations.c.team_id == TEAM_ID)) == 0  # fmt: skip
    assert not any(row[0] == ours for row in after["workspaces"])  # the workspace itself too
    # Theirs is whole: its assignments, people and installation are all still there.
    assert cli(database_url, "list").stdout.split("\t")[:4] == [OTHER, "", "3 people",
                                                                "2 assignments"]  # fmt: skip
    assert theirs is not None
    # Who deleted it and when outlives it: the operator's export by team id finds it.
    (entry,) = audit_csv(database_url)
    rows = int(done.stdout.split(": ")[1].split()[0])  # "Deleted T…: 123 rows in 20 tables"
    assert (entry["action"], entry["subject_id"], entry["actor"], entry["before"],
            entry["after"]) == ("workspace.deleted", TEAM_ID, "CLI (operator)",
                                f'{{"rows": {rows}}}', '{"rows": 0}')  # fmt: skip
