"""`trainbot catalog import` and `trainbot db` as a person runs them, on both databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot import db
from models import Domain, TrainingResource, Workspace

DATA = Path(__file__).parent / "data"


def trainbot(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def titles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(TrainingResource.title).order_by(TrainingResource.title)))


def test_good_rows_import_and_bad_rows_are_reported_by_line(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    result = trainbot(
        "catalog",
        "import",
        str(DATA / "catalog_mixed.csv"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("catalog_mixed.csv:5: rejected: title:")
    assert lines[1].startswith("catalog_mixed.csv:6: rejected: type:")
    assert lines[2].startswith("catalog_mixed.csv:7: rejected: url:")
    assert lines[-1] == "3 created, 0 updated, 3 rejected"
    assert titles(engine) == [
        "Acme New Starter Onboarding",
        "Acme Sales Playbook",
        "Acme Security 101",
    ]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Domain)) > 0


def test_importing_twice_changes_nothing(engine: Engine, database_url: str, tmp_path: Path) -> None:
    trainbot(
        "catalog",
        "import",
        str(DATA / "catalog_small.json"),
        database_url=database_url,
        cwd=tmp_path,
    )
    again = trainbot(
        "catalog",
        "import",
        str(DATA / "catalog_small.json"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert again.returncode == 0
    assert again.stdout.strip() == "0 created, 2 updated, 0 rejected"
    assert len(titles(engine)) == 2


def test_rows_without_external_id_match_on_url(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    csv = tmp_path / "by_url.csv"
    csv.write_text("title,type,url\nOld title,video,https://v.example.com/1\n")
    trainbot("catalog", "import", str(csv), database_url=database_url, cwd=tmp_path)
    csv.write_text("title,type,url\nNew title,video,https://v.example.com/1\n")
    result = trainbot("catalog", "import", str(csv), database_url=database_url, cwd=tmp_path)
    assert result.stdout.strip() == "0 created, 1 updated, 0 rejected"
    assert titles(engine) == ["New title"]


def test_the_starter_catalog_imports_into_the_shared_library(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    result = trainbot("catalog", "import", "--starter", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    created = int(result.stdout.split()[0])
    assert created >= 40
    with engine.connect() as conn:
        shared = conn.scalar(
            select(func.count())
            .select_from(TrainingResource)
            .where(TrainingResource.workspace_id.is_(None))
        )
    assert shared == created


def test_workspace_imports_stay_in_that_workspace(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    trainbot(
        "catalog",
        "import",
        str(DATA / "catalog_small.json"),
        "--workspace",
        "T0OTHER01",
        database_url=database_url,
        cwd=tmp_path,
    )
    with engine.connect() as conn:
        owners = set(conn.scalars(select(Workspace.team_id).join(TrainingResource)))
    assert owners == {"T0OTHER01"}


def test_a_missing_file_is_one_clear_line(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    result = trainbot("catalog", "import", "nope.csv", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("trainbot: Cannot read nope.csv")
    assert "Traceback" not in result.stderr


def test_db_current_reports_the_revision(engine: Engine, database_url: str, tmp_path: Path) -> None:
    result = trainbot("db", "current", database_url=database_url, cwd=tmp_path)
    assert result.stdout.strip() == f"schema revision: {db.head_revision()} (up to date)"


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = trainbot(
        "db", "current", database_url="postgresql://bot:secret@127.0.0.1:1/trainbot", cwd=tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("trainbot: the database at postgresql+psycopg://bot:***@127.0.0.1:1")
    assert "secret" not in result.stderr


def test_json_lists_and_whole_number_floats_import_as_a_csv_would(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "lists.json"
    catalog.write_text(
        '[{"title": "Sales ops", "type": "course", "url": "https://s.example/1",'
        ' "domains": ["Sales", "Продажи", "C++", "C#"], "duration_minutes": 45.0}]'
    )
    result = trainbot("catalog", "import", str(catalog), database_url=database_url, cwd=tmp_path)
    assert result.stdout.strip() == "1 created, 0 updated, 0 rejected", result.stdout
    with engine.connect() as conn:
        names = sorted(conn.scalars(select(Domain.name)))
        minutes = conn.scalar(select(TrainingResource.duration_minutes))
    assert names == ["C#", "C++", "Sales", "Продажи"]
    assert minutes == 45
