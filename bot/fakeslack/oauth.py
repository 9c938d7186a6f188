"""Slack's side of an OAuth v2 install, for the stand-in.

`GET /oauth/v2/authorize` plays the person on Slack's consent page: it approves (or, when
told to, denies) and redirects to the app's redirect URI with a one-time `code` and the
`state` it was given. `oauth.v2.access` exchanges that code for the workspace's bot token,
with the app's client id and secret (HTTP Basic, as slack_sdk sends them, or form fields),
and answers with Slack's error names: invalid_client_id, bad_client_secret, invalid_code
(unknown, used or expired), bad_redirect_uri. With `rotating`, tokens expire and
`grant_type=refresh_token` exchanges a refresh token (once) for new ones
(invalid_refresh_token otherwise), as Slack's token rotation does.

The person picks where to install on the consent page: `install_into` (or the URL's `team`)
names a workspace (T...) or, for an org-wide install, an Enterprise Grid org (E...); the
stand-in's first workspace otherwise.
"""

from __future__ import annotations

import base64
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.fakeslack.state import ApiError

CODE_LIFETIME_S = 600  # Slack's codes expire after ten minutes


@dataclass(frozen=True)
class InstallTarget:
    """What an install grants: one workspace (team_id), or a whole Enterprise Grid org."""

    app_id: str
    bot_user_id: str
    bot_token: str  # the token handed out when tokens do not rotate
    team_id: str | None  # None for an org-wide install
    team_name: str
    enterprise_id: str | None
    enterprise_name: str

    def where(self) -> dict[str, Any]:
        return {
            "team": {"id": self.team_id, "name": self.team_name} if self.team_id else None,
            "enterprise": (
                {"id": self.enterprise_id, "name": self.enterprise_name}
                if self.enterprise_id else None
            ),
            "is_enterprise_install": self.team_id is None,
        }  # fmt: skip


@dataclass(frozen=True)
class Issued:
    """A rotated access token: where it works, and until when."""

    target: InstallTarget
    expires: float


@dataclass
class _Grant:
    redirect_uri: str
    scopes: str
    installer: str
    issued: float
    target: str  # a team id or an enterprise id ("" for the first workspace)
    used: bool = False


class OAuthApp:
    """The app's credentials as Slack knows them, and the codes handed out."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        installer: str,
        targets: Callable[[str], InstallTarget | None],
    ) -> None:
        self.client_id, self.client_secret, self.installer = client_id, client_secret, installer
        self._targets = targets  # a team or enterprise id ("" for the first) -> what it grants
        self.deny_next = False  # the person clicks Cancel on the consent page
        self.install_into: str | None = None  # the workspace or org picked on the consent page
        # Token rotation (the app opted in): installs hand out expiring tokens and a refresh
        # token; `expires_in` is what Slack says (12 hours), shorter to make apps refresh.
        self.rotating = False
        self.expires_in = 43_200
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, Issued] = {}  # rotated access tokens
        self._refresh: dict[str, InstallTarget] = {}  # refresh tokens not used yet

    def issued(self, token: str) -> InstallTarget | None:
        """Where a rotated access token works, if it is valid now."""
        found = self._access.get(token)
        return found.target if found is not None and time.time() < found.expires else None

    def expired(self, token: str) -> bool:
        return token in self._access and self.issued(token) is None

    def accept_installed_token(self, token: str) -> None:
        """Accept `token` from now on, never expiring, for the stand-in's first workspace,
        as if an install had handed it out.

        For benchmarks that put many workspaces' installations straight into the app's
        store and play them all in one stand-in workspace.
        """
        target = self._targets("")
        assert target is not None
        self._access[token] = Issued(target, math.inf)

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, Location) for the consent page's answer, or (400, why)."""
        redirect_uri, state = query.get("redirect_uri", ""), query.get("state", "")
        if query.get("client_id") != self.client_id or not redirect_uri:
            return 400, "invalid_client_id" if redirect_uri else "bad_redirect_uri"
        if self.deny_next:
            self.deny_next = False
            return 302, f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
        target = query.get("team") or self.install_into or ""
        if self._targets(target) is None:
            return 400, "team_not_found"
        code = f"{int(time.time())}.{secrets.token_hex(16)}"
        self._grants[code] = _Grant(redirect_uri, query.get("scope", ""), self.installer,
                                    time.monotonic(), target)  # fmt: skip
        return 302, f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"

    def access(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        client_id, client_secret = _basic(authorization) or (
            str(args.get("client_id") or ""),
            str(args.get("client_secret") or ""),
        )
        if client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.client_secret:
            raise ApiError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            return self._refreshed(str(args.get("refresh_token") or ""))
        grant = self._grants.get(str(args.get("code") or ""))
        if grant is None or grant.used or time.monotonic() - grant.issued > CODE_LIFETIME_S:
            raise ApiError("invalid_code")
        if args.get("redirect_uri") and args["redirect_uri"] != grant.redirect_uri:
            raise ApiError("bad_redirect_uri")
        target = self._targets(grant.target)
        if target is None:
            raise ApiError("invalid_code")
        grant.used = True
        return {
            "token_type": "bot", "scope": grant.scopes,
            "bot_user_id": target.bot_user_id, "app_id": target.app_id,
            **target.where(), "authed_user": {"id": grant.installer}, **self._tokens(target),
        }  # fmt: skip

    def _tokens(self, target: InstallTarget) -> dict[str, Any]:
        if not self.rotating:
            return {"access_token": target.bot_token}
        access = f"xoxe.xoxb-1-{secrets.token_hex(12)}"
        refresh = f"xoxe-1-{secrets.token_hex(12)}"
        self._access[access] = Issued(target, time.time() + self.expires_in)
        self._refresh[refresh] = target
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.expires_in}

    def _refreshed(self, refresh_token: str) -> dict[str, Any]:
        """A new access token for a refresh token, which is then spent."""
        target = self._refresh.pop(refresh_token, None)
        if target is None:
            raise ApiError("invalid_refresh_token")
        return {
            "token_type": "bot", "app_id": target.app_id, "bot_user_id": target.bot_user_id,
            **target.where(), **self._tokens(target),
        }  # fmt: skip


def _basic(authorization: str) -> tuple[str, str] | None:
    if not authorization.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret
