"""The signals recommendations are ranked from, read in a few aggregate queries.

All of it is data the workspace already holds: assignments (completed and open), path
enrollments and their keep-enrolled rules (who is in which user group or channel, as far
as Trainbot knows), "Not for me", and the library's domains, skills and levels. Nothing is
asked of Slack, so Home is not held up by it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session

from bot.services.library import visible_to
from bot.services.recommend_people import PER_SIGNAL, Who, alike, by_resource, groups
from models import (
    Domain,
    EnrollmentStep,
    Member,
    PathEnrollment,
    RecommendationDismissal,
    ResourceAssignment,
    ResourceDomain,
    TrainingResource,
)
from models.enums import ResourceStatus, StepState
from models.recommend_rules import Candidate, Known, Signals

KNOWN_READ = 40  # the person's latest completions and open work read for their taste
POPULAR_READ = 300  # the workspace's most completed, before what this person has is removed
NEW_FOR = timedelta(days=30)
CROWD = 0.25  # completed by this share of the workspace: too common to tell tastes apart
SOURCES_READ = 20  # of their latest completions, how many find people who learn alike


@dataclass(frozen=True)
class Person:
    workspace_id: int
    member_id: int


def taken(p: Person) -> Select[int]:
    """Resources this person may not be recommended: done, assigned, on, or dismissed."""
    a, e, d = ResourceAssignment, PathEnrollment, RecommendationDismissal
    ids = union_all(
        select(a.resource_id).where(
            a.workspace_id == p.workspace_id, a.member_id == p.member_id, a.cancelled_at.is_(None)
        ),
        select(e.path_id).where(
            e.workspace_id == p.workspace_id, e.member_id == p.member_id, e.cancelled_at.is_(None)
        ),
        select(d.resource_id).where(d.workspace_id == p.workspace_id, d.member_id == p.member_id),
    ).subquery()
    return select(ids.c[0])


def offered(p: Person) -> list[ColumnElement[bool]]:
    """What may be recommended at all: published, visible here, not taken."""
    r = TrainingResource
    return [visible_to(p.workspace_id), r.status == ResourceStatus.PUBLISHED.value,
            r.id.not_in(taken(p))]  # fmt: skip


def gather(
    s: Session, p: Person, *, now: datetime, popular: dict[int, int]
) -> tuple[list[Candidate], Signals]:
    """Candidates and what speaks for them; `popular` is `most_completed`, maybe cached."""
    known = _known(s, p)
    a = ResourceAssignment
    completed = frozenset(s.scalars(select(a.resource_id).where(
        a.workspace_id == p.workspace_id, a.member_id == p.member_id,
        a.completed_at.is_not(None))))  # fmt: skip
    # What a quarter of the workspace completed says little about taste (and is the
    # costliest to follow): people who learn alike are found from the rest, if any.
    latest = tuple(k.resource_id for k in known if k.completed)
    crowd = CROWD * (
        s.scalar(select(func.count()).where(Member.workspace_id == p.workspace_id)) or 0
    )
    telling = tuple(rid for rid in latest if popular.get(rid, 0) < crowd)
    latest = (telling or latest)[:SOURCES_READ]
    who = Who(p.workspace_id, p.member_id, completed, latest, frozenset(s.scalars(taken(p))))
    also = alike(s, who)
    group = groups(s, who)
    steps = _path_steps(s, p)
    liked = [rid for rid in popular if rid not in who.taken][:PER_SIGNAL]
    ids = set(also) | set(group) | set(steps) | set(liked) | set(_alike(s, p, known))
    candidates = _candidates(s, p, ids - who.taken, now=now)
    # The most completed are counted already; the others' counts are small and quick.
    rest = [c.resource_id for c in candidates if c.resource_id not in popular]
    completions = {c.resource_id: popular[c.resource_id] for c in candidates
                   if c.resource_id in popular}  # fmt: skip
    completions.update(s.execute(_completion_counts(p, rest)).all() if rest else ())
    names = dict(s.execute(select(Domain.slug, Domain.name)).all())
    signals = Signals(tuple(known), also, group, steps, completions, names)
    return candidates, signals


def _domains_of(s: Session, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = s.execute(
        select(ResourceDomain.resource_id, Domain.slug)
        .join(Domain, Domain.id == ResourceDomain.domain_id)
        .where(ResourceDomain.resource_id.in_(list(ids)))
    )
    for resource_id, slug in rows:
        found[resource_id].add(slug)
    return {k: frozenset(v) for k, v in found.items()}


def _known(s: Session, p: Person) -> list[Known]:
    """Their latest completions first, then what they are doing (paths they are on too)."""
    a, e, r = ResourceAssignment, PathEnrollment, TrainingResource
    mine = select(
        a.resource_id.label("rid"), a.completed_at.label("done"), a.assigned_at.label("at")
    ).where(a.workspace_id == p.workspace_id, a.member_id == p.member_id, a.cancelled_at.is_(None))
    paths = select(e.path_id, e.completed_at, e.enrolled_at).where(
        e.workspace_id == p.workspace_id, e.member_id == p.member_id, e.cancelled_at.is_(None)
    )
    both = union_all(mine, paths).subquery()  # fmt: skip
    rows = s.execute(
        select(r.id, r.title, r.skills, r.difficulty, both.c.done)
        .join(both, both.c.rid == r.id)
        .order_by(both.c.done.is_(None), both.c.done.desc(), both.c.at.desc(), r.id)
        .limit(KNOWN_READ)
    ).all()
    domains = _domains_of(s, [row[0] for row in rows])
    return [Known(rid, title, domains.get(rid, frozenset()), frozenset(skills or ()), level,
                  done is not None) for rid, title, skills, level, done in rows]  # fmt: skip


def _path_steps(s: Session, p: Person) -> dict[int, str]:
    """Steps not reached yet on the paths they are on (title of the path)."""
    e, st, r = PathEnrollment, EnrollmentStep, TrainingResource
    rows = s.execute(
        select(st.resource_id, r.title)
        .join(e, e.id == st.enrollment_id)
        .join(r, r.id == e.path_id)
        .where(e.workspace_id == p.workspace_id, e.member_id == p.member_id,
               e.completed_at.is_(None), e.cancelled_at.is_(None),
               st.state == StepState.LOCKED.value)
        .order_by(st.position)
    )  # fmt: skip
    return {rid: title for rid, title in rows}


def _completion_counts(p: Person, ids: list[int] | None) -> Select[int, int]:
    a = ResourceAssignment
    if ids is None:
        q = select(a.resource_id, func.count()).where(a.workspace_id == p.workspace_id)
    else:
        q = select(a.resource_id, func.count()).where(
            a.resource_id.in_(ids), by_resource(a.workspace_id, p.workspace_id)
        )
    q = q.where(a.completed_at.is_not(None))
    return q.group_by(a.resource_id)


def most_completed(s: Session, workspace_id: int) -> dict[int, int]:
    """The workspace's most completed resources and their completions, most first (the
    same for everyone: the service keeps it a few minutes)."""
    counted = _completion_counts(Person(workspace_id, 0), None)
    ordered = counted.order_by(func.count().desc(), ResourceAssignment.resource_id)
    return {rid: n for rid, n in s.execute(ordered.limit(POPULAR_READ)).all()}


def _alike(s: Session, p: Person, known: list[Known]) -> list[int]:
    """Library items in the domains they learn most in, newest first."""
    weight: dict[str, float] = defaultdict(float)
    for k in known:
        for d in k.domains:
            weight[d] += 1.0
    top = sorted(weight, key=lambda d: -weight[d])[:3]
    if not top:
        return []
    r, rd = TrainingResource, ResourceDomain
    return list(s.scalars(
        select(r.id).join(rd, rd.resource_id == r.id).join(Domain, Domain.id == rd.domain_id)
        .where(Domain.slug.in_(top), *offered(p)).distinct()
        .order_by(r.id.desc()).limit(PER_SIGNAL)))  # fmt: skip


def _candidates(s: Session, p: Person, ids: set[int], *, now: datetime) -> list[Candidate]:
    if not ids:
        return []
    r = TrainingResource
    rows = s.execute(
        select(r.id, r.title, r.type, r.url, r.skills, r.difficulty, r.created_at).where(
            r.id.in_(sorted(ids)),
            visible_to(p.workspace_id),
            r.status == ResourceStatus.PUBLISHED.value,
        )
    ).all()
    domains = _domains_of(s, [row[0] for row in rows])
    return [Candidate(rid, title, kind, url, domains.get(rid, frozenset()),
                      frozenset(skills or ()), level, created >= now - NEW_FOR)
            for rid, title, kind, url, skills, level, created in rows]  # fmt: skip
