"""How recommendations are ranked: plain data in, an ordered list with reasons out.

Every signal is something the workspace already holds (completions, enrollments, the
library's domains, skills and levels). Each adds points to a candidate; the signal that
added the most is the reason shown, named concretely ("Because you completed *Pro Git*").
Nothing here touches the database or Slack: the signals are gathered elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.enums import Difficulty

LEVELS = (Difficulty.BEGINNER.value, Difficulty.INTERMEDIATE.value, Difficulty.ADVANCED.value)

# Points per signal. Tuned with bench/recommend; people who learn alike predict best.
W_ALSO_COMPLETED = 3.0  # share of the people who completed one of yours who did this too
W_GROUP = 2.0  # share of the people in one of your groups or channels who completed it
W_PATH = 2.5  # a step of a path you are on, not reached yet
W_LEVEL = 1.0  # one level above what you finished in the same domain
W_DOMAIN = 0.8  # share of your learning in this domain
W_SKILL = 0.6  # skills in common with what you learned
W_POPULAR = 0.5  # completions in the workspace (log scale against the most completed)
W_NEW = 0.2  # added to the library lately
CONTENT_MAX = 1.0  # domains and skills together: one hint, at most this many points


@dataclass(frozen=True)
class Known:
    """Something this person completed (or is doing): what their taste is read from."""

    resource_id: int
    title: str
    domains: frozenset[str]
    skills: frozenset[str]
    difficulty: str | None
    completed: bool


@dataclass(frozen=True)
class Candidate:
    resource_id: int
    title: str
    type: str
    url: str | None
    domains: frozenset[str]
    skills: frozenset[str]
    difficulty: str | None
    is_new: bool  # added lately


@dataclass(frozen=True)
class Signals:
    """What the workspace knows that speaks for candidates, for one person."""

    known: tuple[Known, ...]
    # candidate -> (title of the person's completion it is most often done with, share)
    also_completed: Mapping[int, tuple[str, float]] = field(default_factory=dict)
    # candidate -> (group or channel label, share of its people who completed it)
    group: Mapping[int, tuple[str, float]] = field(default_factory=dict)
    path_steps: Mapping[int, str] = field(default_factory=dict)  # candidate -> path title
    completions: Mapping[int, int] = field(default_factory=dict)  # in the workspace
    domain_names: Mapping[str, str] = field(default_factory=dict)  # slug -> name


@dataclass(frozen=True)
class Reason:
    """Why, in a few words: `lead`, then a real name (a title, a group), then `tail`."""

    lead: str
    name: str = ""
    tail: str = ""

    @property
    def text(self) -> str:
        return f"{self.lead}{self.name}{self.tail}"


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reason: Reason


def rank(candidates: list[Candidate], signals: Signals, *, limit: int) -> list[Ranked]:
    """The best `limit` candidates, highest score first (ties: lower id, i.e. older)."""
    taste = _Taste.of(signals)
    scored = [_score(c, signals, taste) for c in candidates]
    scored.sort(key=lambda r: (-r[1], r[0].resource_id))
    # "Because you completed X" reads all they learned: only looked for what is shown.
    return [Ranked(c, score, why or _because(c, signals)) for c, score, why in scored[:limit]]


@dataclass(frozen=True)
class _Taste:
    domains: Mapping[str, float]  # share of the person's learning per domain
    skills: Mapping[str, str]  # skill -> a title it came from
    finished_level: Mapping[str, int]  # domain -> highest level completed there
    most_completed: int

    @classmethod
    def of(cls, signals: Signals) -> _Taste:
        domains: dict[str, float] = {}
        skills: dict[str, str] = {}
        levels: dict[str, int] = {}
        for k in signals.known:
            for d in k.domains:
                domains[d] = domains.get(d, 0.0) + (1.0 if k.completed else 0.5)
            for sk in k.skills:
                skills.setdefault(sk, k.title)
            if k.completed and k.difficulty in LEVELS:
                for d in k.domains:
                    levels[d] = max(levels.get(d, -1), LEVELS.index(k.difficulty))
        total = sum(domains.values()) or 1.0
        shares = {d: v / total for d, v in domains.items()}
        most = max(signals.completions.values(), default=0)
        return cls(shares, skills, levels, most)


def _score(c: Candidate, signals: Signals, taste: _Taste) -> tuple[Candidate, float, Reason | None]:
    """The points, and the reason of the signal that gave most (None: content, found later)."""
    parts: list[tuple[float, Reason | None]] = []
    if (also := signals.also_completed.get(c.resource_id)) is not None:
        parts.append(
            (W_ALSO_COMPLETED * also[1], Reason("People who completed ", also[0], " also did"))
        )
    if (group := signals.group.get(c.resource_id)) is not None:
        parts.append((W_GROUP * group[1], Reason("People in ", group[0], " also completed it")))
    if (path := signals.path_steps.get(c.resource_id)) is not None:
        parts.append((W_PATH, Reason("Coming up on your path ", path)))
    parts += _content(c, signals, taste)
    if n := signals.completions.get(c.resource_id, 0):
        share = math.log1p(n) / math.log1p(max(taste.most_completed, 1))
        people = "person" if n == 1 else "people"
        parts.append(
            (W_POPULAR * share, Reason(f"Popular in your workspace ({n} {people} completed it)"))
        )
    if c.is_new:
        parts.append((W_NEW, Reason("New in the library")))
    if not parts:
        return c, 0.0, Reason("Something new to explore")
    best = max(parts, key=lambda p: p[0])
    return c, round(sum(p[0] for p in parts), 6), best[1]


def _content(c: Candidate, signals: Signals, taste: _Taste) -> list[tuple[float, Reason | None]]:
    """Domains and skills in common with what they learned, and the next level up."""
    parts: list[tuple[float, Reason | None]] = []
    for d in sorted(c.domains):
        level = taste.finished_level.get(d)
        if level is not None and c.difficulty in LEVELS and LEVELS.index(c.difficulty) == level + 1:
            name = signals.domain_names.get(d, d)
            parts.append((W_LEVEL, Reason(f"Next level after your {LEVELS[level]} ", name)))
            break
    domain = sum(taste.domains.get(d, 0.0) for d in c.domains)
    shared = sum(1 for sk in c.skills if sk in taste.skills)
    content = min(W_DOMAIN * domain + W_SKILL * min(shared, 3) / 3, CONTENT_MAX)
    if content > 0:
        parts.append((content, None))
    return parts


def _because(c: Candidate, signals: Signals) -> Reason:
    """ "Because you completed *X*": what they learned that is closest to this candidate."""
    best = max(
        signals.known,
        key=lambda k: (len(k.skills & c.skills), len(k.domains & c.domains), k.completed),
        default=None,
    )
    if best is None:  # content points need something learned: not reached
        return Reason("Close to what you learn")
    verb = "completed" if best.completed else "are doing"
    return Reason(f"Because you {verb} ", best.title)
