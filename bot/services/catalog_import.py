"""Importing a catalog: plain rows first, then courses, then paths (which may name courses).

Every row stands or falls on its own, in a savepoint: a bad reference rejects its course
or path (with where in the file and why) while the rest imports. Re-importing the same
file changes nothing: an unchanged structure is not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from bot.services.catalog_rows import ImportResult, ImportRow, Ref, fill, match
from bot.services.course_structure import outline, recount, write_structure
from bot.services.library import visible_to
from bot.services.path_structure import write_path
from bot.services.quiz_bank import write_quiz
from models import TrainingResource
from models.structure import (
    ItemSpec,
    SectionSpec,
    StepSpec,
    course_problems,
    path_problems,
)


class _Rejected(Exception):
    pass


def import_catalog(
    s: Session, rows: Iterable[ImportRow], workspace_id: int | None, now: datetime, tz: str
) -> ImportResult:
    ordered = sorted(rows, key=lambda r: 0 if not r.structured else (1 if r.sections else 2))
    created = updated = 0
    rejected: list[tuple[int, str]] = []
    keys: dict[str, int] = {}  # "ext:<id>" / "url:<url>" -> resource id, for this file
    for row in ordered:
        if row.fields is None:
            rejected.append((row.line, "; ".join(row.errors)))
            continue
        try:
            with s.begin_nested():
                existing = match(s, workspace_id, row.fields)
                target = existing or TrainingResource(workspace_id=workspace_id, created_at=now)
                structure = _resolved(s, row, workspace_id, keys, target.id)
                fill(s, target, row.fields, now)
                if row.certificate is not None:
                    target.certificate = row.certificate.issue
                    target.certificate_months = row.certificate.months
                s.add(target)
                s.flush()
                _write(s, row, target.id, structure, now, tz)
        except _Rejected as problem:
            rejected.append((row.line, f"{_name(row)}: {problem}"))
            continue
        except (IntegrityError, DataError) as error:
            reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            rejected.append((row.line, f"the database refused it: {reason}"))
            continue
        if row.fields.external_id:
            keys[f"ext:{row.fields.external_id}"] = target.id
        if row.fields.url:
            keys[f"url:{row.fields.url}"] = target.id
        created += existing is None
        updated += existing is not None
    return ImportResult(created=created, updated=updated, rejected=tuple(sorted(rejected)))


def _name(row: ImportRow) -> str:
    kind = "course" if row.sections is not None else "path"
    return f'{kind} "{row.fields.title}"' if row.fields else kind


Structure = tuple[SectionSpec, ...] | tuple[StepSpec, ...] | None


def _resolved(
    s: Session, row: ImportRow, workspace_id: int | None, keys: dict[str, int], own_id: int | None
) -> Structure:
    """The row's course sections or path steps with resource ids, checked; or _Rejected."""
    if not row.structured:
        return None
    refs = [ref for sec in row.sections or () for ref in sec.items] + list(row.steps or ())
    ids = {ref.where: _find(s, ref, workspace_id, keys) for ref in refs}
    kinds = dict(s.execute(select(TrainingResource.id, TrainingResource.type).where(
        TrainingResource.id.in_([i for i in ids.values() if i]))).all())  # fmt: skip
    titles = dict(s.execute(select(TrainingResource.id, TrainingResource.title).where(
        TrainingResource.id.in_(list(kinds)))).all())  # fmt: skip
    if row.sections is not None:
        sections = tuple(
            SectionSpec(
                sec.title, tuple(ItemSpec(ids[r.where] or 0, r.optional) for r in sec.items)
            )
            for sec in row.sections
        )
        problems = course_problems(own_id, sections, kinds, titles)
        if problems:
            raise _Rejected("; ".join(problems))
        return sections
    steps = tuple(StepSpec(ids[r.where] or 0, r.due_days) for r in row.steps or ())
    problems = path_problems(own_id, steps, kinds, titles)
    if problems:
        raise _Rejected("; ".join(problems))
    return steps


def _find(s: Session, ref: Ref, workspace_id: int | None, keys: dict[str, int]) -> int | None:
    """The resource a reference names: in this file, else in the library; or _Rejected."""
    key = f"ext:{ref.external_id}" if ref.external_id else f"url:{ref.url}"
    if key in keys:
        return keys[key]
    r = TrainingResource
    scope = r.workspace_id.is_(None) if workspace_id is None else visible_to(workspace_id)
    column = r.external_id if ref.external_id else r.url
    found = s.scalars(
        select(r.id)
        .where(scope, column == (ref.external_id or ref.url))
        .order_by(r.workspace_id.is_(None), r.id)  # the workspace's own first
        .limit(1)
    ).first()
    if found is None:
        what = f'external_id "{ref.external_id}"' if ref.external_id else f'url "{ref.url}"'
        raise _Rejected(f"{ref.where}: no resource with {what} in the file or the library")
    return found


def _write(
    s: Session, row: ImportRow, resource_id: int, structure: Structure, now: datetime, tz: str
) -> None:
    if row.sections is not None:
        sections = tuple(x for x in structure or () if isinstance(x, SectionSpec))
        changed = write_structure(s, resource_id, sections, now, tz, recount_after=False)
        stored = outline(s, resource_id).sections
        for given, section in zip(row.sections, stored, strict=True):
            if given.quiz is not None:  # (a section without one in the file keeps its own)
                changed |= write_quiz(s, given.quiz, now, section_id=section.id)
        if changed:  # progress from the items and quizzes as they now are, all written
            recount(s, resource_id, now, tz)
    elif row.steps is not None:
        steps = tuple(x for x in structure or () if isinstance(x, StepSpec))
        write_path(s, resource_id, role=row.role, due_days=row.due_days, steps=steps)
    if row.quiz is not None:
        write_quiz(s, row.quiz, now, resource_id=resource_id)
