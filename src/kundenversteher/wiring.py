"""Composition root: which task reacts to which event, which jobs run periodically, which apps
provide privacy export/erasure.

Lower apps never name higher ones; they record events and this module says who reacts.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task

from kundenversteher.api.tasks import deliver_event_to_webhooks
from kundenversteher.cases.privacy import CasesPrivacyProvider
from kundenversteher.customers.privacy import CustomersPrivacyProvider
from kundenversteher.events.services import register_reactions
from kundenversteher.lib.periodic import PeriodicSpec
from kundenversteher.privacy.registry import register_provider

REACTIONS: dict[str, list[Task[Any, Any]]] = {
    # Every event may interest a webhook subscriber; the task filters by subscription.
    "*": [deliver_event_to_webhooks],
}

PERIODIC_JOBS: list[PeriodicSpec] = [
    PeriodicSpec("cases.check_sla", "kundenversteher.cases.tasks.check_sla", 60),
    PeriodicSpec(
        "lib.recover_stale_tasks", "kundenversteher.lib.tasks.recover_stale_tasks_task", 300
    ),
]


def install() -> None:
    register_reactions(REACTIONS)
    register_provider("customers", CustomersPrivacyProvider())
    register_provider("cases", CasesPrivacyProvider())
