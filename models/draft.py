"""A course or path being built in a modal, kept between clicks until it is saved.

A modal's private_metadata holds 3,000 characters: a course of 20 sections x 15 items
does not fit, so the structure lives here and the modal carries only the draft's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class BuilderDraft(Base):
    __tablename__ = "builder_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # course or path
    # The course or path being edited (None: a new one).
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE")
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
