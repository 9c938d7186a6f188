"""Certificates: one per completion of a course, a path or a resource that opts in.

`source` names the completion that issued it ("assignment:<id>" or "enrollment:<id>") and
is unique, so a retried event or a second sender cannot issue it twice. What the PDF says
(name, training, workspace, date) is kept as issued: a later rename changes no certificate.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

CODE_LENGTH = 16  # Crockford base32: 80 bits, shown as four groups of four
REASON_MAX = 500


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_member_id_resource_id", "member_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # No ON DELETE: training with certificates is archived, never deleted under them.
    resource_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"))
    source: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    person_name: Mapped[str] = mapped_column(String(255))
    training_title: Mapped[str] = mapped_column(String(150))
    workspace_name: Mapped[str] = mapped_column(String(255), default="")
    completed_at: Mapped[datetime]
    completed_on: Mapped[date]  # in the person's timezone, as the certificate prints it
    expires_on: Mapped[date | None]
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by: Mapped[str] = mapped_column(String(255), default="")
    # The upload, recorded before it is shared: a retry finds it instead of sending twice.
    pdf_file_id: Mapped[str | None] = mapped_column(String(32))
    png_file_id: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None]
    renewal_assigned_at: Mapped[datetime | None]  # the training assigned again before expiry
