"""After a restart: the assignment DMs the database points at, drawn again in the stand-in.

The stand-in keeps messages in memory, so they are gone when the sandbox restarts, while
each assignment row still names its DM (channel, ts). Without that message the app's
redraw after a click on Home would fail (`message_not_found`), so each one is put back
at its ts, drawn by the app's own template as the assignment now stands. Reminders,
notices, confirmations and digests are not rebuilt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.delivery import assignment_message
from bot.posting import TAG
from bot.sandbox import roster
from models import ResourceAssignment, Workspace

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox


def restore_assignment_dms(sandbox: Sandbox) -> int:
    """Put every recorded assignment DM of the demo workspace back; returns how many."""
    services, fake = sandbox.services, sandbox.workspace
    a = ResourceAssignment
    with services.sessions.begin() as s:
        rows = s.execute(
            select(a.id, a.workspace_id, a.dm_channel, a.dm_ts)
            .join(Workspace, Workspace.id == a.workspace_id)
            .where(Workspace.team_id == roster.TEAM_ID, a.dm_ts.is_not(None))
            .order_by(a.dm_ts)
        ).all()
    for assignment_id, workspace_id, channel, ts in rows:
        card = services.assignments.card(workspace_id=workspace_id, assignment_id=assignment_id)
        message = assignment_message(card)
        # The tag says "a Trainbot message", as the original's did (its outbox id is unknown).
        message["metadata"] = {"event_type": TAG, "event_payload": {"restored": True}}
        fake.restore_bot_message(str(channel), str(ts), message)
    return len(rows)
