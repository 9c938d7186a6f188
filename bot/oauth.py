"""Installing Trainbot in a workspace through Slack's OAuth v2 flow (many workspaces).

GET /slack/install shows an "Add to Slack" page whose link carries a fresh one-time state
(kept in slack_oauth_states and bound to the browser by a cookie); GET
/slack/oauth_redirect exchanges Slack's code with oauth.v2.access on SLACK_API_URL, keeps
the installation with its tokens sealed, and answers with a page that says it worked, or
what went wrong and what to do. Scopes are the manifest's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape
from slack_bolt import BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.services import Services
from models.slack_oauth import slack_oauth_states

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_LIFETIME_S = 600
MANIFEST = Path(__file__).resolve().parents[1] / "app_manifest.yml"
# What each failure Bolt reports means for the person installing, and what to do.
FAILURES = {
    "access_denied": "The install was cancelled in Slack, so nothing was installed.",
    "invalid_state": "This install link has expired or was already used.",
    "invalid_browser": "This install was started in another browser.",
    "missing_code": "Slack did not send the install code back.",
    "invalid_code": "Slack did not accept the install code (it may have expired).",
    "storage_error": "Trainbot could not save the installation.",
}

_pages = Environment(loader=PackageLoader("templates", "."), autoescape=select_autoescape(["j2"]))


def bot_scopes(manifest: Path = MANIFEST) -> list[str]:
    data: dict[str, Any] = yaml.safe_load(manifest.read_text())
    return list(data["oauth_config"]["scopes"]["bot"])


def oauth_flow(services: Services) -> OAuthFlow:
    settings, store = services.settings, services.installs.store
    assert settings.client_id and settings.client_secret and settings.public_url and store

    def installed(args: SuccessArgs) -> BoltResponse:
        i = args.installation
        team = i.team_name or i.enterprise_name
        # Recorded; installed again, what it was owed goes out (a workspace, or a whole org's).
        services.installs.installed(team_id=i.team_id, enterprise_id=i.enterprise_id,
                                    team_name=team or "", by=i.user_id)  # fmt: skip
        return _page(200, ok=True, team=team or "your workspace", install_url=INSTALL_PATH, why="")

    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_LIFETIME_S, engine=services.engine)
    states.metadata, states.oauth_states = slack_oauth_states.metadata, slack_oauth_states
    site = settings.api_url.removesuffix("/").removesuffix("/api")  # slack.com, or a stand-in
    return OAuthFlow(
        client=WebClient(base_url=settings.api_url, timeout=10),
        settings=OAuthSettings(
            client_id=settings.client_id, client_secret=settings.client_secret,
            scopes=bot_scopes(), user_scopes=[],
            redirect_uri=f"{settings.public_url}{REDIRECT_PATH}",
            install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
            authorization_url=f"{site}/oauth/v2/authorize",
            installation_store=store, state_store=states,
            state_expiration_seconds=STATE_LIFETIME_S,
            callback_options=CallbackOptions(success=installed, failure=_failed),
        ),
    )  # fmt: skip


def _failed(args: FailureArgs) -> BoltResponse:
    why = FAILURES.get(args.reason, "Slack answered with an error during the install.")
    return _page(args.suggested_status_code, ok=False, team="", install_url=INSTALL_PATH, why=why)


def _page(status: int, **data: Any) -> BoltResponse:
    body = _pages.get_template("install_result.html.j2").render(**data)
    return BoltResponse(status=status, body=body,
                        headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
