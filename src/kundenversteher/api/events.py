"""GET /api/v1/events: the activity log, filtered and cursor-paged (stable under inserts)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from kundenversteher.api.auth import ensure_staff, requires
from kundenversteher.api.models import Scope
from kundenversteher.api.schemas import EventPage, LocalDatetime, with_errors
from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event

router = Router(tags=["events"])

MAX_PAGE_SIZE = 200


class EventFilter(Schema):
    case_id: int | None = None
    customer_id: int | None = None
    kind: str | None = NinjaField(None, description="genaue Art, oder Präfix mit '.*' (case.*)")
    since: LocalDatetime | None = None
    after: int | None = NinjaField(None, description="Cursor: Id des letzten Ereignisses")
    limit: int = NinjaField(50, ge=1, le=MAX_PAGE_SIZE)


@router.get("/", response=with_errors({200: EventPage}), auth=requires(Scope.EVENTS_READ))
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> dict[str, object]:
    user = ensure_staff(request)
    # Events of cases the user cannot see stay hidden (restricted teams), as in the inbox.
    events = Event.objects.filter(
        Q(case_id__isnull=True) | Q(case_id__in=Case.objects.visible_to(user).values("id"))
    )
    if filters.case_id is not None:
        events = events.filter(case_id=filters.case_id)
    if filters.customer_id is not None:
        events = events.filter(customer_id=filters.customer_id)
    if filters.kind:
        if filters.kind.endswith(".*"):
            events = events.filter(kind__startswith=filters.kind[:-1])
        else:
            events = events.filter(kind=filters.kind)
    if filters.since is not None:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.after is not None:
        events = events.filter(id__gt=filters.after)
    # Id order (unique, increasing) makes the cursor stable while new events arrive; clients
    # needing exactness across concurrent writers re-read a small overlap using `since`.
    rows = list(events.order_by("id")[: filters.limit + 1])
    has_more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": rows, "next_cursor": rows[-1].id if has_more and rows else None}
