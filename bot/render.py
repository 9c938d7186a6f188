"""The single entry into Jinja: templates render Block Kit JSON, returned as dicts."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot import ids
from bot.vocab import VOCAB, duration

MRKDWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def mrkdwn(text: object) -> str:
    """Escape user text for mrkdwn: Slack treats &, < and > as control characters."""
    return "".join(MRKDWN_ESCAPES.get(ch, ch) for ch in str(text))


def mrkdwn_cut(text: object, limit: int) -> str:
    """Escape for mrkdwn, then cut to `limit` characters without splitting an entity."""
    out: list[str] = []
    used = 0
    for ch in str(text):
        piece = MRKDWN_ESCAPES.get(ch, ch)
        if used + len(piece) > limit - 1:
            out.append("…")
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def truncate(text: object, limit: int) -> str:
    """Cut text to at most `limit` characters, ending with an ellipsis when cut."""
    value = str(text)
    return value if len(value) <= limit else value[: max(limit - 1, 0)].rstrip() + "…"


LINK_URL_MAX = 1000  # longer links go on a button (3000 chars) instead of into the text


def link(url: str | None, label: str) -> str:
    """A mrkdwn link; the label is escaped, and so is the URL's `|` and `>`."""
    if not url or len(url) > LINK_URL_MAX:
        return mrkdwn(label)
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{mrkdwn(label)}>"


def result_text(title: str, url: str | None, description: str) -> str:
    """One library result: the linked title, then as much description as fits a section."""
    head = "*" + link(url, truncate(title, 150)) + "*"
    if not description:
        return head
    return head + "\n" + mrkdwn_cut(description, min(200, 3000 - len(head) - 1))


def enumerate_sections(outline: Any, page: tuple[int, int] | None = None) -> list[Any]:
    """[(number, section, items)] of an outline; `page`: only items first..last (1-based,
    counted over the whole course), each shown under its section's heading."""
    numbered = []
    seen = 0
    for number, section in enumerate(outline.sections, start=1):
        items = section.items
        if page is not None:
            first, last = page
            start = max(first - 1 - seen, 0)
            items = items[start : max(last - seen, 0)]
            seen += len(section.items)
            if not items:
                continue
        numbered.append((number, section, items))
    return numbered


_env = Environment(
    loader=PackageLoader("templates", "."),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
_env.filters["mrkdwn"] = mrkdwn
_env.filters["mrkdwn_cut"] = mrkdwn_cut
_env.globals["result_text"] = result_text
_env.filters["truncate_to"] = truncate
_env.globals["link"] = link
_env.filters["mention"] = lambda user_id: f"<@{user_id}>"
_env.globals["enumerate_sections"] = enumerate_sections
_env.globals["ids"] = ids
_env.globals["vocab"] = VOCAB
_env.filters["duration"] = duration


def render(template: str, **data: Any) -> dict[str, Any]:
    """Render a `.json.j2` template with plain data and parse the JSON it produces."""
    text = _env.get_template(template).render(**data)
    result = json.loads(text)
    if not isinstance(result, dict):
        raise TypeError(f"{template} must render a JSON object")
    return result
