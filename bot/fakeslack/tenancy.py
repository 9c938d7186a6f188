"""Which workspace a Web API call acts on, when one stand-in serves several.

A workspace-level bot token acts on its own workspace. A token from an org-wide install
(Enterprise Grid) acts on every workspace of the org: the call names the workspace with
`team_id` (Slack requires it on listing methods), or Slack finds it from the ids the call
carries (a person, conversation, trigger, view or file belongs to one workspace).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

from bot.fakeslack.facade import WorkspaceFacade
from bot.fakeslack.oauth import InstallTarget, OAuthApp
from bot.fakeslack.recording import ApiCall, CallLog
from bot.fakeslack.state import ApiError, Identity, Workspace

# Methods an org-wide token may only call with team_id (api.slack.com, "Changes to APIs").
NEEDS_TEAM_ID = frozenset(
    {"users.list", "usergroups.list", "usergroups.users.list", "team.info", "conversations.list"}
)
# Arguments whose ids tell which of an org's workspaces a call is about.
ROUTING_ARGS = ("channel", "channel_id", "user", "user_id", "users", "trigger_id", "view_id",
                "file", "files", "usergroup")  # fmt: skip


class AddedWorkspace(WorkspaceFacade):
    """A workspace served beside the stand-in's first one (FakeSlack.add_workspace): seeded
    and read like the first, its calls are those the stand-in answered for it."""

    def __init__(
        self,
        identity: Identity,
        clock: Callable[[], float],
        message_clock: Callable[[], float],
        *,
        changed: threading.Condition,
        log: CallLog,
    ) -> None:
        super().__init__(identity, clock, message_clock, changed=changed)
        self._log = log

    @property
    def calls(self) -> list[ApiCall]:
        return [c for c in self._log.all() if c.team_id == self.identity.team_id]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def wait_for_call(
        self, method: str, predicate: Callable[[ApiCall], bool] | None = None, timeout: float = 5.0
    ) -> ApiCall:
        team = self.identity.team_id
        return self._log.wait_for(
            method, lambda c: c.team_id == team and (predicate is None or predicate(c)), timeout
        )


class Tenants:
    """Every workspace one stand-in serves, the first one first. Callers hold its lock."""

    def __init__(self, first: WorkspaceFacade) -> None:
        self.facades: list[WorkspaceFacade] = [first]
        self.org_tokens: dict[str, str] = {}  # enterprise id -> its org-wide bot token

    def __iter__(self) -> Iterator[Workspace]:
        return iter([f._ws for f in self.facades])

    def add(self, facade: WorkspaceFacade) -> None:
        if any(f.identity.team_id == facade.identity.team_id for f in self.facades):
            raise ValueError(f"workspace {facade.identity.team_id} already exists")
        enterprise = facade.identity.enterprise_id
        if enterprise and enterprise not in self.org_tokens:
            self.org_tokens[enterprise] = f"xoxb-org-{secrets.token_hex(8)}"
        self.facades.append(facade)

    def target(self, chosen: str) -> InstallTarget | None:
        """What installing into `chosen` grants: a workspace, or an org ("" = the first)."""
        first = self.facades[0].identity
        for facade in self.facades:
            ident = facade.identity
            if chosen in ("", ident.team_id):
                return InstallTarget(ident.app_id, ident.bot_user_id, ident.bot_token,
                                     ident.team_id, ident.team_name, ident.enterprise_id,
                                     ident.enterprise_name)  # fmt: skip
        org = [f.identity for f in self.facades if f.identity.enterprise_id == chosen]
        if not org:
            return None
        return InstallTarget(first.app_id, org[0].bot_user_id, self.org_tokens[chosen], None,
                             "", chosen, org[0].enterprise_name)  # fmt: skip

    def installed(self, target: InstallTarget) -> None:
        """An org-wide install: Slack now says so in everything about the org's workspaces."""
        if target.team_id is None:
            for ws in self:
                ws.org_installed = ws.org_installed or ws.identity.enterprise_id == (
                    target.enterprise_id
                )

    def serving(self, token: str, method: str, args: dict[str, Any], oauth: OAuthApp) -> Workspace:
        """The workspace a call with `token` acts on; Slack's error names when none."""
        for ws in self:
            if token == ws.identity.bot_token:
                return ws
        target = oauth.issued(token)
        enterprise = next((e for e, t in self.org_tokens.items() if t == token), None)
        if target is not None and target.team_id is not None:
            return self._team(target.team_id)
        if target is not None:
            enterprise = target.enterprise_id
        if enterprise is None:
            raise ApiError("token_expired" if oauth.expired(token) else "invalid_auth")
        return self._in_org(enterprise, method, args)

    def owner_of(self, kind: str, key: str) -> Workspace | None:
        """The workspace holding a response_url key ("response") or a file ("file")."""
        for ws in self:
            if key in (ws.response_targets if kind == "response" else ws.files):
                return ws
        return None

    def _team(self, team_id: str) -> Workspace:
        found = next((ws for ws in self if ws.identity.team_id == team_id), None)
        if found is None:
            raise ApiError("team_not_found")
        return found

    def _in_org(self, enterprise: str, method: str, args: dict[str, Any]) -> Workspace:
        org = [ws for ws in self if ws.identity.enterprise_id == enterprise and ws.org_installed]
        if not org:
            raise ApiError("invalid_auth")  # the org's install was removed
        team_id = args.get("team_id")
        if team_id:
            found = next((ws for ws in org if ws.identity.team_id == team_id), None)
            if found is None:
                raise ApiError("team_access_not_granted")
            return found
        if method in NEEDS_TEAM_ID:
            raise ApiError("missing_argument", ["team_id is required for org-wide tokens"])
        named = [v for key in ROUTING_ARGS for v in _ids(args.get(key))]
        return next((ws for ws in org if any(ws.knows(v) for v in named)), org[0])


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    if isinstance(value, list):
        return [str(v.get("id")) if isinstance(v, dict) else str(v) for v in value]
    return []
