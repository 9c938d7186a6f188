"""What the full-text index holds: words folded the same way on every write and every query.

Both databases index the same three strings (title, tags, body), each the resource's words
lower-cased, without accents and joined by single spaces. Folding here, not in the
database, makes "resume" find "Résumé" on SQLite and on PostgreSQL alike without an
extension, and lets a word's place be checked with a plain LIKE (` ' ' || field LIKE '% w%'`)
that means exactly what the index means.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 8

# What each place a word is found in is worth; a resource's relevance is the sum over the
# query's words of the best place each was found.
TITLE_WEIGHT, TAGS_WEIGHT, BODY_WEIGHT = 10, 3, 1

# Objects the migrations create that the ORM does not model (a virtual table and its
# shadow tables on SQLite, a generated column and its indexes on PostgreSQL, the title
# words table that triggers keep); the check
# that models and migrations agree leaves them out.
DATABASE_OWNED = frozenset(
    {
        "resource_search",
        "resource_search_data",
        "resource_search_idx",
        "resource_search_docsize",
        "resource_search_config",
        "resource_search_words",
        "search_words",
        "search_vector",
        "ix_training_resources_search_vector",
        "ix_search_words_trgm",
        "title_words",
        "ix_title_words_resource_id",
    }
)


def fold(text: str) -> str:
    """Lower case without accents: "Résumé" and "RESUME" both become "resume"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_of(text: str) -> list[str]:
    return WORD.findall(fold(text))


def query_words(text: str) -> list[str]:
    """The words a search looks for, in order, each once (at most MAX_QUERY_WORDS)."""
    return list(dict.fromkeys(words_of(text)))[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class SearchFields:
    title: str
    tags: str  # skills, domains and partner
    body: str  # the description

    def columns(self) -> dict[str, str]:
        """As training_resources' columns (for bulk inserts that bypass the ORM)."""
        return {"search_title": self.title, "search_tags": self.tags, "search_body": self.body}


def search_fields(
    *, title: str, description: str, skills: Iterable[str], domains: Iterable[str],
    partner: str | None,
) -> SearchFields:  # fmt: skip
    tags = [*skills, *domains, partner or ""]
    return SearchFields(
        title=" ".join(words_of(title)),
        tags=" ".join(w for tag in tags for w in words_of(tag)),
        body=" ".join(words_of(description)),
    )


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or limit + 1 once past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous, current = list(range(len(b) + 1)), [0] * (len(b) + 1)
    before_previous: list[int] = []
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return previous[len(b)] if previous[len(b)] <= limit else limit + 1


def typo_limit(word: str) -> int:
    """How many edits a word may be off and still be a typo of another: none for very short."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2
