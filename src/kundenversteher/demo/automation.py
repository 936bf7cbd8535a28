"""Automatic answers in the demo: live for the standard intents that have an answer template.

A fresh install starts in shadow mode (nothing is sent); the demo shows the feature working, so
it switches to live — for the intents the answers app can fill from the demo company's data.
"""

from __future__ import annotations

from django.db import transaction

from kundenversteher.knowledge.automation.models import AutomationSettings, IntentAutomation
from kundenversteher.knowledge.automation.queries import automatable_intents
from kundenversteher.knowledge.automation.types import Mode

# The questions a machine answers well with the demo data (status and documents, no judgement).
DEMO_INTENTS = ("order_status", "delivery_date", "invoice_copy", "contract_info", "repair_status")


def enable_demo_automation() -> None:
    """Live mode; the demo intents with a template switched on, every other intent off."""
    available = automatable_intents()
    with transaction.atomic():
        settings = AutomationSettings.load()
        settings.mode = Mode.LIVE.value
        settings.save(update_fields=["mode", "updated_at"])
        for intent in sorted(available | set(DEMO_INTENTS)):
            IntentAutomation.objects.update_or_create(
                intent=intent, defaults={"enabled": intent in DEMO_INTENTS and intent in available}
            )
