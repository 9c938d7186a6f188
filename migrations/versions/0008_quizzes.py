"""quizzes on resources and course sections, and learners' attempts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Reviewed by hand:
- training_resources.type admits 'quiz' (a quiz of its own, no link; the CHECK is rebuilt:
  a table copy on SQLite);
- quizzes: on one resource or one course section (a CHECK), its settings; removing the
  quiz or its section detaches it (both NULL, ON DELETE SET NULL), so attempts are kept;
- quiz_questions: the bank; a question taken out is marked retired, never deleted, so
  attempts and reports keep naming it;
- quiz_attempts: one open attempt per quiz and assignment (a partial unique index, as for
  assignments), the questions drawn and the answers kept page by page;
- quiz_answers: per submitted attempt and question, right or wrong (what reports count).
Nothing existing is rewritten. SQLite rebuilds training_resources with foreign keys off
(bot.db.upgrade) so that what refers to it is neither refused nor cascaded. Downgrade drops
the new tables and deletes resources of type quiz (it fails while any is assigned).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TYPES_BEFORE = "'article', 'video', 'pdf', 'course', 'podcast', 'book', 'document', 'path'"
TYPES_AFTER = TYPES_BEFORE + ", 'quiz'"
OPEN = "submitted_at IS NULL"


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _types(allowed: str) -> None:
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_resources_type"), type_="check")
        batch_op.create_check_constraint("type", f"type IN ({allowed})")


def upgrade() -> None:
    _types(TYPES_AFTER)
    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_after_minutes", sa.Integer(), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=True),
        sa.Column("shuffle", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=310), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "resource_id IS NULL OR section_id IS NULL", name=op.f("ck_quizzes_one_target")
        ),
        sa.CheckConstraint("attempts >= 0 AND attempts <= 10", name=op.f("ck_quizzes_attempts")),
        sa.CheckConstraint("draw IS NULL OR draw >= 1", name=op.f("ck_quizzes_draw")),
        sa.CheckConstraint(
            "pass_mark >= 1 AND pass_mark <= 100", name=op.f("ck_quizzes_pass_mark")
        ),
        sa.CheckConstraint("retry_after_minutes >= 0", name=op.f("ck_quizzes_retry_after")),
        _fk("quizzes", "resource_id", "training_resources", "SET NULL"),
        _fk("quizzes", "section_id", "course_sections", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
        sa.UniqueConstraint("resource_id", name=op.f("uq_quizzes_resource_id")),
        sa.UniqueConstraint("section_id", name=op.f("uq_quizzes_section_id")),
    )
    op.create_table(
        "quiz_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("correct", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'true_false')", name=op.f("ck_quiz_questions_kind")
        ),
        _fk("quiz_questions", "quiz_id", "quizzes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_questions")),
    )
    op.create_index("ix_quiz_questions_quiz_id_position", "quiz_questions", ["quiz_id", "position"])
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=310), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("drawn", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_quiz_attempts_score")
        ),
        _fk("quiz_attempts", "assignment_id", "resource_assignments"),
        _fk("quiz_attempts", "member_id", "members"),
        _fk("quiz_attempts", "quiz_id", "quizzes"),
        _fk("quiz_attempts", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
    )
    op.create_index(
        "ix_quiz_attempts_assignment_id_quiz_id", "quiz_attempts", ["assignment_id", "quiz_id"]
    )
    op.create_index(
        "uq_quiz_attempts_open", "quiz_attempts", ["quiz_id", "assignment_id"], unique=True,
        sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN),
    )  # fmt: skip
    op.create_table(
        "quiz_answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("picked", sa.JSON(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        _fk("quiz_answers", "attempt_id", "quiz_attempts"),
        _fk("quiz_answers", "question_id", "quiz_questions"),
        sa.PrimaryKeyConstraint("attempt_id", "question_id", name=op.f("pk_quiz_answers")),
    )
    op.create_index(op.f("ix_quiz_answers_question_id"), "quiz_answers", ["question_id"])


def downgrade() -> None:
    op.drop_table("quiz_answers")
    op.drop_table("quiz_attempts")
    op.drop_table("quiz_questions")
    op.drop_table("quizzes")
    op.execute("DELETE FROM training_resources WHERE type = 'quiz'")
    _types(TYPES_BEFORE)
