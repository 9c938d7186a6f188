"""Sending a weekly digest: its scope read from Slack, the numbers, the chart, the post.

A channel we can no longer post in (archived, deleted, the bot removed) marks the
subscription broken and tells its subscriber once; nothing else stops.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.charts import completion_chart
from bot.posting import post_once
from bot.render import render
from bot.services import Services
from bot.services.digests import Digest, Subscription
from bot.services.outbox import Claimed
from models import DigestScope

log = logging.getLogger("trainbot.delivery")
# The channel is gone for us: a broken subscription, not a retry.
BREAKING = {"channel_not_found", "is_archived", "not_in_channel", "no_such_subteam"}
BROKEN_WHY = {
    "channel_not_found": "the channel no longer exists, or I was removed from it",
    "is_archived": "the channel was archived",
    "not_in_channel": "I am no longer in the channel",
    "no_such_subteam": "its user group no longer exists",
}


def deliver_digest(services: Services, client: WebClient, row: Claimed) -> int:
    payload = services.outbox.payload(row)
    sub = services.digests.subscription(subscription_id=int(str(payload["subscription"])))
    if sub is None or sub.broken_reason:
        services.outbox.skipped(row, why="unsubscribed" if sub is None else sub.broken_reason or "")
        return 0
    try:
        digest = services.digests.compute(
            subscription=sub, week=str(payload["week"]),
            as_of=datetime.fromisoformat(str(payload["as_of"])), members=_members(client, sub),
        )  # fmt: skip
        message = render("digest.json.j2", d=digest, chart=_chart(client, digest))
        landed = post_once(services, client, row, text=message["text"], blocks=message["blocks"])
    except SlackApiError as error:
        name = str(error.response.get("error"))
        if name in BREAKING:
            _break(services, sub, name)
        raise
    if landed is None:
        return 0
    services.outbox.sent(row, channel=landed[0], ts=landed[1])
    return 1


def _members(client: WebClient, sub: Subscription) -> list[str] | None:
    """Who the digest is about, read now (None: everyone in the workspace)."""
    if sub.scope is DigestScope.WORKSPACE:
        return None
    if sub.scope is DigestScope.USERGROUP:
        return [str(u) for u in client.usergroups_users_list(usergroup=sub.scope_id)["users"]]
    members: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=sub.channel_id, cursor=cursor, limit=1000)
        members += [str(u) for u in page.get("members") or []]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


def _chart(client: WebClient, digest: Digest) -> str | None:
    """The 8-week chart, uploaded (not shared: the digest shows it); None if Slack says no."""
    if not digest.total:
        return None
    png = completion_chart(digest.weekly_rates, title=f"Completion: {digest.scope_label}"[:80])
    try:
        upload = client.files_upload_v2(
            content=png, filename=f"completion-{digest.week}.png", title="Completion, 8 weeks"
        )
    except SlackApiError as error:
        log.warning("digest chart not uploaded: %s", error.response.get("error"))
        return None
    return str(upload["file"]["id"])


def _break(services: Services, sub: Subscription, error: str) -> None:
    if services.digests.mark_broken(subscription_id=sub.id, reason=error) and sub.subscriber:
        why = BROKEN_WHY.get(error, error)
        services.outbox.enqueue(
            workspace_id=sub.workspace_id, key=f"digest-broken:{sub.id}:{error}",
            recipient=sub.subscriber,
            payload={"text": f"The weekly digest for <#{sub.channel_id}> has stopped: {why}. "
                             f"Run `/training digest` to set it up again."},
        )  # fmt: skip
