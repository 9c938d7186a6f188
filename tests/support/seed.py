"""Seeding data the way an import would, but fast enough for 10,000 rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from bot.services.catalog_files import parse_catalog, starter_catalog
from models import (
    Domain,
    Member,
    ResourceAssignment,
    ResourceDomain,
    TrainingResource,
    Workspace,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TYPES = ("article", "video", "pdf", "course", "podcast", "book", "document")


def bulk_resources(
    engine: Engine, count: int, *, workspace_id: int | None = None, domains: int = 0
) -> None:
    """`count` published resources titled "Resource 00001"..., types (and domains) in rotation."""
    rows = [
        {
            "workspace_id": workspace_id,
            "external_id": f"bulk-{i:05d}",
            "title": f"Resource {i:05d} " + "about a long topic " * 5,
            "description": "A generated resource with a long description. " * 8,
            "type": TYPES[i % len(TYPES)],
            "access": "free",
            "url": f"https://example.com/resources/{i}?" + "x" * 200,
            "status": "published",
            "difficulty": "beginner",
            "skills": ["skill"],
            "duration_minutes": 30,
            "search_title": f"resource {i:05d} about a long topic",
            "search_body": "a generated resource with a long description",
            "search_tags": "skill",
            "created_at": T0,
            "updated_at": T0,
        }
        for i in range(1, count + 1)
    ]
    with engine.begin() as conn:
        conn.execute(insert(TrainingResource), rows)
        if domains:
            names = [{"slug": f"domain-{d:03d}", "name": f"Domain {d:03d}"} for d in range(domains)]
            conn.execute(insert(Domain), names)
            ids = {slug: id_ for slug, id_ in conn.execute(select(Domain.slug, Domain.id))}
            resources = conn.execute(select(TrainingResource.id, TrainingResource.external_id))
            links = [
                {"resource_id": rid, "domain_id": ids[f"domain-{int(ext[5:]) % domains:03d}"]}
                for rid, ext in resources
                if ext and ext.startswith("bulk-")
            ]
            conn.execute(insert(ResourceDomain), links)


def load_starter(app: Any) -> int:
    """The shipped starter catalog in the shared library, as `catalog import --starter` does."""
    rows = parse_catalog(*starter_catalog())
    app.services.catalog.import_rows(rows=rows, workspace_id=None)
    return len(rows)


def assignment_for(engine: Engine, *, team_id: str, user_id: str, resource_id: int) -> None:
    """An open assignment (the /assign flow comes later; history must survive removal)."""
    with engine.begin() as conn:
        ws = conn.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
        member = conn.scalar(
            select(Member.id).where(Member.workspace_id == ws, Member.slack_user_id == user_id)
        )
        conn.execute(
            insert(ResourceAssignment).values(
                workspace_id=ws,
                resource_id=resource_id,
                member_id=member,
                status="assigned",
                progress=0,
                priority="normal",
                note="",
                assigned_at=T0,
                updated_at=T0,
            )
        )
