"""Template helpers for staff pages: navigation by role, query strings, case links, SLA state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django import template
from django.http import QueryDict
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kundenversteher.cases.access import role_of
from kundenversteher.cases.models import STATUS_CHOICES, Case, Channel, Priority, Role
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


# ----------------------------------------------------------------------------- inbox table row
#
# The inbox renders 50 rows per page. As a template (``{% include %}`` per row, a dozen
# ``{% translate %}`` and display look-ups each) the rows cost ~1.5 ms of CPU apiece, most of the
# page's server time on the large data set; built here they cost well under 0.1 ms. The row
# markup lives only here: the inbox table and the live-update row endpoint (``_case_row.html``)
# both use this tag, so they cannot drift apart.


@dataclass(frozen=True, slots=True)
class _RowLabels:
    """The row's fixed texts in one language (translated once, not 20 times per row)."""

    number: str
    subject: str
    customer: str
    status: str
    priority: str
    channel: str
    team: str
    assignee: str
    received: str
    due: str
    unknown: str
    nobody: str
    breached: str
    due_soon: str
    paused: str
    select: str  # "%(number)s auswählen"
    reason: str
    sla_breached: str
    not_assigned: str
    statuses: dict[str, str]
    priorities: dict[str, str]
    channels: dict[str, str]
    intents: dict[str, str]


@lru_cache(maxsize=16)
def _row_labels(language: str | None) -> _RowLabels:
    # Keyed by language: the msgids are the same as in the templates, so the catalogues apply.
    del language  # the key only; gettext reads the active language itself
    return _RowLabels(
        number=_("Nummer"),
        subject=_("Betreff"),
        customer=_("Kunde"),
        status=_("Status"),
        priority=_("Priorität"),
        channel=_("Kanal"),
        team=_("Team"),
        assignee=_("Bearbeitet von"),
        received=_("Eingang"),
        due=_("Fällig"),
        unknown=_("unbekannt"),
        nobody=_("niemand"),
        breached=_("überfällig"),
        due_soon=_("bald fällig"),
        paused=_("angehalten"),
        select=_("%(number)s auswählen"),
        reason=_("Grund"),
        sla_breached=_("SLA überschritten"),
        not_assigned=_("nicht zugewiesen"),
        statuses={value: str(label) for value, label in STATUS_CHOICES},
        priorities={value: str(label) for value, label in Priority.choices},
        channels={value: str(label) for value, label in Channel.choices},
        intents={value: str(label) for value, label in INTENT_LABELS.items()},
    )


# What reverse() leaves unquoted in a path argument (django.urls.resolvers, RFC 3986).
URL_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=8)
def _case_url_pattern(urlconf: str | None) -> str:
    # One reverse() per URL configuration instead of two per row; the marker is a valid case
    # number, so the resolver accepts it, and it occurs nowhere else in the path.
    del urlconf  # the key only: tests may swap the URL configuration
    return case_url_for("KV-0000-000000")


def case_url_for(number: str) -> str:
    return _reverse_or_empty("workspace:case", number=number) or f"/cases/{number}/"


def _iso(value: datetime) -> str:
    # The "date" filter's "c" (ISO 8601) in the current time zone.
    return localtime(value).isoformat()


def _local(value: datetime, fmt: str) -> str:
    # strftime equivalents of the templates' "d.m.y H:i" / "d.m. H:i" (digits only).
    return localtime(value).strftime(fmt)


def _display(labels: dict[str, str], value: str) -> str:
    return labels.get(value, value)


def _holder(case: Case, nobody: str) -> str:
    assignee = case.assignee
    if assignee is None:
        return f'<span class="muted">{nobody}</span>'
    return escape(assignee.get_full_name() or assignee.get_username())


def _url(case: Case) -> str:
    # quote() as reverse() does it, then escaped as the template's autoescape did.
    return escape(
        _case_url_pattern(get_urlconf()).replace(
            "KV-0000-000000", quote(case.number, safe=URL_SAFE)
        )
    )


def render_case_row(case: Case, now: datetime) -> SafeString:
    """The inbox's ``<tr>`` for one case (same markup the former row template produced).

    Plain f-strings with explicit ``escape()`` of every value that is not ours: format_html
    costs twice as much for 30 values per row."""
    labels = _row_labels(get_language())
    sla = sla_state(case, now)
    url = _url(case)
    pk = int(case.pk)
    number = escape(case.number)
    intent = (
        f' <span class="intent">{escape(labels.intents.get(case.intent, case.intent))}</span>'
        if case.intent
        else ""
    )
    customer = case.customer
    who = (
        f"{escape(customer.first_name)} {escape(customer.last_name)}"
        if customer is not None
        else f'<span class="muted">{escape(labels.unknown)}</span>'
    )
    team = case.team
    due = "—"
    if sla.due is not None:
        badge = {
            "breached": f' <span class="badge sla-breached">{escape(labels.breached)}</span>',
            "due": f' <span class="badge sla-due">{escape(labels.due_soon)}</span>',
            "paused": f' <span class="badge sla-paused">{escape(labels.paused)}</span>',
        }.get(sla.state, "")
        due = f'<time datetime="{_iso(sla.due)}">{_local(sla.due, "%d.%m. %H:%M")}</time>{badge}'
    state = f" sla-{escape(sla.state)}" if sla.state else ""
    priority = escape(case.priority)
    status = escape(case.status)
    select = escape(labels.select % {"number": case.number})
    return mark_safe(  # noqa: S308 - every value above is escaped or our own markup
        "\n"
        f'<tr id="case-row-{pk}" class="case-row priority-{priority}{state}"\n'
        f'    data-kv-row data-case-id="{pk}" data-href="{url}" tabindex="-1">\n'
        f'  <td class="col-select"><input type="checkbox" name="case" value="{pk}" data-kv-select\n'
        f'      id="select-{pk}" aria-label="{select}"></td>\n'
        f'  <td data-label="{escape(labels.number)}"><a class="case-link" href="{url}">'
        f"{number}</a></td>\n"
        f'  <td data-label="{escape(labels.subject)}" class="subject">{escape(case.subject)}'
        f"{intent}</td>\n"
        f'  <td data-label="{escape(labels.customer)}">{who}</td>\n'
        f'  <td data-label="{escape(labels.status)}"><span class="badge status-{status}">'
        f"{escape(_display(labels.statuses, case.status))}</span></td>\n"
        f'  <td data-label="{escape(labels.priority)}"><span class="badge priority-{priority}">'
        f"{escape(_display(labels.priorities, case.priority))}</span></td>\n"
        f'  <td data-label="{escape(labels.channel)}" class="col-channel">'
        f"{escape(_display(labels.channels, case.channel))}</td>\n"
        f'  <td data-label="{escape(labels.team)}">'
        f"{escape((team.name or '—') if team is not None else '—')}</td>\n"
        f'  <td data-label="{escape(labels.assignee)}">'
        f"{_holder(case, escape(labels.nobody))}</td>\n"
        f'  <td data-label="{escape(labels.received)}"><time datetime="{_iso(case.received_at)}">'
        f"{_local(case.received_at, '%d.%m.%y %H:%M')}</time></td>\n"
        f'  <td data-label="{escape(labels.due)}">{due}</td>\n'
        "</tr>\n"
    )


@register.simple_tag
def case_row(case: Case, now: datetime) -> SafeString:
    return render_case_row(case, now)


def render_attention_row(item: Any, now: datetime, warning_minutes: int) -> SafeString:
    """A row of the team screen's "Handlungsbedarf" table (``supervisor.AttentionCase``), built
    here for the same reason as the inbox rows (up to 100 per page)."""
    labels = _row_labels(get_language())
    case = item.case
    sla = sla_state(case, now, warning_minutes)
    if item.breached:
        reason = (
            f'<span class="badge sla-breached">{escape(labels.sla_breached)}</span>\n              '
        )
    elif item.due_soon:
        reason = f'<span class="badge sla-due">{escape(labels.due_soon)}</span>\n              '
    else:
        reason = f'<span class="badge">{escape(labels.not_assigned)}</span>'
    due = (
        f'<time datetime="{_iso(sla.due)}">{_local(sla.due, "%d.%m. %H:%M")}</time>'
        if sla.due is not None
        else "—"
    )
    team = case.team
    pk = int(case.pk)
    return mark_safe(  # noqa: S308 - every value above is escaped or our own markup
        "\n"
        f'          <tr class="case-row{" sla-breached" if item.breached else ""}"'
        f' data-case-id="{pk}">\n'
        '            <td class="col-select">\n'
        f'              <input type="checkbox" name="case" value="{pk}" id="reassign-{pk}"\n'
        f'                     aria-label="{escape(labels.select % {"number": case.number})}">\n'
        f'              <input type="hidden" name="version-{pk}" value="{int(case.version)}">\n'
        "            </td>\n"
        f'            <td data-label="{escape(labels.number)}"><a class="case-link"'
        f' href="{_url(case)}">{escape(case.number)}</a></td>\n'
        f'            <td data-label="{escape(labels.subject)}" class="subject">'
        f"{escape(case.subject)}</td>\n"
        f'            <td data-label="{escape(labels.reason)}">\n'
        f"              {reason}\n"
        "            </td>\n"
        f'            <td data-label="{escape(labels.team)}">'
        f"{escape((team.name or '—') if team is not None else '—')}</td>\n"
        f'            <td data-label="{escape(labels.assignee)}">'
        f"{_holder(case, escape(labels.nobody))}</td>\n"
        f'            <td data-label="{escape(labels.due)}">{due}</td>\n'
        "          </tr>\n"
        "          "
    )


@register.simple_tag
def attention_row(item: Any, now: datetime, warning_minutes: int = 60) -> SafeString:
    return render_attention_row(item, now, warning_minutes)
