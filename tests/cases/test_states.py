import pytest

from kundenversteher.cases.errors import IllegalTransition
from kundenversteher.cases.states import (
    TRANSITIONS,
    Status,
    on_customer_reply,
    on_merge,
    transition,
)

LEGAL = [
    ("new", "open"),
    ("new", "waiting_customer"),
    ("open", "waiting_customer"),
    ("open", "waiting_third_party"),
    ("waiting_customer", "open"),
    ("waiting_third_party", "resolved"),
    ("open", "resolved"),
    ("resolved", "closed"),
    ("resolved", "open"),
]
ILLEGAL = [
    ("new", "closed"),
    ("open", "closed"),
    ("open", "new"),
    ("waiting_customer", "closed"),
    ("closed", "open"),
    ("closed", "resolved"),
    ("resolved", "waiting_customer"),
    ("open", "open"),
]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_legal_transitions_return_the_target(current, target):
    assert transition(current, target) is Status(target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_transitions_raise_with_a_german_message_naming_both_ends(current, target):
    with pytest.raises(IllegalTransition) as info:
        transition(current, target)

    assert str(info.value) == (f"Statuswechsel von »{current}« nach »{target}« ist nicht erlaubt.")
    assert (info.value.from_status, info.value.to_status) == (current, target)


def test_nothing_leaves_closed_and_nothing_returns_to_new():
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    assert all(Status.NEW not in targets for targets in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("current", "after"),
    [
        ("new", "new"),
        ("open", "open"),
        ("waiting_customer", "open"),
        ("waiting_third_party", "open"),
        ("resolved", "open"),
    ],
)
def test_a_customer_reply_reopens_waiting_and_resolved_cases(current, after):
    assert on_customer_reply(current) is Status(after)


def test_a_customer_reply_cannot_reopen_a_closed_case():
    with pytest.raises(IllegalTransition):
        on_customer_reply("closed")


def test_merging_closes_any_case_that_is_not_closed_yet():
    assert {on_merge(s.value) for s in Status if s is not Status.CLOSED} == {Status.CLOSED}
    with pytest.raises(IllegalTransition):
        on_merge("closed")
