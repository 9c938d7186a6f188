"""Keep enrolled: a path assigned to a user group or channel also enrolls who joins later.

Slack's events say who joined (subteam_members_changed, member_joined_channel), but
events can be missed or arrive while the app is down, so a daily reconciliation compares
each group's or channel's members with the path's enrollments and enrolls whoever is
missing, once. "Missing" means never enrolled on that path: someone who finished it, or
whose enrollment a manager cancelled, is not enrolled again. Leaving cancels nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, local_today
from bot.conversations import channel_members
from bot.db import insert_for
from bot.services.assignment_rows import members_for
from bot.services.enrollment import Enrolment, enroll, opened_steps
from bot.services.members import Caller, MemberService
from bot.services.path_progress import IDS_PER_QUERY
from bot.workspace_clients import WorkspaceClients
from models import EnrollmentRule, Member, PathEnrollment, TrainingResource, Workspace
from models.enums import Priority, ResourceStatus, RuleSource
from models.one_of import one_of
from models.workspace import still_installed

log = logging.getLogger("trainbot.enrollments")
RECONCILE_EVERY = timedelta(hours=20)  # "daily", with room for a sweep that ran late


@dataclass(frozen=True)
class KeepSource:
    source: RuleSource
    id: str  # the user group's or channel's id
    label: str  # "@support-team" or "#support": shown to the manager


@dataclass(frozen=True)
class Joined:
    """People enrolled because they joined a group or channel (or were found missing)."""

    rule_id: int
    path_title: str
    source_label: str
    enrolled: tuple[str, ...]  # Slack user ids
    assignment_ids: tuple[int, ...]  # the steps that opened (their DMs are owed)


def keep_enrolled(
    s: Session,
    by: Caller,
    terms: Enrolment,
    sources: Sequence[KeepSource],
    *,
    include_guests: bool,
    now: datetime,
) -> tuple[str, ...]:
    """Remember (or refresh) the rule for each source; returns their labels."""
    for source in sources:
        values = {"workspace_id": by.workspace_id, "path_id": terms.path_id,
                  "source": source.source.value, "source_id": source.id,
                  "source_label": source.label, "assigned_by_id": by.member_id,
                  "priority": terms.priority.value, "note": terms.note,
                  "include_guests": include_guests, "active": True, "reconciled_at": now,
                  "created_at": now, "updated_at": now}  # fmt: skip
        changes = {k: v for k, v in values.items() if k not in ("workspace_id", "created_at")}
        s.execute(
            insert_for(s, EnrollmentRule)
            .values(values)
            .on_conflict_do_update(
                index_elements=["workspace_id", "path_id", "source", "source_id"], set_=changes
            )
        )
    return tuple(source.label for source in sources)


class KeepEnrolledService:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        members: MemberService,
        default_tz: str,
        clients: WorkspaceClients,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._members = members
        self._tz = default_tz
        self._clients = clients

    def group_changed(
        self, *, team_id: str, event: dict[str, object], client: WebClient
    ) -> list[Joined]:
        """subteam_members_changed: enroll who was added; a gap in Slack's dates (an event
        we never saw) means the whole group is compared instead."""
        group = str(event.get("subteam_id") or "")
        raw = event.get("added_users")
        added = [str(u) for u in raw if u] if isinstance(raw, list) else []
        before, after = _stamp(event.get("date_previous_update")), _stamp(event.get("date_update"))
        joined: list[Joined] = []
        for rule in self._rules(team_id, RuleSource.USERGROUP, group):
            missed = rule.group_updated_at is not None and before != rule.group_updated_at
            people = self._group_members(client, group) if missed else added
            if missed:
                log.info("user group %s: an update was missed; comparing all members", group)
            if people is not None:
                joined.append(self._enroll(rule.id, people, client))
            self._seen_update(rule.id, after)
        return [j for j in joined if j.enrolled]

    def channel_joined(
        self, *, team_id: str, event: dict[str, object], client: WebClient
    ) -> list[Joined]:
        """member_joined_channel: enroll the newcomer on every path kept for that channel."""
        channel, user = str(event.get("channel") or ""), str(event.get("user") or "")
        joined = [
            self._enroll(r.id, [user], client)
            for r in self._rules(team_id, RuleSource.CHANNEL, channel)
        ]
        return [j for j in joined if j.enrolled]

    def reconcile(
        self, *, client: WebClient, force: bool = False, dry_run: bool = False
    ) -> list[Joined]:
        """Compare each kept group or channel with its path's enrollments (rules last
        compared more than ~a day ago, or all of them with `force`)."""
        now = self._clock.now()
        r = EnrollmentRule
        with self._sessions.begin() as s:
            due = s.scalars(
                select(r.id)
                .join(TrainingResource, TrainingResource.id == r.path_id)
                .where(r.active, TrainingResource.status == ResourceStatus.PUBLISHED.value,
                       still_installed(r.workspace_id))
                .where(*(() if force else (
                    (r.reconciled_at.is_(None)) | (r.reconciled_at <= now - RECONCILE_EVERY),
                )))
                .order_by(r.id)
            ).all()  # fmt: skip
        found: list[Joined] = []
        bots: dict[int, str | None] = {}  # a channel's members include Trainbot itself
        for rule_id in due:
            rule = self._rule(rule_id)
            ws_client = self._clients.of(client, rule.workspace_id)
            if ws_client is None:
                continue  # not installed there (any more): nobody to ask, nothing assumed
            if rule.workspace_id not in bots:
                bots[rule.workspace_id] = _bot_user(ws_client)
            if rule.source == RuleSource.USERGROUP.value:
                people = self._group_members(ws_client, rule.source_id)
            else:
                people = self._channel_members(ws_client, rule.source_id)
            if people is None:
                continue  # Slack could not say: try again next sweep, nothing is assumed
            people = [p for p in people if p != bots[rule.workspace_id]]
            found.append(self._enroll(rule_id, people, ws_client, dry_run=dry_run))
            if not dry_run:
                self._mark_reconciled(rule_id, now)
        return [j for j in found if j.enrolled]

    def _enroll(
        self, rule_id: int, user_ids: Sequence[str], client: WebClient, *, dry_run: bool = False
    ) -> Joined:
        """Enroll those of these people the rule admits and the path never had (a dry run
        writes nothing: people Trainbot has not met yet are listed, their profile unread)."""
        rule = self._rule(rule_id)
        if dry_run:
            return self._would_enroll(rule, user_ids)
        now = self._clock.now()
        with self._sessions.begin() as s:
            members = members_for(s, rule.workspace_id, user_ids, now)
            ever = _enrolled_ever(s, rule.path_id, [m.id for m in members])
            new = [m.slack_user_id for m in members if m.id not in ever]
        if new:
            self._members.profile_strangers(
                workspace_id=rule.workspace_id, user_ids=new, profiles=client
            )
        with self._sessions.begin() as s:
            title = s.get_one(TrainingResource, rule.path_id).title
            admitted = [m for m in members_for(s, rule.workspace_id, new, now) if _admits(rule, m)]
            created: dict[int, Member] = {}
            for tz, people in _by_tz(admitted, self._tz).items():
                terms = Enrolment(rule.path_id, rule.assigned_by_id, Priority(rule.priority),
                                  rule.note, local_today(now, tz), rule_id=rule.id)  # fmt: skip
                created.update(enroll(s, rule.workspace_id, terms, people, now, self._tz))
            steps = opened_steps(s, tuple(created))
        return Joined(rule.id, title, rule.source_label,
                      tuple(m.slack_user_id for m in created.values()), steps)  # fmt: skip

    def _would_enroll(self, rule: EnrollmentRule, user_ids: Sequence[str]) -> Joined:
        m = Member
        with self._sessions.begin() as s:
            title = s.get_one(TrainingResource, rule.path_id).title
            in_workspace = m.workspace_id == rule.workspace_id
            known = {x.slack_user_id: x for x in s.scalars(
                select(m).where(in_workspace, one_of(m.slack_user_id, user_ids)))}  # fmt: skip
            ever = _enrolled_ever(s, rule.path_id, [x.id for x in known.values()])
        wanted = [
            u for u in dict.fromkeys(user_ids)
            if u not in known or (known[u].id not in ever and _admits(rule, known[u]))
        ]  # fmt: skip
        return Joined(rule.id, title, rule.source_label, tuple(wanted), ())

    def _rules(self, team_id: str, source: RuleSource, source_id: str) -> list[EnrollmentRule]:
        r = EnrollmentRule
        with self._sessions.begin() as s:
            return list(s.scalars(
                select(r)
                .join(Workspace, Workspace.id == r.workspace_id)
                .join(TrainingResource, TrainingResource.id == r.path_id)
                .where(Workspace.team_id == team_id, r.source == source.value,
                       r.source_id == source_id, r.active,
                       TrainingResource.status == ResourceStatus.PUBLISHED.value)
                .order_by(r.id)
            ))  # fmt: skip

    def _rule(self, rule_id: int) -> EnrollmentRule:
        with self._sessions.begin() as s:
            return s.get_one(EnrollmentRule, rule_id)

    def _seen_update(self, rule_id: int, stamp: int | None) -> None:
        if stamp is None:
            return
        with self._sessions.begin() as s:
            rule = s.get_one(EnrollmentRule, rule_id)
            rule.group_updated_at = max(stamp, rule.group_updated_at or 0)

    def _mark_reconciled(self, rule_id: int, now: datetime) -> None:
        with self._sessions.begin() as s:
            s.get_one(EnrollmentRule, rule_id).reconciled_at = now

    def _group_members(self, client: WebClient, group_id: str) -> list[str] | None:
        try:
            answer = client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as error:
            log.warning("user group %s: %s", group_id, error.response.get("error"))
            return None
        return [str(u) for u in answer.get("users") or []]

    def _channel_members(self, client: WebClient, channel_id: str) -> list[str] | None:
        people, problems = channel_members(client, [channel_id])
        if problems:
            log.warning("channel %s: %s", channel_id, "; ".join(problems))
            return None
        return people


def _bot_user(client: WebClient) -> str | None:
    try:
        return str(client.auth_test()["user_id"])
    except SlackApiError as error:
        log.warning("auth.test failed: %s", error.response.get("error"))
        return None


def _enrolled_ever(s: Session, path_id: int, member_ids: Sequence[int]) -> set[int]:
    """Which of these people were ever enrolled on the path (finished or cancelled too)."""
    e = PathEnrollment
    found: set[int] = set()
    for start in range(0, len(member_ids), IDS_PER_QUERY):
        chunk = member_ids[start : start + IDS_PER_QUERY]
        found.update(s.scalars(select(e.member_id).where(e.path_id == path_id,
                                                          e.member_id.in_(chunk))))  # fmt: skip
    return found


def _admits(rule: EnrollmentRule, member: Member) -> bool:
    if member.is_bot or member.is_deactivated:
        return False
    return rule.include_guests or not member.is_guest


def _by_tz(members: Sequence[Member], default_tz: str) -> dict[str, list[Member]]:
    """People by timezone: each enrollment starts on its learner's own today."""
    groups: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        groups[member.tz or default_tz].append(member)
    return groups


def _stamp(value: object) -> int | None:
    """Slack's dates arrive as numbers or as strings of them: parse defensively."""
    try:
        return int(str(value).split(".")[0]) if value not in (None, "") else None
    except ValueError:
        return None
