"""The navigation counts (one conditional-count query) agree with the views' own lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import cycle

import pytest

from kundenversteher.cases.models import Case
from kundenversteher.cases.search import InboxView, count_inbox_views, list_inbox, may_use_view
from tests.cases.factories import Personas, make_case, make_personas

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(db: None) -> Personas:
    people = make_personas()
    statuses = cycle(
        ["new", "open", "waiting_customer", "waiting_third_party", "resolved", "closed"]
    )
    teams = cycle([people.service, people.buchhaltung, None])
    assignees = cycle([people.anna, people.ben, people.sabine, None])
    dues = cycle(
        [
            None,
            NOW - timedelta(minutes=5),  # breached
            NOW + timedelta(minutes=30),  # due soon
            NOW + timedelta(hours=5),  # later
        ]
    )
    paused = cycle([None, None, None, None, None, NOW - timedelta(hours=1)])
    for index in range(48):
        case = make_case(subject=f"Anliegen {index}", now=NOW - timedelta(hours=index))
        Case.objects.filter(pk=case.pk).update(
            status=next(statuses),
            team=next(teams),
            assignee=next(assignees),
            first_responded_at=NOW if index % 2 else None,
            first_response_due=next(dues),
            next_response_due=next(dues) if index % 3 == 0 else None,
            resolution_due=next(dues),
            sla_paused_at=next(paused),
        )
    return people


@pytest.mark.parametrize("who", ["anna", "ben", "sabine", "admin"])
def test_each_view_count_is_the_number_of_cases_the_view_lists(people, who):
    user = getattr(people, who)
    views = [view for view in InboxView if may_use_view(user, view)]
    listed = {view: list_inbox(user=user, view=view, now=NOW).count() for view in views}
    assert count_inbox_views(user=user, views=views, now=NOW) == listed
    # The data set fills every view (the admin holds no case and belongs to no team).
    assert [view for view, n in listed.items() if not n] == (
        [InboxView.MINE, InboxView.TEAMS, InboxView.WAITING] if who == "admin" else []
    )


def test_counts_stop_at_the_cap(people):
    views = [InboxView.UNASSIGNED, InboxView.ALL]
    assert count_inbox_views(user=people.admin, views=views, cap=3, now=NOW) == {
        InboxView.UNASSIGNED: 3,
        InboxView.ALL: 3,
    }
