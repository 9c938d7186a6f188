"""Workspaces and the people in them: first contact, profile refresh, roles."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotAllowed
from bot.services.audit import Subject, record
from bot.services.reminder_zones import is_known_zone
from models import AuditAction, Member, Workspace
from models.enums import Role
from models.one_of import one_of

log = logging.getLogger(__name__)

# Profiles (name, tz, admin flag) change rarely; user_change events refresh them sooner.
PROFILE_TTL = timedelta(hours=12)
FEW_STRANGERS = 20  # up to this many, users.info each; beyond, users.list pages


class ProfileSource(Protocol):
    """Where profiles come from: Slack's users.info (a WebClient fits)."""

    def users_info(self, *, user: str) -> Any: ...


class DirectorySource(ProfileSource, Protocol):
    """users.info and users.list (a WebClient fits)."""

    def users_list(self, *, cursor: str | None = None, limit: int | None = None) -> Any: ...


@dataclass(frozen=True)
class Caller:
    """The person behind a request, as handlers and templates see them."""

    member_id: int
    workspace_id: int
    team_id: str
    user_id: str
    name: str
    tz: str
    role: Role
    is_deactivated: bool

    @property
    def can_manage(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)


class MemberService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._default_tz = default_tz

    def resolve(
        self,
        *,
        team_id: str,
        user_id: str,
        profiles: ProfileSource,
        enterprise_id: str | None = None,
        refresh: bool = True,
    ) -> Caller:
        """The caller's Member, created on first contact; the profile is refreshed when stale.

        `refresh=False` (for ack paths) serves a stale profile rather than wait for Slack.
        """
        now = self._clock.now()
        with self._sessions.begin() as s:
            # One statement for the usual case (every request): a person already met.
            member = s.scalars(
                select(Member)
                .join(Workspace, Workspace.id == Member.workspace_id)
                .where(Workspace.team_id == team_id, Member.slack_user_id == user_id)
            ).one_or_none()
            if member is not None and (not refresh or not _stale(member, now)):
                return self._caller(member, team_id)
            workspace_id = (
                member.workspace_id
                if member is not None
                else self._ensure_workspace(s, team_id, enterprise_id, now)
            )
        profile = _fetch_profile(profiles, user_id)
        with self._sessions.begin() as s:
            member = self._upsert(s, workspace_id, user_id, profile, now)
            return self._caller(member, team_id)

    def unreachable_because(
        self, *, workspace_id: int, user_id: str, profiles: ProfileSource
    ) -> str:
        """Why this person cannot usefully get a DM ("a bot", "deactivated"), else "".

        People first met as channel members have no profile yet: it is fetched here,
        off the request path, once.
        """
        now = self._clock.now()
        with self._sessions.begin() as s:
            member = self._find(s, workspace_id, user_id)
            if member is not None and member.profile_fetched_at is not None:
                return _unreachable(member)
        profile = _fetch_profile(profiles, user_id)
        with self._sessions.begin() as s:
            return _unreachable(self._upsert(s, workspace_id, user_id, profile, now))

    def profile_strangers(
        self, *, workspace_id: int, user_ids: Sequence[str], profiles: DirectorySource
    ) -> int:
        """Fetch the profiles of people never profiled (met as channel or group members).

        A few: users.info each (Tier 4). Many: users.list, whose pages of 200 cover a
        workspace in a handful of Tier 2 calls. Returns how many profiles were stored.
        """
        m = Member
        with self._sessions.begin() as s:
            strangers = set(s.scalars(select(m.slack_user_id).where(
                m.workspace_id == workspace_id, one_of(m.slack_user_id, user_ids),
                m.profile_fetched_at.is_(None),
            )))  # fmt: skip
        if len(strangers) <= FEW_STRANGERS:
            found = [p for uid in sorted(strangers) if (p := _fetch_profile(profiles, uid))]
        else:
            found = _list_profiles(profiles, strangers)
        now = self._clock.now()
        with self._sessions.begin() as s:
            by_id = {str(user["id"]): user for user in found}
            for member in s.scalars(
                select(m).where(
                    m.workspace_id == workspace_id, one_of(m.slack_user_id, list(by_id))
                )
            ):
                _apply(member, by_id[member.slack_user_id], now)
        return len(found)

    def set_role(
        self, *, caller: Caller, user_id: str, role: Role, profiles: ProfileSource
    ) -> Caller:
        """An admin makes someone a manager (or a member again)."""
        if caller.role is not Role.ADMIN:
            raise NotAllowed("Only Trainbot admins can change roles.")
        if role is Role.ADMIN:
            raise BotError(
                "Trainbot admins are your Slack workspace's owners and admins; "
                "make someone a `manager` here instead."
            )
        target = self.resolve(team_id=caller.team_id, user_id=user_id, profiles=profiles)
        if target.role is Role.ADMIN:
            raise BotError(f"<@{user_id}> is a Slack workspace admin, so always a Trainbot admin.")
        with self._sessions.begin() as s:
            member, now = s.get_one(Member, target.member_id), self._clock.now()
            about = Subject("member", user_id, target.name, user_id)
            record(s, caller, AuditAction.ROLE_CHANGED, about, at=now,
                   before={"role": member.role}, after={"role": role.value})  # fmt: skip
            member.role, member.updated_at = role.value, now
            return self._caller(member, caller.team_id)

    def set_completion_dms(self, *, caller: Caller, on: bool) -> None:
        """A manager's choice: a DM whenever someone they assigned completes."""
        with self._sessions.begin() as s:
            member = s.get_one(Member, caller.member_id)
            member.notify_completions = on
            member.updated_at = self._clock.now()

    def ensure_workspace(self, *, team_id: str) -> int:
        """The workspace's row id, created when Trainbot first hears of it."""
        with self._sessions.begin() as s:
            return self._ensure_workspace(s, team_id, None, self._clock.now())

    def apply_profile(self, *, team_id: str, user: dict[str, Any]) -> None:
        """Store a profile Slack pushed to us (user_change): name, tz, deactivation.

        Slack sends this for everyone in the workspace; only people Trainbot knows
        are updated (the others are fetched on first contact).
        """
        now = self._clock.now()
        with self._sessions.begin() as s:
            member = s.scalars(
                select(Member)
                .join(Workspace, Workspace.id == Member.workspace_id)
                .where(Workspace.team_id == team_id, Member.slack_user_id == str(user["id"]))
            ).one_or_none()
            if member is not None:
                _apply(member, user, now)

    def _ensure_workspace(
        self, s: Session, team_id: str, enterprise_id: str | None, now: datetime
    ) -> int:
        known = s.scalars(select(Workspace.id).where(Workspace.team_id == team_id)).one_or_none()
        if known is not None:  # the usual case: no write on the request path
            return known
        s.execute(
            insert_for(s, Workspace)
            .values(
                team_id=team_id,
                enterprise_id=enterprise_id,
                name="",
                settings={},
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id"])
        )
        return s.scalars(select(Workspace.id).where(Workspace.team_id == team_id)).one()

    def _find(self, s: Session, workspace_id: int, user_id: str) -> Member | None:
        return s.scalars(
            select(Member).where(
                Member.workspace_id == workspace_id, Member.slack_user_id == user_id
            )
        ).one_or_none()

    def _upsert(
        self,
        s: Session,
        workspace_id: int,
        user_id: str,
        profile: dict[str, Any] | None,
        now: datetime,
    ) -> Member:
        s.execute(
            insert_for(s, Member)
            .values(
                workspace_id=workspace_id,
                slack_user_id=user_id,
                display_name=user_id,
                real_name="",
                role=Role.MEMBER.value,
                is_slack_admin=False,
                is_bot=False,
                is_deactivated=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "slack_user_id"])
        )
        member = self._find(s, workspace_id, user_id)
        assert member is not None
        if profile is not None:
            _apply(member, profile, now)
        return member

    def _caller(self, member: Member, team_id: str) -> Caller:
        return Caller(
            member_id=member.id,
            workspace_id=member.workspace_id,
            team_id=team_id,
            user_id=member.slack_user_id,
            name=member.display_name or member.slack_user_id,
            tz=member.tz if member.tz and is_known_zone(member.tz) else self._default_tz,
            role=member.effective_role,
            is_deactivated=member.is_deactivated,
        )


def _unreachable(member: Member) -> str:
    if member.is_bot:
        return "a bot"
    return "deactivated" if member.is_deactivated else ""


def _stale(member: Member, now: datetime) -> bool:
    return member.profile_fetched_at is None or now - member.profile_fetched_at > PROFILE_TTL


def _fetch_profile(profiles: ProfileSource, user_id: str) -> dict[str, Any] | None:
    """users.info, or None when Slack cannot say right now (the old profile stays)."""
    try:
        response = profiles.users_info(user=user_id)
    except Exception:  # SlackApiError or a network error: serve the request anyway
        log.warning("users.info failed for %s; keeping the stored profile", user_id, exc_info=True)
        return None
    user = response.get("user")
    return user if isinstance(user, dict) else None


def _list_profiles(profiles: DirectorySource, wanted: set[str]) -> list[dict[str, Any]]:
    """The profiles of `wanted` from users.list, as far as Slack answers (DMs do the rest)."""
    found: list[dict[str, Any]] = []
    cursor = None
    try:
        while len(found) < len(wanted):
            page = profiles.users_list(cursor=cursor, limit=200)
            found += [u for u in page.get("members") or [] if u.get("id") in wanted]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except Exception:  # SlackApiError or a network error: each DM profiles its person
        log.warning("users.list failed; profiles will be fetched one by one", exc_info=True)
    return found


def _apply(member: Member, user: dict[str, Any], now: datetime) -> None:
    profile = user.get("profile") or {}
    member.display_name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("name")
        or member.display_name
    )[:255]
    member.real_name = (profile.get("real_name") or user.get("real_name") or "")[:255]
    # A zone this host's tz database does not know (Slack's can be newer) is not kept:
    # the person is then on the default zone everywhere, instead of failing every date.
    tz = user.get("tz")
    member.tz = tz if is_known_zone(tz) else member.tz
    member.is_slack_admin = bool(
        user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
    )
    member.is_bot = bool(user.get("is_bot"))
    member.is_deactivated = bool(user.get("deleted"))
    member.is_guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
    member.profile_fetched_at = now
    member.updated_at = now
