"""The rules a resource must meet, shared by the modal and the importer."""

from __future__ import annotations

from models.enums import ResourceStatus, ResourceType
from models.rules import split_tags, validate_content

GOOD = {"title": "  Negotiation   basics ", "type": "Video", "url": "https://example.com/n"}


def test_a_minimal_resource_gets_sensible_defaults() -> None:
    fields, errors = validate_content(GOOD)
    assert errors == {}
    assert fields is not None
    assert fields.title == "Negotiation basics"
    assert fields.type is ResourceType.VIDEO
    assert fields.status is ResourceStatus.PUBLISHED
    assert fields.access == "free"


def test_each_bad_field_is_explained() -> None:
    fields, errors = validate_content(
        {
            "title": "x" * 151,
            "type": "hologram",
            "url": "ftp://example.com/file",
            "thumbnail": "not a url",
            "duration_minutes": "an hour",
            "difficulty": "expert",
            "status": "maybe",
            "domains": "a;b;c;d;e;f",
        }
    )
    assert fields is None
    assert set(errors) == {
        "title",
        "type",
        "url",
        "thumbnail",
        "duration_minutes",
        "difficulty",
        "status",
        "domains",
    }
    assert "150" in errors["title"]
    assert "article, video" in errors["type"]
    assert "http" in errors["url"]


def test_a_link_or_a_file_is_required() -> None:
    _, errors = validate_content({"title": "Handbook", "type": "pdf"})
    assert errors == {"url": "Add a link (http or https) or upload a file."}
    fields, errors = validate_content(
        {"title": "Handbook", "type": "pdf"}, file_id="F1", file_url="https://x.slack.com/files/F1"
    )
    assert errors == {}
    assert fields is not None
    assert (fields.file_id, fields.url) == ("F1", "https://x.slack.com/files/F1")
    _, errors = validate_content(
        {"title": "Handbook", "type": "pdf", "url": "https://a.example"}, file_id="F1"
    )
    assert errors == {"url": "Use either a link or an uploaded file, not both."}
    # Editing a resource that already has its file: neither is needed again.
    fields, errors = validate_content({"title": "Handbook", "type": "pdf"}, keeps_file=True)
    assert errors == {}


def test_tags_are_trimmed_and_deduplicated_keeping_order() -> None:
    assert split_tags(" Sales ;sales; Onboarding;; ") == ("Sales", "Onboarding")


def test_tags_in_any_script_get_distinct_stable_keys() -> None:
    from models.rules import slugify

    assert slugify("Sales Ops") == "sales-ops"
    assert slugify("Продажи") == "продажи"
    assert slugify("C++") != slugify("C#")
    assert slugify("🚀") == slugify("🚀") != slugify("🎯")
    assert all(slugify(name) for name in ("🚀", "销售", "—"))
