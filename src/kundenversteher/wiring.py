"""Composition root: which task reacts to which event, which jobs run periodically, which apps
provide privacy export/erasure.

Lower apps never name higher ones; they record events and this module says who reacts.
"""

from __future__ import annotations

from kundenversteher.api import services as api_services
from kundenversteher.api.tasks import deliver_event_to_webhooks
from kundenversteher.cases.privacy import CasesPrivacyProvider
from kundenversteher.customers.privacy import CustomersPrivacyProvider
from kundenversteher.events.services import Guarded, Reaction, register_reactions
from kundenversteher.intake.privacy import IntakePrivacyProvider
from kundenversteher.lib.periodic import PeriodicSpec
from kundenversteher.privacy.registry import register_provider

REACTIONS: dict[str, list[Reaction]] = {
    # Any event may interest a webhook subscriber; enqueued only when one subscribes.
    "*": [Guarded(deliver_event_to_webhooks, wanted=api_services.has_subscriber)],
}

PERIODIC_JOBS: list[PeriodicSpec] = [
    PeriodicSpec("cases.check_sla", "kundenversteher.cases.tasks.check_sla", 60),
    PeriodicSpec(
        "intake.requeue_stale", "kundenversteher.intake.tasks.requeue_stale_inbound_task", 300
    ),
    PeriodicSpec(
        "lib.recover_stale_tasks", "kundenversteher.lib.tasks.recover_stale_tasks_task", 300
    ),
]


def install() -> None:
    register_reactions(REACTIONS)
    register_provider("customers", CustomersPrivacyProvider())
    register_provider("cases", CasesPrivacyProvider())
    register_provider("intake", IntakePrivacyProvider())
