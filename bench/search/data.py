"""The generated library and what a manager types into the typeahead.

Generated with a fixed seed, row by row: the first 1,000 resources are the same at every
size, so the sizes differ only by how much more library there is. Titles combine a form,
one or two topics and a qualifier (TOPICS and FORMS are assign_scale's), so that a prefix
finds some titles and not others; descriptions are sentences from a pool, a few of them
holding words no title has (DESCRIPTION_ONLY).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from bench.assign_scale.seed_rows import (
    DOMAINS,
    FORMS,
    TOPICS,
    TYPES,
    ownership,
    search_columns,
)

SEED = 15  # issue 15
QUALIFIERS = (
    "", "", "", " for beginners", " for managers", " in practice", " at scale", ": patterns",
    ": common pitfalls", " essentials", " cheat sheet", ": case studies", " from scratch",
    " for small teams", ": the hard parts", " in 30 minutes", " (2026 edition)", " revisited",
    " without the jargon", ", step by step", " for engineers", ": a checklist",
)  # fmt: skip
SENTENCES = (
    "Examples from real teams, exercises and a short quiz at the end.",
    "Written by practitioners who have run this in production for years.",
    "Short chapters you can read between meetings.",
    "Comes with templates you can copy into your own documents.",
    "Covers the vocabulary first, then the decisions that matter.",
    "Recorded at our internal summit and edited for length.",
    "Each module ends with a question to discuss with your manager.",
    "Updated every quarter with feedback from learners.",
)
# Words found in some descriptions and in no title: a typeahead must look past titles.
DESCRIPTION_ONLY = (
    "Includes a whiteboard session and notes for running retrospectives.",
    "Pairs well with the onboarding buddy programme and its retrospectives.",
)

# Query classes, each a list of what is typed; requests cycle through the classes.
QUERIES: dict[str, tuple[str, ...]] = {
    "prefix": (
        "p", "py", "pyt", "pyth", "pytho", "python", "k", "ku", "kub", "kube", "ne", "neg",
        "nego", "s", "se", "sec", "secu", "l", "le", "lea", "lead", "te", "ter", "terra",
    ),
    "two words": (
        "intro python", "advanced kubernetes", "data analysis", "machine learning",
        "sql for", "python testing", "git pitfalls", "hands sql", "security aware",
        "deep dive rust",
    ),
    "empty": ("",),
    "typo": ("pyhton", "kuberntes", "secruity", "leadrship", "negotation"),
    "description only": ("retrospectives", "whiteboard", "retro", "whiteb"),
}  # fmt: skip
CLASSES = tuple(QUERIES)


def typed(turn: int) -> tuple[str, str]:
    """(query class, value) for the turn-th request: the classes in turn, each cycling."""
    kind = CLASSES[turn % len(CLASSES)]
    values = QUERIES[kind]
    return kind, values[(turn // len(CLASSES)) % len(values)]


def every_query() -> Iterator[tuple[str, str]]:
    """Each (class, value) once: the warm-up, which also gives the bare app its bytes."""
    for kind, values in QUERIES.items():
        for value in values:
            yield kind, value


def resource_rows(count: int, workspace_id: int, now: datetime) -> Iterator[dict[str, Any]]:
    """`count` resources: the shared library and, one in ten, the workspace's own."""
    rng = random.Random(SEED)
    for i in range(count):
        topic = rng.choice(TOPICS)
        form = rng.choice(FORMS)
        second = f" and {rng.choice(TOPICS)}" if rng.random() < 0.15 else ""
        title = f"{form} {topic}{second}{rng.choice(QUALIFIERS)}"
        kind = rng.choice(TYPES)
        sentences = rng.sample(SENTENCES, 2)
        if rng.random() < 0.03:
            sentences.append(rng.choice(DESCRIPTION_ONLY))
        description = f"A {kind} on {topic.lower()}. " + " ".join(sentences)
        skills = [topic.lower(), rng.choice(TOPICS).lower()]
        domains = [DOMAINS[(i * 7 + k) % len(DOMAINS)] for k in range(1 + i % 2)]
        own, status = ownership(i)
        yield {
            "workspace_id": workspace_id if own else None, "external_id": f"search-{i:06d}",
            "title": title, "description": description, "type": kind,
            "access": "free" if i % 5 else "premium", "url": f"https://learn.example.com/{i}",
            "status": status, "difficulty": ("beginner", "intermediate", "advanced")[i % 3],
            "skills": skills, "duration_minutes": 5 + i % 120,
            **search_columns(title, description, skills, domains),
            "created_at": now - timedelta(days=i % 700), "updated_at": now,
            "_domains": domains,
        }  # fmt: skip
