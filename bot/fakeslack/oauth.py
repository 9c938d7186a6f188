"""Slack's side of an OAuth v2 install, for the stand-in.

`GET /oauth/v2/authorize` plays the person on Slack's consent page: it approves (or, when
told to, denies) and redirects to the app's redirect URI with a one-time `code` and the
`state` it was given. `oauth.v2.access` exchanges that code for the workspace's bot token,
with the app's client id and secret (HTTP Basic, as slack_sdk sends them, or form fields),
and answers with Slack's error names: invalid_client_id, bad_client_secret, invalid_code
(unknown, used or expired), bad_redirect_uri.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.fakeslack.state import ApiError, Identity

CODE_LIFETIME_S = 600  # Slack's codes expire after ten minutes


@dataclass
class _Grant:
    redirect_uri: str
    scopes: str
    installer: str
    issued: float
    used: bool = False


class OAuthApp:
    """The app's credentials as Slack knows them, and the codes handed out."""

    def __init__(self, client_id: str, client_secret: str, installer: str) -> None:
        self.client_id, self.client_secret, self.installer = client_id, client_secret, installer
        self.deny_next = False  # the person clicks Cancel on the consent page
        self._grants: dict[str, _Grant] = {}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, Location) for the consent page's answer, or (400, why)."""
        redirect_uri, state = query.get("redirect_uri", ""), query.get("state", "")
        if query.get("client_id") != self.client_id or not redirect_uri:
            return 400, "invalid_client_id" if redirect_uri else "bad_redirect_uri"
        if self.deny_next:
            self.deny_next = False
            return 302, f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
        code = f"{int(time.time())}.{secrets.token_hex(16)}"
        self._grants[code] = _Grant(redirect_uri, query.get("scope", ""), self.installer,
                                    time.monotonic())  # fmt: skip
        return 302, f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"

    def access(
        self, identity: Identity, args: dict[str, Any], authorization: str
    ) -> dict[str, Any]:
        client_id, client_secret = _basic(authorization) or (
            str(args.get("client_id") or ""),
            str(args.get("client_secret") or ""),
        )
        if client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.client_secret:
            raise ApiError("bad_client_secret")
        grant = self._grants.get(str(args.get("code") or ""))
        if grant is None or grant.used or time.monotonic() - grant.issued > CODE_LIFETIME_S:
            raise ApiError("invalid_code")
        if args.get("redirect_uri") and args["redirect_uri"] != grant.redirect_uri:
            raise ApiError("bad_redirect_uri")
        grant.used = True
        return {
            "access_token": identity.bot_token, "token_type": "bot", "scope": grant.scopes,
            "bot_user_id": identity.bot_user_id, "app_id": identity.app_id,
            "team": {"id": identity.team_id, "name": identity.team_name}, "enterprise": None,
            "authed_user": {"id": grant.installer}, "is_enterprise_install": False,
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
