"""The team screen's queue table (one conditional-count query) agrees with the case lists."""

from __future__ import annotations

from django.db.models import Q

from kundenversteher.cases.queries import list_cases
from kundenversteher.cases.states import ACTIVE_STATUSES
from kundenversteher.workspace.supervisor import supervised_teams, team_queues
from tests.cases.test_inbox_counts import NOW, people  # noqa: F401 - the mixed data set fixture


def _per_team(user, qs, team_id):  # type: ignore[no-untyped-def]
    return qs.filter(Q(team_id=team_id) if team_id is not None else Q(team__isnull=True)).count()


def test_every_queue_column_counts_what_the_case_lists_hold(people):  # noqa: F811
    for user in (people.sabine, people.admin):
        queues = team_queues(
            user=user,
            teams=supervised_teams(user),
            include_unrouted=True,
            now=NOW,
            due_minutes=60,
        )
        active = list_cases(user=user, status=list(ACTIVE_STATUSES))
        for queue in queues:
            expected = {
                "new": _per_team(user, active.filter(status="new"), queue.team_id),
                "open": _per_team(user, active.filter(status="open"), queue.team_id),
                "waiting": _per_team(
                    user,
                    active.filter(status__in=["waiting_customer", "waiting_third_party"]),
                    queue.team_id,
                ),
                "unassigned": _per_team(user, active.filter(assignee__isnull=True), queue.team_id),
                "breached": _per_team(
                    user, list_cases(user=user, sla="breached", now=NOW), queue.team_id
                ),
                "due_soon": _per_team(
                    user,
                    list_cases(user=user, sla="due", now=NOW, due_within_minutes=60),
                    queue.team_id,
                ),
                "total": _per_team(user, active, queue.team_id),
            }
            assert {key: getattr(queue, key) for key in expected} == expected, queue.name
        assert sum(q.breached for q in queues) > 0
        assert sum(q.due_soon for q in queues) > 0
