"""A course's sections and items: reading them, writing them, and what an edit does to the
people taking the course (inside the caller's transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.services.completion import complete
from bot.services.path_progress import IDS_PER_QUERY
from models import (
    CourseItemDone,
    CourseSection,
    CourseSectionItem,
    ResourceAssignment,
    TrainingResource,
)
from models.structure import ItemSpec, SectionSpec


@dataclass(frozen=True)
class OutlineItem:
    resource_id: int
    title: str
    url: str | None
    type: str
    duration_minutes: int | None
    optional: bool


@dataclass(frozen=True)
class OutlineSection:
    title: str
    items: tuple[OutlineItem, ...]


@dataclass(frozen=True)
class Outline:
    course_id: int
    sections: tuple[OutlineSection, ...]

    @property
    def items(self) -> tuple[OutlineItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def required(self) -> frozenset[int]:
        return frozenset(i.resource_id for i in self.items if not i.optional)

    def specs(self) -> tuple[SectionSpec, ...]:
        return tuple(
            SectionSpec(sec.title, tuple(ItemSpec(i.resource_id, i.optional) for i in sec.items))
            for sec in self.sections
        )


def outline(s: Session, course_id: int) -> Outline:
    """The course's sections and items in order (one statement)."""
    rows = s.execute(
        select(CourseSection.position, CourseSection.title, CourseSectionItem.optional,
               TrainingResource.id, TrainingResource.title, TrainingResource.url,
               TrainingResource.type, TrainingResource.duration_minutes)
        .join(CourseSectionItem, CourseSectionItem.section_id == CourseSection.id, isouter=True)
        .join(TrainingResource, TrainingResource.id == CourseSectionItem.resource_id,
              isouter=True)
        .where(CourseSection.course_id == course_id)
        .order_by(CourseSection.position, CourseSectionItem.position)
    ).all()  # fmt: skip
    sections: dict[int, tuple[str, list[OutlineItem]]] = {}
    for position, title, optional, rid, item_title, url, kind, minutes in rows:
        _, items = sections.setdefault(position, (title, []))
        if rid is not None:
            items.append(OutlineItem(rid, item_title, url, kind, minutes, bool(optional)))
    return Outline(
        course_id,
        tuple(OutlineSection(title, tuple(items)) for title, items in sections.values()),
    )


def has_sections(s: Session, resource_ids: Sequence[int]) -> set[int]:
    """Which of these resources are courses with sections (one statement)."""
    if not resource_ids:
        return set()
    return set(
        s.scalars(
            select(CourseSection.course_id)
            .where(CourseSection.course_id.in_(set(resource_ids)))
            .distinct()
        )
    )


def write_structure(
    s: Session, course_id: int, sections: Sequence[SectionSpec], now: datetime, default_tz: str
) -> bool:
    """Make the course's structure `sections` (validated already); False when it was so.

    Nothing is rewritten for an unchanged structure (re-importing a file changes nothing).
    Learners' checks are kept per item resource, so moving or re-adding an item keeps them.
    """
    if outline(s, course_id).specs() == tuple(sections):
        return False
    s.execute(delete(CourseSection).where(CourseSection.course_id == course_id))
    for position, spec in enumerate(sections, start=1):
        section = CourseSection(course_id=course_id, position=position, title=spec.title)
        section.items = [
            CourseSectionItem(course_id=course_id, position=n, resource_id=item.resource_id,
                              optional=item.optional)
            for n, item in enumerate(spec.items, start=1)
        ]  # fmt: skip
        s.add(section)
    s.flush()
    recount(s, course_id, now, default_tz)
    return True


def progress_of(required: frozenset[int], done: set[int] | frozenset[int]) -> int:
    """A course's progress from its required items: never 100 until it is complete."""
    if not required:
        return 0
    return min(99, round(100 * len(required & done) / len(required)))


def recount(s: Session, course_id: int, now: datetime, default_tz: str) -> None:
    """After an edit: everyone not yet complete gets progress from the items as they are
    now; whoever has every required item done is complete (completed people stay so)."""
    required = outline(s, course_id).required
    a, d = ResourceAssignment, CourseItemDone
    is_open = (a.completed_at.is_(None), a.cancelled_at.is_(None))
    open_ids = list(s.scalars(select(a.id).where(a.resource_id == course_id, *is_open)))
    done: dict[int, int] = defaultdict(int)
    for start in range(0, len(open_ids), IDS_PER_QUERY):
        chunk = open_ids[start : start + IDS_PER_QUERY]
        for assignment_id, n in s.execute(
            select(d.assignment_id, func.count())
            .where(d.assignment_id.in_(chunk), d.resource_id.in_(required))
            .group_by(d.assignment_id)
        ):
            done[assignment_id] = n
    by_progress: dict[int, list[int]] = defaultdict(list)
    finished: list[int] = []
    for assignment_id in open_ids:
        n = done[assignment_id]
        if required and n == len(required):
            finished.append(assignment_id)
        else:
            by_progress[min(99, round(100 * n / len(required))) if required else 0].append(
                assignment_id
            )
    for progress, ids in by_progress.items():  # at most 100 statements, whatever the count
        s.execute(update(a).where(a.id.in_(ids)).values(progress=progress))
    for assignment_id in finished:
        complete(s, s.get_one(a, assignment_id), actor_id=None, now=now, default_tz=default_tz)
