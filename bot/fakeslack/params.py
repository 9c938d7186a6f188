"""Reading Web API arguments the way Slack does: paging, numbers, booleans, timestamps."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from bot.fakeslack.state import ApiError

T = TypeVar("T")
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def page(items: Sequence[T], args: Mapping[str, Any]) -> tuple[list[T], str]:
    """Cursor paging as Slack does it: ``limit`` + opaque ``cursor``; "" when done."""
    limit = int_arg(args.get("limit"), DEFAULT_PAGE)
    limit = DEFAULT_PAGE if limit <= 0 else min(limit, MAX_PAGE)
    cursor = args.get("cursor") or ""
    try:
        start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ApiError("invalid_cursor") from exc
    end = start + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return list(items[start:end]), next_cursor


def int_arg(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments", [f"not a number: {value!r}"]) from exc


def ts_value(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation as exc:
        raise ApiError("invalid_arguments", [f"not a timestamp: {ts!r}"]) from exc


def truthy(value: Any) -> bool:
    """Booleans arrive as true/false in JSON and as "1"/"0"/"true" in forms."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)
