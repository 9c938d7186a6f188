"""Reading catalog files (CSV or JSON) into validated rows with their line numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from bot.errors import BotError
from bot.services.catalog_quiz import parse_quiz
from bot.services.catalog_rows import CertificateRule, ImportRow
from bot.services.catalog_structure import STRUCTURE_KEYS, structured_rows
from models.enums import ResourceType
from models.rules import validate_content

# Keys beyond the columns: a resource's quiz, and what its certificate does.
EXTRA_KEYS = {"quiz", "certificate", "certificate_months"}
COLUMNS = (
    "external_id", "title", "description", "type", "access", "url", "thumbnail",
    "partner", "status", "domains", "difficulty", "skills", "duration_minutes",
)  # fmt: skip


def starter_catalog() -> tuple[str, str]:
    """The shipped starter catalog: (name, text)."""
    text = resources.files("bot.data").joinpath("starter_catalog.json").read_text("utf-8")
    return "starter_catalog.json", text


def read_catalog_file(path: Path) -> tuple[str, str]:
    try:
        return path.name, path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BotError(f"Cannot read {path}: {exc}") from None


def parse_catalog(name: str, text: str) -> list[ImportRow]:
    """Rows of a CSV (header row) or a JSON array of objects, validated one by one."""
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        raw_rows = _json_rows(text)
    else:
        raw_rows = _csv_rows(text)
    rows: list[ImportRow] = []
    for line, raw in raw_rows:
        if STRUCTURE_KEYS & set(raw):  # a course with sections, or a path with steps
            rows += structured_rows(line, raw, _validated)
        else:
            rows.append(_validated(line, raw))
    return rows


def _validated(line: int, raw: Mapping[str, Any], structured: bool = False) -> ImportRow:
    if "_" in raw:  # the row could not even be read as columns
        return ImportRow(line=line, fields=None, errors=(str(raw["_"]),))
    unknown = sorted(set(raw) - set(COLUMNS) - EXTRA_KEYS)
    if unknown:
        return ImportRow(
            line=line, fields=None, errors=(f"unknown column(s) {', '.join(unknown)}",)
        )
    values = {key: _text(raw.get(key)) for key in COLUMNS}
    fields, errors = validate_content(values, structured=structured)
    found = [f"{k}: {v}" for k, v in errors.items()]
    quiz = None
    if raw.get("quiz") is not None:
        quiz, wrong = parse_quiz(raw["quiz"])
        found += wrong
    elif fields is not None and fields.type is ResourceType.QUIZ:
        found.append("quiz: a resource of type quiz needs its questions")
    certificate = _certificate(raw, found)
    if found:
        return ImportRow(line=line, fields=None, errors=tuple(found))
    return ImportRow(line=line, fields=fields, quiz=quiz, certificate=certificate)


def _certificate(raw: Mapping[str, Any], found: list[str]) -> CertificateRule | None:
    """`"certificate": true|false` and `"certificate_months": N` (1-120): None if neither."""
    if "certificate" not in raw and "certificate_months" not in raw:
        return None
    issue = raw.get("certificate")
    if isinstance(issue, str) and issue.strip().lower() in ("true", "false", "yes", "no", ""):
        issue = {"true": True, "yes": True, "false": False, "no": False}.get(issue.strip().lower())
    if issue is not None and not isinstance(issue, bool):
        found.append("certificate: true or false")
    months = raw.get("certificate_months")
    if isinstance(months, str) and months.strip().isdigit():
        months = int(months)
    if months in ("", None):
        months = None
    elif isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        found.append("certificate_months: a whole number of months, 1 to 120")
        months = None
    return CertificateRule(issue if isinstance(issue, bool) else None, months)


def _text(value: Any) -> str | None:
    """JSON values as the CSV would spell them: lists joined by ';', 45.0 as 45."""
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"title", "type"} - set(reader.fieldnames or ())
    if missing:
        raise BotError(
            f"The CSV header must name the columns {', '.join(COLUMNS)} "
            f"(missing: {', '.join(sorted(missing))})"
        )
    start = 2
    for row in reader:
        extra = row.pop(None, None)  # type: ignore[call-overload,unused-ignore]
        if extra:
            yield start, {"_": "more values than the header has columns"}
        elif any((v or "").strip() for v in row.values()):
            yield start, {k: v for k, v in row.items() if k}
        start = reader.line_num + 1


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Objects of a JSON array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise BotError("A JSON catalog must be an array of objects.")
    pos = _skip(text, pos + 1)
    while not text.startswith("]", pos):
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise BotError(f"Invalid JSON at line {exc.lineno}: {exc.msg}") from None
        line = text.count("\n", 0, pos) + 1
        yield line, item if isinstance(item, dict) else {"_": "each item must be an object"}
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif not text.startswith("]", pos):
            raise BotError(f"Invalid JSON at line {text.count(chr(10), 0, pos) + 1}: expected ','")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    if pos >= len(text):
        raise BotError("The JSON catalog ends too early (missing ']').")
    return pos
