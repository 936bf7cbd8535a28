"""The agents' inbox: views (mine, teams, unassigned, due, breached, waiting, all), filters,
full-text search, sorting, paging, bulk actions, and the row endpoint for live updates.

Reads go through ``cases.search`` (built on ``cases.queries.list_cases``), writes through
``cases.services`` one case at a time (each its own transaction, permission and version check).

Row endpoint ``GET /inbox/row/<case_id>/?<view params>`` (``workspace:case-row``), used by the live
updates: 200 with the ``<tr>`` when the case is visible and in the view, 204 when it is visible
but not (or no longer) in the view, 404 when it does not exist or the user may not see it — the
same answer for both, so guessing ids reveals nothing. A live client removes the row on 204 and
on 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kundenversteher.cases import services
from kundenversteher.cases.access import is_staff_role, role_of
from kundenversteher.cases.errors import CaseError
from kundenversteher.cases.models import Case, Role
from kundenversteher.cases.search import (
    InboxView,
    case_in_view,
    count_inbox_views,
    list_inbox,
    may_use_view,
)
from kundenversteher.cases.states import Status
from kundenversteher.workspace.forms import (
    BULK_ACTION_LABELS,
    PAGE_SIZE,
    SORT_LABELS,
    VIEW_LABELS,
    BulkAction,
    BulkActionForm,
    InboxFilterForm,
)

# Cases named one by one in a bulk result message; the rest are counted.
MAX_NAMED_SKIPS = 5


def _staff_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in staff user; customers and users without a role get 403."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not is_staff_role(role_of(user)):
        raise PermissionDenied
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    form = InboxFilterForm(request.GET, user=user)
    params = form.params()
    if not may_use_view(user, params.view):
        raise PermissionDenied
    now = timezone.now()
    offset = (params.page - 1) * PAGE_SIZE
    # One row more than shown tells whether a next page exists without counting everything.
    rows = list(
        list_inbox(user=user, view=params.view, filters=params.filters, sort=params.sort, now=now)[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    views = [view for view in InboxView if may_use_view(user, view)]
    counts = count_inbox_views(user=user, views=views, now=now)
    role = role_of(user)
    context = {
        "form": form,
        "params": params,
        "cases": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "has_previous": params.page > 1,
        "first_index": offset + 1,
        "last_index": offset + min(len(rows), PAGE_SIZE),
        "now": now,
        "nav_views": [(view, VIEW_LABELS[view], counts[view]) for view in views],
        "view_label": VIEW_LABELS[params.view],
        "sort_labels": SORT_LABELS,
        "bulk_labels": BULK_ACTION_LABELS,
        "bulk_form": BulkActionForm(),
        "can_assign_others": role in {Role.ADMIN, Role.SUPERVISOR},
        "filtered": any(
            key in request.GET
            for key in ("q", "status", "priority", "channel", "intent", "team", "language")
        )
        or bool(request.GET.get("assignee")),
    }
    # htmx swaps only the results when the filter bar changes; a normal request gets the page.
    if _is_htmx(request) and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "workspace/inbox_results.html", context)
    return render(request, "workspace/inbox.html", context)


@login_required
@require_GET
def case_row(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _staff_user(request)
    if not Case.objects.visible_to(user).filter(pk=case_id).exists():
        raise Http404
    params = InboxFilterForm(request.GET, user=user).params()
    if not may_use_view(user, params.view):
        raise PermissionDenied
    now = timezone.now()
    case = case_in_view(
        user=user, case_id=case_id, view=params.view, filters=params.filters, now=now
    )
    if case is None:
        return HttpResponse(status=204)
    return render(request, "workspace/_case_row.html", {"case": case, "now": now})


@dataclass
class BulkResult:
    done: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (case number, reason)

    def skip(self, number: str, reason: str) -> None:
        self.skipped.append((number, reason))


def apply_bulk_action(
    *,
    user: AbstractBaseUser,
    case_ids: list[int],
    action: str,
    agent_id: int | None = None,
    status: str = "",
    priority: str = "",
    now: datetime | None = None,
) -> BulkResult:
    """Apply one action to each case through the services, one transaction per case.

    A case that is not visible counts as skipped without its number (it may not be named); a
    closed case is skipped for assignment (nobody works on it any more); every refusal of a
    service (permission, transition, concurrent change) is kept as the reason.
    """
    result = BulkResult()
    cases = {case.pk: case for case in Case.objects.visible_to(user).filter(pk__in=case_ids)}
    for case_id in case_ids:
        case = cases.get(case_id)
        if case is None:
            result.skip("", _("nicht gefunden"))
            continue
        try:
            if action in {BulkAction.ASSIGN_ME, BulkAction.ASSIGN, BulkAction.RELEASE}:
                if case.status == Status.CLOSED:
                    result.skip(case.number, _("geschlossen"))
                    continue
                target = {
                    BulkAction.ASSIGN_ME: int(user.pk),
                    BulkAction.ASSIGN: agent_id,
                    BulkAction.RELEASE: None,
                }[action]
                if case.assignee_id == target:
                    result.done += 1  # already as wanted: nothing to write, nothing to report
                    continue
                # The version read just now: a change between that read and the write (someone
                # else taking the case) makes the service refuse instead of overwriting.
                services.assign_case(
                    case_id=case.pk,
                    agent_id=target,
                    by=user,
                    expected_version=case.version,
                    now=now,
                )
            elif action == BulkAction.STATUS:
                if case.status == status:
                    result.done += 1
                    continue
                services.change_status(
                    case_id=case.pk, status=status, by=user, expected_version=case.version, now=now
                )
            elif action == BulkAction.PRIORITY:
                services.set_priority(case_id=case.pk, priority=priority, by=user)
            else:
                raise ValueError(f"unknown bulk action {action!r}")
        except CaseError as error:
            result.skip(case.number, str(error))
        else:
            result.done += 1
    return result


def _done_text(action: str, count: int) -> str:
    if action in {BulkAction.ASSIGN_ME, BulkAction.ASSIGN}:
        text = ngettext("%(count)d Anliegen zugewiesen", "%(count)d Anliegen zugewiesen", count)
    elif action == BulkAction.RELEASE:
        text = ngettext("%(count)d Anliegen freigegeben", "%(count)d Anliegen freigegeben", count)
    elif action == BulkAction.STATUS:
        text = ngettext(
            "Status von %(count)d Anliegen gesetzt", "Status von %(count)d Anliegen gesetzt", count
        )
    else:
        text = ngettext(
            "Priorität von %(count)d Anliegen gesetzt",
            "Priorität von %(count)d Anliegen gesetzt",
            count,
        )
    return text % {"count": count}


def bulk_result_message(action: str, result: BulkResult) -> str:
    """ "7 Anliegen zugewiesen, 1 übersprungen: KV-2026-000004 (geschlossen)"."""
    text = _done_text(action, result.done)
    if not result.skipped:
        return text
    named = [
        _("%(number)s (%(reason)s)") % {"number": number, "reason": reason}
        for number, reason in result.skipped[:MAX_NAMED_SKIPS]
        if number
    ]
    unnamed = len(result.skipped) - len(named)
    if unnamed:
        named.append(
            ngettext("%(count)d weiteres", "%(count)d weitere", unnamed) % {"count": unnamed}
        )
    skipped = ngettext(
        "%(count)d übersprungen: %(details)s",
        "%(count)d übersprungen: %(details)s",
        len(result.skipped),
    ) % {"count": len(result.skipped), "details": "; ".join(named)}
    return f"{text}, {skipped}"


def _safe_next(request: HttpRequest, target: str) -> str:
    inbox_url = reverse("workspace:inbox")
    if target.startswith(inbox_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return inbox_url


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    form = BulkActionForm(request.POST)
    target = _safe_next(request, str(request.POST.get("next", "")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(target)
    data = form.cleaned_data
    agent = data.get("agent")
    result = apply_bulk_action(
        user=user,
        case_ids=data["case_ids"],
        action=data["action"],
        agent_id=agent.pk if agent is not None else None,
        status=data.get("status") or "",
        priority=data.get("priority") or "",
    )
    level = messages.WARNING if result.skipped else messages.SUCCESS
    messages.add_message(request, level, bulk_result_message(data["action"], result))
    return HttpResponseRedirect(target)


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/row/<int:case_id>/", case_row, name="case-row"),
    path("inbox/bulk/", bulk, name="inbox-bulk"),
]
