"""Reads on cases for the inbox, the case view and the API. Visibility is applied first, always."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kundenversteher.cases.access import UserLike
from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.cases.models import Case, CaseQuerySet, Message, RoutingDecision
from kundenversteher.cases.states import ACTIVE_STATUSES
from kundenversteher.cases.types import CaseRef

ORDERINGS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "due": ("resolution_due", "id"),
    "priority": ("-priority_rank", "created_at", "id"),
}


def sla_due_q(now: datetime, horizon: datetime) -> Q:
    """A running SLA clock falls due after ``now`` and by ``horizon`` (callers add: active,
    not paused)."""
    return (
        Q(
            first_responded_at__isnull=True,
            first_response_due__gt=now,
            first_response_due__lte=horizon,
        )
        | Q(next_response_due__gt=now, next_response_due__lte=horizon)
        | Q(resolution_due__gt=now, resolution_due__lte=horizon)
    )


def sla_breached_q(now: datetime) -> Q:
    """A running SLA clock is overdue at ``now`` (callers add: active, not paused)."""
    return (
        Q(first_responded_at__isnull=True, first_response_due__lte=now)
        | Q(next_response_due__lte=now)
        | Q(resolution_due__lte=now)
    )


def list_cases(
    *,
    user: UserLike,
    status: Sequence[str] = (),
    team_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    priority: Sequence[str] = (),
    channel: Sequence[str] = (),
    intent: str = "",
    customer_id: int | None = None,
    q: str = "",
    sla: str = "",
    ordering: str = "-created",
    now: datetime | None = None,
    due_within_minutes: int = 60,
) -> CaseQuerySet:
    """The visible cases matching all given filters. ``sla``: "" | "due" | "breached"."""
    qs = Case.objects.visible_to(user).select_related("team", "assignee", "customer")
    if status:
        qs = qs.filter(status__in=list(status))
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    if priority:
        qs = qs.filter(priority__in=list(priority))
    if channel:
        qs = qs.filter(channel__in=list(channel))
    if intent:
        qs = qs.filter(intent=intent)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(number__iexact=term)
            | Q(subject__icontains=term)
            | Q(customer__last_name__icontains=term)
        )
    if sla:
        now = now or timezone.now()
        running = qs.filter(status__in=list(ACTIVE_STATUSES), sla_paused_at__isnull=True)
        if sla == "due":
            qs = running.filter(sla_due_q(now, now + timedelta(minutes=due_within_minutes)))
        elif sla == "breached":
            qs = running.filter(sla_breached_q(now))
        else:
            raise ValueError(f"unknown sla filter {sla!r}")
    if ordering not in ORDERINGS:
        raise ValueError(f"unknown ordering {ordering!r}")
    if ordering == "priority":
        qs = qs.annotate(
            priority_rank=SqlCase(
                When(priority="urgent", then=Value(3)),
                When(priority="high", then=Value(2)),
                When(priority="normal", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return qs.order_by(*ORDERINGS[ordering])


def get_case_detail(*, user: UserLike, case_id: int) -> Case:
    """The case with messages (and their attachments), links and team; NotFound if not visible.

    A case that exists but is not visible raises the same error as a missing one, so guessing
    ids reveals nothing.
    """
    messages = Message.objects.select_related("author").prefetch_related("attachments", "mentions")
    try:
        return (
            Case.objects.visible_to(user)
            .select_related("team", "assignee", "customer", "sla_policy", "merged_into")
            .prefetch_related(
                Prefetch("messages", queryset=messages),
                "links_from__to_case",
                "links_to__from_case",
            )
            .get(pk=case_id)
        )
    except Case.DoesNotExist as exc:
        raise CaseNotFound(_("Anliegen nicht gefunden.")) from exc


def get_case_by_number(*, user: UserLike, number: str) -> Case:
    case_id = (
        Case.objects.visible_to(user)
        .filter(number=number.strip().upper())
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is None:
        raise CaseNotFound(_("Anliegen nicht gefunden."))
    return get_case_detail(user=user, case_id=case_id)


def count_open_by_agent(*, team_id: int | None = None) -> dict[int, int]:
    """Open (active) cases per assignee user id."""
    qs = Case.objects.filter(status__in=list(ACTIVE_STATUSES), assignee__isnull=False)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return {
        row["assignee_id"]: row["n"]
        for row in qs.values("assignee_id").annotate(n=Count("id")).order_by("assignee_id")
    }


def list_team_queue(*, user: UserLike, team_id: int) -> CaseQuerySet:
    """Unassigned active cases of a team, oldest first (what the team should pick up next)."""
    return (
        Case.objects.visible_to(user)
        .filter(team_id=team_id, assignee__isnull=True, status__in=list(ACTIVE_STATUSES))
        .select_related("customer")
        .order_by("created_at", "id")
    )


def list_routing_decisions(*, user: UserLike, case_id: int) -> list[RoutingDecision]:
    """ "Why did this land with me?" – newest decision first."""
    if not Case.objects.visible_to(user).filter(pk=case_id).exists():
        raise CaseNotFound(_("Anliegen nicht gefunden."))
    return list(
        RoutingDecision.objects.filter(case_id=case_id).select_related("team", "agent", "rule")
    )


def get_case_ref(*, number: str) -> CaseRef | None:
    """System lookup (no user): the case a "KV-2026-000123" in a subject refers to, if any.

    For the intake pipeline's threading; never expose it to users without a visibility check.
    """
    row = (
        Case.objects.filter(number=number.strip().upper())
        .values("id", "number", "status", "customer_id")
        .first()
    )
    return CaseRef(**row) if row is not None else None
