"""The answer to a request that met the database down (restarting, cut off, overloaded).

Not a bug, so no traceback and no reference to quote: the ack says plainly to try again,
in the shape the request's surface shows (bot.db.database_unavailable says which errors).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltResponse

log = logging.getLogger("trainbot.errors")

TRY_AGAIN = "Trainbot can't reach its database just now. Please try again in a minute."
SLACK_BUSY = "Slack did not answer Trainbot just now. Please try again in a moment."


def answer_unavailable(body: dict[str, Any]) -> tuple[BoltResponse, bool]:
    """The ack that says "try again"; and True when it tells the person itself (else they
    are to be told another way: a note in place or a DM, after the ack)."""
    kind = _kind(body)
    log.warning("database unavailable: %s answered with try again", kind)
    if kind == "command":
        return BoltResponse(
            status=200, body={"response_type": "ephemeral", "text": TRY_AGAIN}
        ), True
    if kind == "view_submission" and (block_id := _first_input(body)):
        answer = {"response_action": "errors", "errors": {block_id: TRY_AGAIN}}
        return BoltResponse(status=200, body=answer), True
    if kind == "block_suggestion":  # Slack shows "no results"; typing on asks again
        return BoltResponse(status=200, body={"options": []}), True
    if kind == "event_callback":  # Slack delivers it again (after a minute, then five)
        return BoltResponse(status=503, body=TRY_AGAIN, headers={"Retry-After": "60"}), True
    return BoltResponse(status=200, body=""), False  # a click: told in place or by DM


def _kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    return str(body.get("type") or "unknown")


def _first_input(body: dict[str, Any]) -> str | None:
    """The first input block of the submitted modal, to hang the message on."""
    for block in (body.get("view") or {}).get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None
