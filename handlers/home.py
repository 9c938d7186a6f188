"""App Home and the events that keep what we know about people current."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import local_today
from bot.delivery import due_timestamp
from bot.ids import Action
from bot.render import render
from bot.services import Services
from bot.services.library import LibraryQuery
from bot.services.members import Caller
from bot.services.progress import Scope
from bot.services.team_suggestions import TeamSuggestion
from bot.slack_limits import VIEW_MAX_BLOCKS
from handlers.forms import option_label, query_from_dict
from handlers.library import library_view
from handlers.support import after_ack, caller_of

LIBRARY_TABS = ("browse", "content")


@dataclass(frozen=True)
class HomeState:
    """Which Home tab a manager looks at, with its filters (kept in the view's metadata)."""

    tab: str = "learning"
    domain: str | None = None
    type: str | None = None
    group: str | None = None  # a user group's id
    group_label: str | None = None
    library: dict[str, Any] = field(default_factory=dict)  # the Browse tab's query


def home_state(view: dict[str, Any] | None) -> HomeState:
    try:
        saved = json.loads((view or {}).get("private_metadata") or "{}")
        fields = {k: saved[k] for k in ("domain", "type", "group", "group_label") if k in saved}
        tab = str(saved.get("tab", "learning"))
        library = saved if tab in LIBRARY_TABS else {}  # the library's query is its metadata
        return HomeState(tab, **({} if tab in LIBRARY_TABS else fields), library=library)
    except (ValueError, AttributeError):
        return HomeState()


def library_query(state: HomeState) -> LibraryQuery:
    """Browse or Manage content: the query kept in the view, or that tab's own start."""
    own = state.tab == "content"
    query = query_from_dict(state.library)
    if query.own == own:
        return query
    return LibraryQuery(own=True, status=None) if own else LibraryQuery()


def handle_home_opened_event(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services
) -> None:
    if event.get("tab") != "home":
        return
    person = caller_of(body, services, client)
    publish_home(client, services, person, home_state(event.get("view")))


def publish_home(
    client: WebClient, services: Services, person: Caller, state: HomeState | None = None
) -> None:
    """Draw this person's Home tab as it is now (on opening it, and after changes)."""
    if state is not None and state.tab in LIBRARY_TABS:
        client.views_publish(
            user_id=person.user_id,
            view=library_view(services, person, library_query(state), home=True),
        )
        return
    if state is not None and state.tab == "team" and person.can_manage:
        client.views_publish(
            user_id=person.user_id, view=team_view(client, services, person, state)
        )
        return
    today = local_today(services.clock.now(), person.tz)
    recommended = services.recommendations.for_person(caller=person)
    data = dict(
        name=person.name,
        role=person.role.value,
        can_manage=person.can_manage,
        library_total=services.catalog.count_published(caller=person),
        d=services.dashboard.for_person(caller=person, today=today),
        paths=services.paths.for_person(caller=person),
        certificates=services.certificates.held_by(caller=person),
        today=today,
        due_ts=due_timestamp,
    )
    home = render("home.json.j2", recommended=recommended, **data)
    if (over := len(home["blocks"]) - VIEW_MAX_BLOCKS) > 0:  # a full Home: fewer suggestions
        kept = recommended.items[: max(0, len(recommended.items) - over)]
        home = render("home.json.j2", recommended=replace(recommended, items=kept), **data)
    client.views_publish(user_id=person.user_id, view=home)


def team_view(
    client: WebClient, services: Services, person: Caller, state: HomeState
) -> dict[str, Any]:
    """Team progress: the same figures as /progress, for what this manager assigned."""
    today = local_today(services.clock.now(), person.tz)
    people = None
    if state.group:
        try:
            people = tuple(services.usergroups.members(client, group_id=state.group))
        except SlackApiError:  # the group is gone (or the plan changed): show everyone
            state = replace(state, group=None, group_label=None)
    scope = Scope("your team", people=people, domain=state.domain, type=state.type)
    suggested: tuple[TeamSuggestion, ...] = ()
    if people is not None:
        label = state.group_label or "this group"
        suggested = services.team_suggestions.for_group(caller=person, people=people, label=label)
    progress = services.progress
    trainings, _ = progress.rows(caller=person, scope=scope, today=today, by_person=False)
    return render(
        "home_team.json.j2",
        people=progress.report(
            caller=person, scope=scope, today=today, by_person=True, detail=False
        ),
        trainings=trainings, suggested=suggested,
        state=state, domains=services.catalog.domains(caller=person),
        metadata=json.dumps({k: v for k, v in asdict(state).items() if k != "library"}),
    )  # fmt: skip


def handle_home_tab_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A tab button: the other tab (a team filter set on this visit stays)."""
    state = replace(home_state(body.get("view")), tab=str(body["actions"][0]["value"]))
    publish_home(client, services, caller_of(body, services, client), state)


def handle_team_filter_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A Team progress filter: the tab again, narrowed ("any" clears it)."""
    action = body["actions"][0]
    option = action.get("selected_option") or {"value": "any"}
    chosen = None if option["value"] == "any" else str(option["value"])
    state = home_state(body.get("view"))
    if action["action_id"] == Action.TEAM_FILTER_CLEAR:
        state = HomeState(tab="team")
    elif action["action_id"] == Action.TEAM_FILTER_DOMAIN:
        state = replace(state, domain=chosen)
    elif action["action_id"] == Action.TEAM_FILTER_TYPE:
        state = replace(state, type=chosen)
    else:  # the user group typeahead
        label = option_label(option, "") or None
        state = replace(state, group=chosen, group_label=label if chosen else None)
    publish_home(client, services, caller_of(body, services, client), state)


def handle_user_change_event(
    event: dict[str, Any], body: dict[str, Any], services: Services
) -> None:
    """Slack tells us about renames, timezone moves and deactivations."""
    services.members.apply_profile(team_id=str(body["team_id"]), user=event["user"])


def handle_home_browse_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    client.views_open(
        trigger_id=body["trigger_id"], view=library_view(services, caller, LibraryQuery())
    )


def register(app: App) -> None:
    app.event("app_home_opened")(after_ack(handle_home_opened_event))
    app.event("user_change")(after_ack(handle_user_change_event))
    app.action(Action.HOME_BROWSE)(after_ack(handle_home_browse_action))
    tab = after_ack(handle_home_tab_action)
    app.action(Action.HOME_TAB_LEARNING)(tab)
    app.action(Action.HOME_TAB_TEAM)(tab)
    app.action(Action.HOME_TAB_BROWSE)(tab)
    app.action(Action.HOME_TAB_CONTENT)(tab)
    team_filter = after_ack(handle_team_filter_action)
    app.action(Action.TEAM_FILTER_DOMAIN)(team_filter)
    app.action(Action.TEAM_FILTER_TYPE)(team_filter)
    app.action(Action.TEAM_FILTER_CLEAR)(team_filter)
    app.action(Action.ASSIGN_GROUPS)(team_filter)  # in modals it is an input: never dispatched
