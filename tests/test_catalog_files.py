"""Reading catalog files: every row keeps its line number, bad rows say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import BotError
from bot.services.catalog_files import parse_catalog, read_catalog_file, starter_catalog

DATA = Path(__file__).parent / "data"


def test_csv_rows_carry_their_line_numbers_and_reasons() -> None:
    rows = parse_catalog(*read_catalog_file(DATA / "catalog_mixed.csv"))
    assert [(r.line, r.fields is not None) for r in rows] == [
        (2, True),
        (3, True),
        (4, True),
        (5, False),
        (6, False),
        (7, False),
    ]
    assert rows[3].errors == ("title: Give the resource a title.",)
    assert rows[4].errors[0].startswith("type: Type must be one of")
    assert rows[5].errors[0].startswith("url: Use a full web address")


def test_json_objects_report_the_line_they_start_on() -> None:
    text = '[\n  {"title": "A", "type": "video", "url": "https://a.example"},\n\n  {"title": ""}\n]'
    rows = parse_catalog("x.json", text)
    assert [r.line for r in rows] == [2, 4]
    assert rows[1].fields is None


def test_a_broken_json_file_says_where() -> None:
    with pytest.raises(BotError, match="line 3"):
        parse_catalog("x.json", '[\n {"title": "A"},\n {"title": }\n]')


def test_unknown_columns_are_rejected_per_row() -> None:
    rows = parse_catalog("x.csv", "title,type,url,colour\nA,video,https://a.example,red\n")
    assert rows[0].errors == ("unknown column(s) colour",)


def test_the_starter_catalog_is_at_least_40_valid_free_resources() -> None:
    rows = parse_catalog(*starter_catalog())
    assert len(rows) >= 40
    assert all(r.fields is not None for r in rows), [r.errors for r in rows if r.errors]
    urls = [r.fields.url for r in rows if r.fields and r.fields.url]  # courses need no link
    assert len(set(urls)) == len(urls)
    assert all(r.fields and r.fields.access == "free" for r in rows)
    courses = [r for r in rows if r.sections]
    paths = [r for r in rows if r.steps]
    assert len(courses) >= 3 and paths  # real courses built from the library, and a path
