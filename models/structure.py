"""Pure rules for the structure of courses and paths, shared by the builders and import.

A course is sections of items; a path is steps. Both refer to other resources by id;
`kinds` tells each referred resource's type, so the rules need no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models.course import MAX_ITEMS, MAX_ITEMS_PER_SECTION, MAX_SECTIONS
from models.enums import ResourceType
from models.path import MAX_DUE_DAYS, MAX_STEPS
from models.resource import TITLE_MAX


@dataclass(frozen=True)
class ItemSpec:
    resource_id: int
    optional: bool = False


@dataclass(frozen=True)
class SectionSpec:
    title: str
    items: tuple[ItemSpec, ...]
    # The section row this spec keeps (what is attached to it, a quiz, stays with it); not
    # part of equality: a structure is unchanged when its titles and items are.
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StepSpec:
    resource_id: int
    due_days: int | None = None


def course_problems(
    course_id: int | None,
    sections: Sequence[SectionSpec],
    kinds: Mapping[int, str],
    titles: Mapping[int, str],
) -> list[str]:
    """What is wrong with this structure, in words for the person who built it."""
    problems: list[str] = []
    if not any(section.items for section in sections):
        return ["A course needs at least one section with at least one item."]
    if len(sections) > MAX_SECTIONS:
        problems.append(f"A course has at most {MAX_SECTIONS} sections.")
    seen: set[int] = set()
    for number, section in enumerate(sections, start=1):
        name = f'Section {number} ("{section.title}")' if section.title else f"Section {number}"
        if not section.title.strip():
            problems.append(f"Section {number} needs a title.")
        elif len(section.title) > TITLE_MAX:
            problems.append(f"{name}: keep its title under {TITLE_MAX} characters.")
        if not section.items:
            problems.append(f"{name} is empty: add an item or remove the section.")
        if len(section.items) > MAX_ITEMS_PER_SECTION:
            problems.append(f"{name} has more than {MAX_ITEMS_PER_SECTION} items: split it.")
        for item in section.items:
            title = titles.get(item.resource_id, "That item")
            if item.resource_id == course_id:
                problems.append("A course cannot contain itself.")
            elif kinds.get(item.resource_id) == ResourceType.PATH.value:
                problems.append(f"{title} is a learning path: a course cannot contain a path.")
            elif kinds.get(item.resource_id) == ResourceType.COURSE.value:
                problems.append(f"{title} is a course: add its items instead (no nesting).")
            elif item.resource_id not in kinds:
                problems.append("An item is no longer in the library: remove it.")
            if item.resource_id in seen:
                problems.append(f"{title} appears more than once: an item may appear once.")
            seen.add(item.resource_id)
    if len(seen) > MAX_ITEMS:
        problems.append(f"A course has at most {MAX_ITEMS} items.")
    if seen and all(item.optional for section in sections for item in section.items):
        problems.append("Mark at least one item as required: progress counts required items.")
    return list(dict.fromkeys(problems))


def path_problems(
    path_id: int | None,
    steps: Sequence[StepSpec],
    kinds: Mapping[int, str],
    titles: Mapping[int, str],
) -> list[str]:
    problems: list[str] = []
    if not steps:
        return ["A path needs at least one step."]
    if len(steps) > MAX_STEPS:
        problems.append(f"A path has at most {MAX_STEPS} steps.")
    seen: set[int] = set()
    for number, step in enumerate(steps, start=1):
        title = titles.get(step.resource_id, f"Step {number}")
        if step.resource_id == path_id or kinds.get(step.resource_id) == ResourceType.PATH.value:
            problems.append(f"Step {number} is a path: a path's steps are resources or courses.")
        elif step.resource_id not in kinds:
            problems.append(f"Step {number} is no longer in the library: remove it.")
        if step.resource_id in seen:
            problems.append(f"{title} is a step more than once.")
        seen.add(step.resource_id)
        if step.due_days is not None and not 1 <= step.due_days <= MAX_DUE_DAYS:
            problems.append(f"Step {number}: days to finish must be 1 to {MAX_DUE_DAYS}.")
    return list(dict.fromkeys(problems))
