"""Courses: a resource of type course with ordered sections of ordered items.

A learner's progress through a course is which of its items they marked done, kept per
assignment and item *resource* (not per item row): an item removed and added back, or
moved to another section, keeps its check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.resource import TITLE_MAX

MAX_SECTIONS = 30
MAX_ITEMS_PER_SECTION = 40  # a section's editor lists every item: inside a modal's 100 blocks
MAX_ITEMS = 400


class CourseSection(Base):
    """An ordered section of a course (a resource whose type is course)."""

    __tablename__ = "course_sections"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))

    items: Mapped[list[CourseSectionItem]] = relationship(
        order_by="CourseSectionItem.position", lazy="selectin", cascade="all, delete-orphan"
    )


class CourseSectionItem(Base):
    """An ordered item of a section: another resource, required unless `optional`.

    `course_id` repeats the section's course so the database itself holds the rule that
    a resource appears at most once per course.
    """

    __tablename__ = "course_section_items"
    __table_args__ = (
        UniqueConstraint("section_id", "position"),
        UniqueConstraint("course_id", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("course_sections.id", ondelete="CASCADE"))
    position: Mapped[int]
    # No ON DELETE: content that is part of a course is archived, never deleted under it.
    resource_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"), index=True)
    optional: Mapped[bool] = mapped_column(Boolean, default=False)


class CourseItemDone(Base):
    """One item of a course that a learner marked done, in one assignment of that course."""

    __tablename__ = "course_item_done"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("resource_assignments.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE"), primary_key=True
    )
    done_at: Mapped[datetime]
