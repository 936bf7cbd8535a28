"""The case state machine: a pure transition table and the functions services use.

new → open → waiting_customer | waiting_third_party → resolved → closed. A customer reply on
waiting_customer or resolved reopens the case. Closed is final: a later customer message belongs
in a new case (intake links it), so reports on closed cases never change underneath.
"""

from __future__ import annotations

from enum import StrEnum

from kundenversteher.cases.errors import IllegalTransition


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_THIRD_PARTY = "waiting_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Statuses in which the case still needs work (counts towards agent load, SLA clocks run).
ACTIVE_STATUSES: frozenset[Status] = frozenset(
    {Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY}
)
DONE_STATUSES: frozenset[Status] = frozenset({Status.RESOLVED, Status.CLOSED})

# What an agent (or an automatic rule acting for one) may do from each status.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.OPEN: frozenset({Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY, Status.RESOLVED}),
    Status.WAITING_CUSTOMER: frozenset({Status.OPEN, Status.WAITING_THIRD_PARTY, Status.RESOLVED}),
    Status.WAITING_THIRD_PARTY: frozenset({Status.OPEN, Status.WAITING_CUSTOMER, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# A customer's message moves the case back onto an agent's desk.
_ON_CUSTOMER_REPLY: dict[Status, Status] = {
    Status.NEW: Status.NEW,
    Status.OPEN: Status.OPEN,
    Status.WAITING_CUSTOMER: Status.OPEN,
    Status.WAITING_THIRD_PARTY: Status.OPEN,
    Status.RESOLVED: Status.OPEN,
}


def can_transition(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def transition(current: str, target: str) -> Status:
    """Return the target status or raise :class:`IllegalTransition` naming both ends."""
    if not can_transition(current, target):
        raise IllegalTransition(str(current), str(target))
    return Status(target)


def on_customer_reply(current: str) -> Status:
    """The status after a customer writes; a closed case raises (a new case is needed)."""
    status = Status(current)
    if status not in _ON_CUSTOMER_REPLY:
        raise IllegalTransition(str(current), str(Status.OPEN))
    return _ON_CUSTOMER_REPLY[status]


def on_merge(current: str) -> Status:
    """A merged-away case is closed from any status that is not closed yet."""
    if Status(current) is Status.CLOSED:
        raise IllegalTransition(str(current), str(Status.CLOSED))
    return Status.CLOSED
