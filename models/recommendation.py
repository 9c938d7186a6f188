"""Recommendations: what a person said is "Not for me" (hidden from then on), and each
person's list as last computed (what Home reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RecommendationDismissal(Base):
    """One resource (or course, or path) a person never wants recommended again."""

    __tablename__ = "recommendation_dismissals"
    __table_args__ = (
        Index("ix_recommendation_dismissals_workspace_id_member_id", "workspace_id", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    dismissed_at: Mapped[datetime]


class RecommendationList(Base):
    """A person's recommendations as last computed, best first: Home reads these.

    `items` holds, per entry, the resource id, the score and the reason's three parts
    (lead, name, tail); titles and links are read from the library when shown.
    """

    __tablename__ = "recommendation_lists"
    __table_args__ = (Index("ix_recommendation_lists_workspace_id", "workspace_id"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime]
