"""The supervisor screen ``/team/``: team queues, agent load and presence, SLA breaches and cases
due soon, reassignment. Supervisors see the teams they belong to (restricted ones included),
admins all teams; agents and customers get 403.

Reads are the small query functions below (always through ``Case.objects.visible_to``); the one
write, reassignment, goes through ``cases.services.assign_case`` with the version each case had
when the page was rendered, so a case someone else moved meanwhile is reported, not overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kundenversteher.cases import services
from kundenversteher.cases.access import role_of
from kundenversteher.cases.errors import CaseError
from kundenversteher.cases.models import AgentProfile, Case, Role, Team
from kundenversteher.cases.queries import (
    count_open_by_agent,
    list_cases,
    sla_breached_q,
    sla_due_q,
)
from kundenversteher.cases.states import ACTIVE_STATUSES, Status
from kundenversteher.workspace import presence

SUPERVISOR_ROLES = {Role.ADMIN.value, Role.SUPERVISOR.value}
ATTENTION_LIMIT = 100  # cases listed for action; the queue table counts them all
NO_TEAM = "none"  # filter value: cases not routed to any team
RELEASE = "release"  # agent value: take the assignment away (an explicit choice, never a default)


@dataclass(frozen=True)
class TeamQueue:
    team_id: int | None  # None: not routed to a team yet
    name: str
    restricted: bool
    new: int
    open: int
    waiting: int
    unassigned: int
    breached: int
    due_soon: int
    total: int


@dataclass(frozen=True)
class AgentLoad:
    user_id: int
    name: str
    role: str
    teams: tuple[str, ...]
    open_cases: int
    capacity: int
    absent_until: datetime | None
    online: bool

    @property
    def load_percent(self) -> int:
        return round(100 * self.open_cases / self.capacity) if self.capacity else 0

    @property
    def overloaded(self) -> bool:
        return self.open_cases >= self.capacity


@dataclass(frozen=True)
class AttentionCase:
    case: Case
    breached: bool
    due_soon: bool


def _display_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def supervised_teams(user: Any) -> list[Team]:
    """Admins: every team; supervisors: the teams they belong to; anyone else: none."""
    role = role_of(user)
    if role == Role.ADMIN:
        return list(Team.objects.order_by("name"))
    if role == Role.SUPERVISOR:
        return list(Team.objects.filter(members__user_id=user.pk).distinct().order_by("name"))
    return []


def _scope(team_ids: Sequence[int], *, include_unrouted: bool) -> Q:
    scope = Q(team_id__in=list(team_ids))
    if include_unrouted:
        scope |= Q(team__isnull=True)
    return scope


def team_queues(
    *, user: Any, teams: Sequence[Team], include_unrouted: bool, now: datetime, due_minutes: int
) -> list[TeamQueue]:
    """Active cases per team: by status, unassigned, SLA breached and due soon."""
    scope = _scope([t.pk for t in teams], include_unrouted=include_unrouted)
    waiting = [Status.WAITING_CUSTOMER.value, Status.WAITING_THIRD_PARTY.value]
    # One query: the SLA columns are conditional counts over the same active cases (the clock
    # runs unless paused), as cases.queries.list_cases(sla=…) defines them.
    running = Q(sla_paused_at__isnull=True)
    rows = {
        row["team_id"]: row
        for row in Case.objects.visible_to(user)
        .filter(scope, status__in=list(ACTIVE_STATUSES))
        .values("team_id")
        .annotate(
            new=Count("id", filter=Q(status=Status.NEW.value)),
            open=Count("id", filter=Q(status=Status.OPEN.value)),
            waiting=Count("id", filter=Q(status__in=waiting)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            breached=Count("id", filter=running & sla_breached_q(now)),
            due=Count(
                "id",
                filter=running & sla_due_q(now, now + timedelta(minutes=due_minutes)),
            ),
            total=Count("id"),
        )
        .order_by()
    }
    entries: list[tuple[int | None, str, bool]] = [(t.pk, t.name, t.restricted) for t in teams]
    if include_unrouted:
        entries.append((None, _("Ohne Team"), False))
    queues = []
    for team_id, name, restricted in entries:
        row = rows.get(team_id, {})
        queues.append(
            TeamQueue(
                team_id=team_id,
                name=name,
                restricted=restricted,
                new=row.get("new", 0),
                open=row.get("open", 0),
                waiting=row.get("waiting", 0),
                unassigned=row.get("unassigned", 0),
                breached=row.get("breached", 0),
                due_soon=row.get("due", 0),
                total=row.get("total", 0),
            )
        )
    return queues


def agent_loads(*, teams: Sequence[Team], now: datetime) -> list[AgentLoad]:
    """Staff of the given teams: open cases (all teams) against capacity, absence, presence."""
    profiles = list(
        AgentProfile.objects.filter(teams__in=list(teams), user__is_active=True)
        .distinct()
        .select_related("user")
        .prefetch_related("teams")
    )
    open_counts = count_open_by_agent()
    online = presence.online_user_ids(user_ids=[p.user_id for p in profiles], now=now)
    loads = [
        AgentLoad(
            user_id=p.user_id,
            name=_display_name(p.user),
            role=str(p.get_role_display()),
            teams=tuple(sorted(t.name for t in p.teams.all())),
            open_cases=open_counts.get(p.user_id, 0),
            capacity=int(p.capacity),
            absent_until=p.absent_until if p.absent_until and p.absent_until > now else None,
            online=p.user_id in online,
        )
        for p in profiles
    ]
    return sorted(loads, key=lambda load: load.name.casefold())


def attention_cases(
    *,
    user: Any,
    teams: Sequence[Team],
    include_unrouted: bool,
    now: datetime,
    due_minutes: int,
    limit: int = ATTENTION_LIMIT,
) -> list[AttentionCase]:
    """Cases needing a supervisor: SLA breached, then due soon, then unassigned (oldest first)."""
    scope = _scope([t.pk for t in teams], include_unrouted=include_unrouted)
    # The rows show team and assignee, never the customer: no customer join and instances.
    slim = ("team", "assignee")
    # Each list is read only up to the places still free: the same result as reading ``limit``
    # of each and cutting, without loading (and later dropping) up to 200 rows more. A list cut
    # short leaves no place free, so the exclusions of the next list stay complete.
    breached = list(
        list_cases(user=user, sla="breached", now=now, ordering="due")
        .select_related(None)
        .select_related(*slim)
        .filter(scope)[:limit]
    )
    due: list[Case] = []
    if len(breached) < limit:
        due = list(
            list_cases(
                user=user, sla="due", now=now, due_within_minutes=due_minutes, ordering="due"
            )
            .select_related(None)
            .select_related(*slim)
            .filter(scope)
            .exclude(pk__in=[c.pk for c in breached])[: limit - len(breached)]
        )
    unassigned: list[Case] = []
    if len(breached) + len(due) < limit:
        seen = {c.pk for c in breached} | {c.pk for c in due}
        unassigned = list(
            list_cases(user=user, status=list(ACTIVE_STATUSES), unassigned=True, ordering="created")
            .select_related(None)
            .select_related(*slim)
            .filter(scope)
            .exclude(pk__in=seen)[: limit - len(breached) - len(due)]
        )
    result = [AttentionCase(c, breached=True, due_soon=False) for c in breached]
    result += [AttentionCase(c, breached=False, due_soon=True) for c in due]
    result += [AttentionCase(c, breached=False, due_soon=False) for c in unassigned]
    return result[:limit]


def assignable_agents(*, teams: Sequence[Team]) -> list[Any]:
    """Active staff of the given teams (the service still checks restricted-team membership)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__teams__in=list(teams))
        .distinct()
    )
    return sorted(users, key=lambda u: _display_name(u).casefold())


def _require_supervisor(request: HttpRequest) -> None:
    if role_of(request.user) not in SUPERVISOR_ROLES:
        raise PermissionDenied(_("Nur für Teamleitung und Administration."))


def _selected(request: HttpRequest, teams: list[Team]) -> tuple[list[Team], bool, str]:
    """The team filter: one of the supervised teams, "none" (unrouted) or all ("")."""
    value = str(request.GET.get("team", "")).strip()
    if value == NO_TEAM:
        return [], True, value
    if value.isdigit():
        chosen = [t for t in teams if t.pk == int(value)]
        if chosen:
            return chosen, False, value
    return teams, True, ""


@login_required
@require_GET
def team_overview(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    now = timezone.now()
    due_minutes = int(getattr(settings, "KV_SLA_WARNING_MINUTES", 60))
    teams = supervised_teams(request.user)
    scope_teams, include_unrouted, selected = _selected(request, teams)
    context = {
        "teams": teams,
        "selected": selected,
        "no_team": NO_TEAM,
        "release": RELEASE,
        "queues": team_queues(
            user=request.user,
            teams=scope_teams,
            include_unrouted=include_unrouted,
            now=now,
            due_minutes=due_minutes,
        ),
        "agents": agent_loads(teams=scope_teams or teams, now=now),
        "attention": attention_cases(
            user=request.user,
            teams=scope_teams,
            include_unrouted=include_unrouted,
            now=now,
            due_minutes=due_minutes,
        ),
        "assignable": assignable_agents(teams=teams),
        "due_minutes": due_minutes,
        "attention_limit": ATTENTION_LIMIT,
        "now": now,
        "online_window_seconds": int(presence.ONLINE_WINDOW / timedelta(seconds=1)),
    }
    return render(request, "workspace/supervisor.html", context)


def _back(selected: str) -> HttpResponseRedirect:
    url = reverse("workspace:supervisor")
    return HttpResponseRedirect(f"{url}?{urlencode({'team': selected})}" if selected else url)


@login_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Assign the selected cases to one agent (or release them: agent "release")."""
    _require_supervisor(request)
    selected = str(request.POST.get("team", ""))
    selected = selected if selected == NO_TEAM or selected.isdigit() else ""
    case_ids = [int(v) for v in request.POST.getlist("case") if v.isdigit()]
    raw_agent = str(request.POST.get("agent", "")).strip()
    if not case_ids:
        messages.warning(request, _("Bitte mindestens ein Anliegen auswählen."))
        return _back(selected)
    if raw_agent != RELEASE and not raw_agent.isdigit():
        messages.warning(request, _("Bitte auswählen, wem die Anliegen zugewiesen werden."))
        return _back(selected)
    agent_id = None if raw_agent == RELEASE else int(raw_agent)
    done: list[str] = []
    failed: list[str] = []
    for case_id in dict.fromkeys(case_ids):
        version = str(request.POST.get(f"version-{case_id}", ""))
        try:
            if not version.isdigit():
                raise CaseError(_("Seite veraltet; bitte neu laden."))
            case = services.assign_case(
                case_id=case_id,
                agent_id=agent_id,
                by=request.user,  # type: ignore[arg-type]
                expected_version=int(version),
            )
            done.append(case.number)
        except CaseError as exc:
            failed.append(str(exc))
    if done:
        if agent_id is None:
            text = ngettext(
                "%(count)d Anliegen freigegeben: %(numbers)s",
                "%(count)d Anliegen freigegeben: %(numbers)s",
                len(done),
            )
        else:
            text = ngettext(
                "%(count)d Anliegen zugewiesen: %(numbers)s",
                "%(count)d Anliegen zugewiesen: %(numbers)s",
                len(done),
            )
        messages.success(request, text % {"count": len(done), "numbers": ", ".join(done)})
    for reason in failed:
        messages.error(request, reason)
    return _back(selected)


urlpatterns = [
    path("team/", team_overview, name="supervisor"),
    path("team/assign/", reassign, name="supervisor-assign"),
]
