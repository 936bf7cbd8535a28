from __future__ import annotations

from kundenversteher.events.models import Event, EventQuerySet


def list_case_events(*, case_id: int) -> EventQuerySet:
    return Event.objects.for_case(case_id).select_related("actor_user")


def list_customer_events(*, customer_id: int) -> EventQuerySet:
    return Event.objects.for_customer(customer_id).select_related("actor_user")
