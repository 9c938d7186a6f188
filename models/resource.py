"""Training content: resources, their domains, and course structure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.enums import Access, Difficulty, ResourceStatus, ResourceType, sql_in

TITLE_MAX = 150
DESCRIPTION_MAX = 2000
URL_MAX = 2000


class Domain(Base):
    """A subject area ("Sales", "Security"). Names are a shared vocabulary."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))


class ResourceDomain(Base):
    __tablename__ = "resource_domains"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE"), primary_key=True
    )
    domain_id: Mapped[int] = mapped_column(
        ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TrainingResource(Base):
    """One piece of learning content.

    `workspace_id` NULL means the shared library every workspace sees; otherwise the
    resource is that workspace's own content.
    """

    __tablename__ = "training_resources"
    __table_args__ = (
        CheckConstraint(f"type IN ({sql_in(ResourceType)})", name="type"),
        CheckConstraint(f"access IN ({sql_in(Access)})", name="access"),
        CheckConstraint(f"status IN ({sql_in(ResourceStatus)})", name="status"),
        CheckConstraint(
            f"difficulty IS NULL OR difficulty IN ({sql_in(Difficulty)})", name="difficulty"
        ),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration"),
        CheckConstraint(
            "certificate_months IS NULL OR (certificate_months >= 1 AND certificate_months <= 120)",
            name="certificate_months",
        ),
        # NULLs never collide in a UNIQUE constraint, so the shared library needs its own index.
        Index(
            "uq_training_resources_shared_external_id",
            "external_id",
            unique=True,
            sqlite_where=text("workspace_id IS NULL"),
            postgresql_where=text("workspace_id IS NULL"),
        ),
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_training_resources_workspace_id_status", "workspace_id", "status"),
        Index("ix_training_resources_search_title", "search_title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    external_id: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(16))
    access: Mapped[str] = mapped_column(String(16), default=Access.FREE.value)
    url: Mapped[str | None] = mapped_column(String(URL_MAX), index=True)
    file_id: Mapped[str | None] = mapped_column(String(32))
    thumbnail: Mapped[str | None] = mapped_column(String(URL_MAX))
    partner: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=ResourceStatus.PUBLISHED.value)
    difficulty: Mapped[str | None] = mapped_column(String(16))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # A certificate on completion: None follows the type (courses and paths yes, the
    # rest no); `certificate_months` makes it expire (compliance training), None never.
    certificate: Mapped[bool | None]
    certificate_months: Mapped[int | None]
    # The words the full-text index holds (models/search.py folds them; migration 0014
    # builds the index over them: FTS5 on SQLite, a generated tsvector on PostgreSQL).
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_tags: Mapped[str] = mapped_column(Text, default="")  # skills, domains, partner
    search_body: Mapped[str] = mapped_column(Text, default="")  # the description
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    domains: Mapped[list[Domain]] = relationship(
        secondary="resource_domains", order_by=Domain.name, lazy="selectin"
    )
