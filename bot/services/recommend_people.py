"""The collaborative signals: people who learn alike, and the person's groups and channels.

"People who learn alike" are the few dozen who completed the most of what this person
completed (one aggregate over the completions of their own items, indexed by resource),
and what they completed besides is counted, each of them weighted by how much they share.
Reading neighbours first keeps the work per Home small however large the workspace: it
grows with what this person did, not with the library or the number of people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from models import EnrollmentRule, PathEnrollment, ResourceAssignment, TrainingResource

NEIGHBOURS = 25  # people who learn most alike, read per person
GROUPS_READ = 5  # groups and channels (keep-enrolled rules) read per person
PER_SIGNAL = 100  # candidates each signal may put forward


def by_resource(column: SQLColumnExpression[int], workspace_id: int) -> ColumnElement[bool]:
    """`column == workspace_id`, written so that no index is used for it.

    With a list of resource ids in the same WHERE, SQLite (no statistics) would otherwise
    walk the workspace's (workspace_id, member_id) index: every assignment of the
    workspace (200,000 in bench) instead of the few thousand of those resources.
    """
    return func.coalesce(column, 0) == workspace_id


@dataclass(frozen=True)
class Who:
    workspace_id: int
    member_id: int
    completed: frozenset[int]
    latest: tuple[int, ...]  # their latest completions: who learns alike is found from these
    taken: frozenset[int]  # done, assigned, on, or dismissed: never put forward


def alike(s: Session, p: Who) -> dict[int, tuple[str, float]]:
    """candidate -> (title of their completion that links them most, weighted share)."""
    a = ResourceAssignment
    shared = func.count()
    neighbours = dict(s.execute(
        select(a.member_id, shared)
        .where(a.resource_id.in_(p.latest),
               by_resource(a.workspace_id, p.workspace_id),
               a.completed_at.is_not(None), a.member_id != p.member_id)
        .group_by(a.member_id).order_by(shared.desc(), a.member_id).limit(NEIGHBOURS)
    ).all()) if p.latest else {}  # fmt: skip
    if not neighbours:
        return {}
    rows = s.execute(
        select(a.member_id, a.resource_id).where(
            a.workspace_id == p.workspace_id, a.completed_at.is_not(None),
            a.member_id.in_(list(neighbours)))
    ).all()  # fmt: skip
    theirs: dict[int, set[int]] = defaultdict(set)
    for member_id, resource_id in rows:
        theirs[member_id].add(resource_id)
    weight: dict[int, float] = defaultdict(float)
    for member_id, done in theirs.items():
        for rid in done - p.taken:
            weight[rid] += neighbours[member_id]
    total = sum(neighbours.values())
    top = sorted(weight, key=lambda rid: (-weight[rid], rid))[:PER_SIGNAL]
    links: dict[int, Counter[int]] = defaultdict(Counter)  # what of theirs links them most
    for done in theirs.values():
        common = done & p.completed
        for rid in done.intersection(top):
            links[rid].update(common)
    link = {rid: min(links[rid].items(), key=lambda kv: (-kv[1], kv[0]))[0] for rid in top}
    titles = dict(s.execute(
        select(TrainingResource.id, TrainingResource.title)
        .where(TrainingResource.id.in_(set(link.values())))).all())  # fmt: skip
    return {rid: (titles.get(link[rid], ""), min(2 * weight[rid] / total, 1.0)) for rid in top}


def groups(s: Session, p: Who) -> dict[int, tuple[str, float]]:
    """Groups and channels kept enrolled on a path they are on: what those people completed.

    Trainbot knows who is in a user group or channel through the paths kept enrolled for
    it (the people on that path); Slack is not asked while Home is drawn.
    """
    rule, e, a = EnrollmentRule, PathEnrollment, ResourceAssignment
    mine = select(e.path_id).where(
        e.workspace_id == p.workspace_id, e.member_id == p.member_id, e.cancelled_at.is_(None)
    )
    rules = s.execute(
        select(rule.path_id, rule.source_label)
        .where(rule.workspace_id == p.workspace_id, rule.active, rule.path_id.in_(mine))
        .order_by(rule.id)
        .limit(GROUPS_READ)
    ).all()
    found: dict[int, tuple[str, float]] = {}
    for path_id, label in rules:
        peers = select(e.member_id).where(
            e.path_id == path_id, e.cancelled_at.is_(None), e.member_id != p.member_id
        )
        size = s.scalar(select(func.count()).select_from(peers.subquery())) or 0
        people = func.count(a.member_id.distinct())
        done = s.execute(
            select(a.resource_id, people)
            .where(a.workspace_id == p.workspace_id, a.completed_at.is_not(None),
                   a.member_id.in_(peers))
            .group_by(a.resource_id).order_by(people.desc(), a.resource_id)
        ).all()  # fmt: skip
        kept = [(rid, n) for rid, n in done if rid not in p.taken][:PER_SIGNAL]
        for rid, n in kept:
            if size and n / size > found.get(rid, ("", 0.0))[1]:
                found[rid] = (label, n / size)
    return found
