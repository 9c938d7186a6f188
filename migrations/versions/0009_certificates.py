"""certificates, and what a resource says about them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Reviewed by hand:
- certificates: one per completion (`source`, unique), with an unguessable `code`
  (unique), what it says as issued, expiry, revocation, and the upload's file ids
  (recorded before sharing, so a retried delivery finds them);
- training_resources gains `certificate` (NULL: as the type says) and
  `certificate_months` (NULL: never expires; 1 to 120), with a CHECK. Nothing existing is
  rewritten: every row keeps NULL, the type's default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MONTHS = "certificate_months IS NULL OR (certificate_months >= 1 AND certificate_months <= 120)"


def _stamp(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("person_name", sa.String(length=255), nullable=False),
        sa.Column("training_title", sa.String(length=150), nullable=False),
        sa.Column("workspace_name", sa.String(length=255), nullable=False),
        _stamp("completed_at"),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        _stamp("issued_at"),
        _stamp("revoked_at", nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.Column("revoked_by", sa.String(length=255), nullable=False),
        sa.Column("pdf_file_id", sa.String(length=32), nullable=True),
        sa.Column("png_file_id", sa.String(length=32), nullable=True),
        _stamp("delivered_at", nullable=True),
        _stamp("renewal_assigned_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_certificates_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["training_resources.id"],
            name=op.f("fk_certificates_resource_id_training_resources"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_certificates_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("source", name=op.f("uq_certificates_source")),
    )  # fmt: skip
    op.create_index(
        "ix_certificates_member_id_resource_id", "certificates", ["member_id", "resource_id"]
    )
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.add_column(sa.Column("certificate", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("certificate_months", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("certificate_months", MONTHS)


def downgrade() -> None:
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_resources_certificate_months"), type_="check")
        batch_op.drop_column("certificate_months")
        batch_op.drop_column("certificate")
    op.drop_table("certificates")
