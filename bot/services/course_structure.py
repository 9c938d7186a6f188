"""A course's sections and items: reading them, writing them, and what an edit does to the
people taking the course (inside the caller's transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, aliased

from bot.services.completion import complete
from bot.services.path_progress import IDS_PER_QUERY
from models import (
    CourseItemDone,
    CourseSection,
    CourseSectionItem,
    Quiz,
    QuizAttempt,
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
    quiz_id: int | None = None  # checked off by passing its quiz, not by Done


@dataclass(frozen=True)
class OutlineSection:
    title: str
    items: tuple[OutlineItem, ...]
    id: int = 0
    quiz_id: int | None = None  # the section's quiz: passing it counts like a required item


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

    @property
    def quizzes(self) -> frozenset[int]:
        """The sections' quizzes: each one counts like a required item."""
        return frozenset(sec.quiz_id for sec in self.sections if sec.quiz_id is not None)

    def progress(self, done: frozenset[int] | set[int], passed: frozenset[int] | set[int]) -> int:
        """Progress from required items done and section quizzes passed: never 100 until
        the course is complete."""
        units = len(self.required) + len(self.quizzes)
        if not units:
            return 0
        got = len(self.required & done) + len(self.quizzes & passed)
        return min(99, round(100 * got / units))

    def complete(self, done: frozenset[int] | set[int], passed: frozenset[int] | set[int]) -> bool:
        return self.required <= done and self.quizzes <= passed

    def specs(self) -> tuple[SectionSpec, ...]:
        return tuple(
            SectionSpec(sec.title, tuple(ItemSpec(i.resource_id, i.optional) for i in sec.items),
                        sec.id)
            for sec in self.sections
        )  # fmt: skip


_section_quiz, _item_quiz = aliased(Quiz), aliased(Quiz)


def outline(s: Session, course_id: int) -> Outline:
    """The course's sections and items in order, with their quizzes (one statement)."""
    rows = s.execute(
        select(CourseSection.id, CourseSection.title, _section_quiz.id,
               CourseSectionItem.optional, TrainingResource.id, TrainingResource.title,
               TrainingResource.url, TrainingResource.type, TrainingResource.duration_minutes,
               _item_quiz.id)
        .outerjoin(_section_quiz, _section_quiz.section_id == CourseSection.id)
        .outerjoin(CourseSectionItem, CourseSectionItem.section_id == CourseSection.id)
        .outerjoin(TrainingResource, TrainingResource.id == CourseSectionItem.resource_id)
        .outerjoin(_item_quiz, _item_quiz.resource_id == TrainingResource.id)
        .where(CourseSection.course_id == course_id)
        .order_by(CourseSection.position, CourseSectionItem.position)
    ).all()  # fmt: skip
    sections: dict[int, tuple[str, int | None, list[OutlineItem]]] = {}
    for sid, title, section_quiz, optional, rid, item_title, url, kind, minutes, quiz in rows:
        _, _, items = sections.setdefault(sid, (title, section_quiz, []))
        if rid is not None:
            items.append(OutlineItem(rid, item_title, url, kind, minutes, bool(optional), quiz))
    return Outline(
        course_id,
        tuple(OutlineSection(title, tuple(items), sid, quiz)
              for sid, (title, quiz, items) in sections.items()),
    )  # fmt: skip


def passed_quizzes(
    s: Session, assignment_ids: Sequence[int], quiz_ids: frozenset[int]
) -> dict[int, set[int]]:
    """Per assignment, which of these quizzes it has a passed attempt of (one statement)."""
    passed: dict[int, set[int]] = defaultdict(set)
    if not quiz_ids or not assignment_ids:
        return passed
    q = QuizAttempt
    for assignment_id, quiz_id in s.execute(
        select(q.assignment_id, q.quiz_id)
        .where(q.assignment_id.in_(assignment_ids), q.quiz_id.in_(quiz_ids), q.passed.is_(True))
        .distinct()
    ):
        passed[assignment_id].add(quiz_id)
    return passed


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
    s: Session,
    course_id: int,
    sections: Sequence[SectionSpec],
    now: datetime,
    default_tz: str,
    *,
    recount_after: bool = True,
) -> bool:
    """Make the course's structure `sections` (validated already); False when it was so.

    Nothing is rewritten for an unchanged structure (re-importing a file changes nothing).
    Learners' checks are kept per item resource, so moving or re-adding an item keeps them.
    """
    current = outline(s, course_id).specs()
    if current == tuple(sections):
        return False
    rows = _rows_for(current, sections)
    cs, ci = CourseSection, CourseSectionItem
    kept = [row for row in rows if row is not None]
    s.execute(delete(ci).where(ci.course_id == course_id))
    s.execute(delete(cs).where(cs.course_id == course_id, cs.id.not_in(kept or [0])))
    # Out of the way first: (course, position) is unique and kept sections may swap places.
    s.execute(update(cs).where(cs.course_id == course_id).values(position=-cs.id))
    for position, (spec, row_id) in enumerate(zip(sections, rows, strict=True), start=1):
        if row_id is None:
            row_id = s.execute(
                insert(cs).values(course_id=course_id, position=position, title=spec.title)
                .returning(cs.id)
            ).scalar_one()  # fmt: skip
        else:
            s.execute(update(cs).where(cs.id == row_id).values(position=position,
                                                               title=spec.title))  # fmt: skip
        if spec.items:
            s.execute(insert(ci), [
                {"course_id": course_id, "section_id": row_id, "position": n,
                 "resource_id": item.resource_id, "optional": item.optional}
                for n, item in enumerate(spec.items, start=1)
            ])  # fmt: skip
    s.expire_all()
    if recount_after:  # (an import recounts itself once the sections' quizzes are written)
        recount(s, course_id, now, default_tz)
    return True


def _rows_for(current: Sequence[SectionSpec], wanted: Sequence[SectionSpec]) -> list[int | None]:
    """Per wanted section, the stored section row it keeps (and so its quiz), or None for a
    new one: the row it names (the builder), else the first free one of the same title (an
    import names none)."""
    named = {spec.id for spec in wanted} & {spec.id for spec in current} - {None}
    free: dict[str, list[int]] = defaultdict(list)
    for spec in current:
        if spec.id is not None and spec.id not in named:
            free[spec.title].append(spec.id)
    return [
        spec.id if spec.id in named else (free[spec.title].pop(0) if free[spec.title] else None)
        for spec in wanted
    ]


def recount(s: Session, course_id: int, now: datetime, default_tz: str) -> None:
    """After an edit: everyone not yet complete gets progress from the items and section
    quizzes as they are now; whoever has them all is complete (completed people stay so)."""
    course = outline(s, course_id)
    a, d = ResourceAssignment, CourseItemDone
    is_open = (a.completed_at.is_(None), a.cancelled_at.is_(None))
    open_ids = list(s.scalars(select(a.id).where(a.resource_id == course_id, *is_open)))
    done: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(open_ids), IDS_PER_QUERY):
        chunk = open_ids[start : start + IDS_PER_QUERY]
        for assignment_id, resource_id in s.execute(
            select(d.assignment_id, d.resource_id).where(
                d.assignment_id.in_(chunk), d.resource_id.in_(course.required)
            )
        ):
            done[assignment_id].add(resource_id)
        passed.update(passed_quizzes(s, chunk, course.quizzes))
    by_progress: dict[int, list[int]] = defaultdict(list)
    finished: list[int] = []
    for assignment_id in open_ids:
        mine, got = done[assignment_id], passed[assignment_id]
        if course.complete(mine, got) and (course.required or course.quizzes):
            finished.append(assignment_id)
        else:
            by_progress[course.progress(mine, got)].append(assignment_id)
    for progress, ids in by_progress.items():  # at most 100 statements, whatever the count
        s.execute(update(a).where(a.id.in_(ids)).values(progress=progress))
    for assignment_id in finished:
        complete(s, s.get_one(a, assignment_id), actor_id=None, now=now, default_tz=default_tz)
