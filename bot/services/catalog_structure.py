"""Courses and paths in a JSON catalog: their sections, items and steps, read into rows.

A course is `{"type": "course", "sections": [{"title": ..., "items": [...], "quiz": {...}}]}`
(a section's quiz is optional, see catalog_quiz); a path is
`{"type": "path", "role": ..., "due_days": N, "steps": [{"ref": ..., "due_days": N}]}`.
An item or step is `{"ref": "<external_id>"}` (a resource in the file or in the library,
with `"optional": true` for an optional item) or a whole resource object, imported like
any other row and keyed on its external_id, else its url.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.services.catalog_quiz import parse_quiz
from bot.services.catalog_rows import ImportRow, Ref, SectionRefs
from models.path import MAX_DUE_DAYS, ROLE_MAX

STRUCTURE_KEYS = {"sections", "steps", "role", "due_days"}
REF_KEYS = {"ref", "optional", "due_days"}

Validate = Callable[[int, Mapping[str, Any], bool], ImportRow]


def structured_rows(line: int, raw: Mapping[str, Any], validate: Validate) -> list[ImportRow]:
    """The rows one course or path object makes: its inline resources, then itself."""
    kind = str(raw.get("type") or "").strip().lower()
    fields = {k: v for k, v in raw.items() if k not in STRUCTURE_KEYS | {"quiz"}}
    inline: list[ImportRow] = []
    problems: list[str] = []
    if "quiz" in raw:  # (it would complete the course without its sections)
        problems.append("quiz: a course's quizzes go on its sections, a path's on its steps")
    if kind == "course":
        sections = _sections(line, raw.get("sections"), validate, inline, problems)
        row = validate(line, fields, True)
        row = _with(row, problems, sections=sections)
    elif kind == "path":
        steps = _refs(line, raw.get("steps"), "step", validate, inline, problems, steps=True)
        role = str(raw.get("role") or "").strip()
        if len(role) > ROLE_MAX:
            problems.append(f"role: keep it under {ROLE_MAX} characters")
        due_days = _days(raw.get("due_days"), "due_days", problems)
        row = validate(line, fields, True)
        row = _with(row, problems, steps=tuple(steps), role=role, due_days=due_days)
    else:
        keys = ", ".join(sorted(STRUCTURE_KEYS & set(raw)))
        return [ImportRow(line, None, (f"{keys}: only a course or a path has them",))]
    return [*inline, row]


def _with(row: ImportRow, problems: list[str], **structure: Any) -> ImportRow:
    errors = (*row.errors, *problems)
    return ImportRow(row.line, None if errors else row.fields, errors,
                     certificate=row.certificate, **structure)  # fmt: skip


def _sections(
    line: int, raw: Any, validate: Validate, inline: list[ImportRow], problems: list[str]
) -> tuple[SectionRefs, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("sections: a course needs a list of sections, each with items")
        return ()
    sections: list[SectionRefs] = []
    for number, section in enumerate(raw, start=1):
        if not isinstance(section, dict):
            problems.append(f"section {number}: must be an object with a title and items")
            continue
        title = " ".join(str(section.get("title") or "").split())
        items = _refs(line, section.get("items"), f"section {number}, item", validate, inline,
                      problems)  # fmt: skip
        quiz = None
        if section.get("quiz") is not None:
            quiz, wrong = parse_quiz(section["quiz"])
            problems.extend(f"section {number}, {problem}" for problem in wrong)
        sections.append(SectionRefs(title, tuple(items), quiz))
    return tuple(sections)


def _refs(
    line: int,
    raw: Any,
    label: str,
    validate: Validate,
    inline: list[ImportRow],
    problems: list[str],
    *,
    steps: bool = False,
) -> list[Ref]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{label.split(',')[0]}: a list is needed, with at least one entry")
        return []
    refs: list[Ref] = []
    for number, entry in enumerate(raw, start=1):
        where = f"{label} {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object")
            continue
        due_days = _days(entry.get("due_days"), f"{where}: due_days", problems) if steps else None
        optional = entry.get("optional") is True
        if "ref" in entry:
            unknown = sorted(set(entry) - REF_KEYS)
            if unknown:
                problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
            refs.append(Ref(where, external_id=str(entry["ref"]), optional=optional,
                            due_days=due_days))  # fmt: skip
            continue
        resource = {k: v for k, v in entry.items() if k not in REF_KEYS}
        row = validate(line, resource, False)
        if row.fields is None:
            problems.append(f"{where}: {'; '.join(row.errors)}")
            continue
        inline.append(row)
        refs.append(Ref(where, external_id=row.fields.external_id, url=row.fields.url,
                        optional=optional, due_days=due_days))  # fmt: skip
    return refs


def _days(raw: Any, label: str, problems: list[str]) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_DUE_DAYS:
        problems.append(f"{label}: a whole number of days, 1 to {MAX_DUE_DAYS}")
        return None
    return raw
