"""Template helpers for staff pages: navigation by role, query strings, case links, SLA state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from kundenversteher.cases.access import role_of
from kundenversteher.cases.models import Case, Role
from kundenversteher.cases.states import ACTIVE_STATUSES
from kundenversteher.workspace.case_forms import INTENT_LABELS

register = template.Library()


def _reverse_or_empty(name: str, **kwargs: Any) -> str:
    # Screens land independently (one module per screen): a missing one hides its link.
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True, slots=True)
class StaffNav:
    role: str | None
    inbox_url: str
    team_url: str  # empty for agents or when the supervisor screen is not installed
    admin_url: str  # empty unless the user may use Django's admin


@register.simple_tag(takes_context=True)
def staff_nav(context: template.Context) -> StaffNav:
    request = context.get("request")
    user = getattr(request, "user", None)
    role = role_of(user)
    return StaffNav(
        role=role,
        inbox_url=_reverse_or_empty("workspace:inbox"),
        team_url=(
            _reverse_or_empty("workspace:supervisor")
            if role in {Role.ADMIN, Role.SUPERVISOR}
            else ""
        ),
        admin_url=_reverse_or_empty("admin:index") if getattr(user, "is_staff", False) else "",
    )


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced; None or "" removes one.

    ``{% query_with page=2 %}`` → ``?view=mine&q=Heizung&page=2``.
    """
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def case_url(case: Case) -> str:
    """Link to the case view (``workspace:case``); the conventional path while it is missing."""
    return _reverse_or_empty("workspace:case", number=case.number) or f"/cases/{case.number}/"


@dataclass(frozen=True, slots=True)
class SlaState:
    state: str  # "breached" | "due" | "ok" | "paused" | "" (no running clock)
    due: datetime | None


@register.simple_tag
def sla_state(case: Case, now: datetime, warning_minutes: int = 60) -> SlaState:
    """The earliest running SLA clock of a case, and whether it is overdue or due soon."""
    if case.status not in ACTIVE_STATUSES:
        return SlaState("", None)
    dues = [
        due
        for due in (
            case.first_response_due if case.first_responded_at is None else None,
            case.next_response_due,
            case.resolution_due,
        )
        if due is not None
    ]
    if not dues:
        return SlaState("", None)
    due = min(dues)
    if case.sla_paused_at is not None:
        return SlaState("paused", due)
    if due <= now:
        return SlaState("breached", due)
    if (due - now).total_seconds() <= warning_minutes * 60:
        return SlaState("due", due)
    return SlaState("ok", due)


@register.filter
def intent_label(value: str) -> str:
    return str(INTENT_LABELS.get(value, value))
