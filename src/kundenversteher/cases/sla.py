"""SLA clocks: choose a policy, compute due times in business hours, pause and resume.

These helpers change a ``Case`` in memory; the calling service saves it and records the event.
Clocks: first response (until the first agent reply), next response (from each customer message
after that until the agent answers) and resolution. While the case waits for the customer all
clocks stand still; on resume each running due time moves by the business time spent waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kundenversteher.cases.calendars import (
    CalendarSpec,
    add_business_minutes,
    add_business_seconds,
    business_seconds_between,
)
from kundenversteher.cases.models import BusinessCalendar, Case, SLAAlert, SLAPolicy

# Calendar id → its spec, for the length of one service call: building a spec reads the
# calendar's closed days, and opening a case needs the same calendar for SLA and routing.
SpecCache = dict[int, CalendarSpec]


def calendar_spec(calendar: BusinessCalendar, cache: SpecCache | None = None) -> CalendarSpec:
    """``calendar.spec()``, read once per ``cache`` (pass a fresh dict per service call)."""
    if cache is None:
        return calendar.spec()
    spec = cache.get(calendar.pk)
    if spec is None:
        spec = cache[calendar.pk] = calendar.spec()
    return spec


def select_policy(*, priority: str, customer_tier: str) -> SLAPolicy | None:
    """The most specific active policy: priority+tier > priority > tier > catch-all."""
    best: tuple[int, int] | None = None
    chosen: SLAPolicy | None = None
    for policy in SLAPolicy.objects.filter(active=True).select_related("calendar"):
        if policy.priority not in {"", priority} or policy.customer_tier not in {"", customer_tier}:
            continue
        score = (2 * bool(policy.priority) + bool(policy.customer_tier), -policy.pk)
        if best is None or score > best:
            best, chosen = score, policy
    return chosen


def _spec(case: Case) -> CalendarSpec | None:
    policy = case.sla_policy
    return policy.calendar.spec() if policy is not None else None


def apply_policy(
    case: Case, *, customer_tier: str, now: datetime, specs: SpecCache | None = None
) -> None:
    """Attach the matching policy and set first-response and resolution due times."""
    policy = select_policy(priority=case.priority, customer_tier=customer_tier)
    case.sla_policy = policy
    if policy is None:
        case.first_response_due = case.next_response_due = case.resolution_due = None
        return
    spec = calendar_spec(policy.calendar, specs)
    case.first_response_due = add_business_minutes(spec, now, policy.first_response_minutes)
    case.resolution_due = add_business_minutes(spec, now, policy.resolution_minutes)


def reapply_policy(case: Case, *, customer_tier: str, specs: SpecCache | None = None) -> bool:
    """After a priority change: switch to the matching policy, due times counted from receipt.

    Time already spent waiting for the customer still extends the new due times. Returns
    whether the policy changed (due times stay untouched if it did not).
    """
    policy = select_policy(priority=case.priority, customer_tier=customer_tier)
    if policy is None or policy.pk == case.sla_policy_id:
        return False
    case.sla_policy = policy
    spec = calendar_spec(policy.calendar, specs)
    start = case.received_at
    waited = case.sla_paused_seconds
    if case.first_responded_at is None:
        due = add_business_minutes(spec, start, policy.first_response_minutes)
        case.first_response_due = add_business_seconds(spec, due, waited)
    due = add_business_minutes(spec, start, policy.resolution_minutes)
    case.resolution_due = add_business_seconds(spec, due, waited)
    return True


def pause(case: Case, *, now: datetime) -> None:
    if case.sla_paused_at is None:
        case.sla_paused_at = now


def resume(case: Case, *, now: datetime) -> int:
    """Restart the clocks; returns the business seconds the case waited."""
    if case.sla_paused_at is None:
        return 0
    spec = _spec(case)
    waited = business_seconds_between(spec, case.sla_paused_at, now) if spec else 0
    if spec is not None and waited:
        if case.first_responded_at is None and case.first_response_due is not None:
            case.first_response_due = add_business_seconds(spec, case.first_response_due, waited)
        if case.next_response_due is not None:
            case.next_response_due = add_business_seconds(spec, case.next_response_due, waited)
        if case.resolution_due is not None:
            case.resolution_due = add_business_seconds(spec, case.resolution_due, waited)
    case.sla_paused_seconds += waited
    case.sla_paused_at = None
    return waited


def customer_wrote(case: Case, *, now: datetime) -> None:
    """After the first answer, each customer message starts the next-response clock."""
    if case.first_responded_at is None or case.next_response_due is not None:
        return
    policy = case.sla_policy
    if policy is not None:
        spec = policy.calendar.spec()
        case.next_response_due = add_business_minutes(spec, now, policy.next_response_minutes)


def agent_answered(case: Case, *, now: datetime) -> None:
    if case.first_responded_at is None:
        case.first_responded_at = now
    case.next_response_due = None


@dataclass(frozen=True, slots=True)
class RunningClock:
    clock: str  # SLAAlert.Clock value
    due: datetime


def running_clocks(case: Case) -> list[RunningClock]:
    """Clocks that are ticking now (none while paused or after resolution)."""
    if case.sla_paused_at is not None or case.resolved_at is not None:
        return []
    clocks = []
    if case.first_responded_at is None and case.first_response_due is not None:
        clocks.append(RunningClock(SLAAlert.Clock.FIRST_RESPONSE, case.first_response_due))
    if case.next_response_due is not None:
        clocks.append(RunningClock(SLAAlert.Clock.NEXT_RESPONSE, case.next_response_due))
    if case.resolution_due is not None:
        clocks.append(RunningClock(SLAAlert.Clock.RESOLUTION, case.resolution_due))
    return clocks
