"""DSGVO export and erasure of the automation's decisions about a customer.

Decisions hold a draft answer (name, order data) and reasons that may quote numbers; erasure
keeps the decision skeleton (action, intent, outcome: the metrics) and removes the texts.
Registered by ``wiring.py`` as provider ``"knowledge_automation"``.
"""

from __future__ import annotations

from typing import Any

from kundenversteher.cases.models import Case
from kundenversteher.customers.models import Customer
from kundenversteher.knowledge.automation.models import AutomationDecision

ERASED = "[gelöscht]"


def _customer_ids(customer_id: int) -> list[int]:
    """The customer and every duplicate merged into it (transitively)."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = [
            i
            for i in Customer.objects.filter(merged_into_id__in=frontier).values_list(
                "id", flat=True
            )
            if i not in ids
        ]
        ids += frontier
    return ids


def _decisions(customer_id: int) -> Any:
    case_ids = Case.objects.filter(customer_id__in=_customer_ids(customer_id)).values("id")
    return AutomationDecision.objects.filter(case_id__in=case_ids).select_related("case")


class AutomationPrivacyProvider:
    def export(self, customer_id: int) -> dict[str, Any]:
        return {
            "automation_decisions": [
                {
                    "case": row.case.number,
                    "created_at": row.created_at.isoformat(),
                    "action": row.action,
                    "shadow": row.shadow,
                    "intent": row.intent,
                    "reasons": [r.get("de", "") for r in row.reasons or ()],
                    "draft_subject": row.draft_subject,
                    "draft_body": row.draft_body,
                    "outcome": row.outcome,
                }
                for row in _decisions(customer_id).order_by("created_at", "id")
            ]
        }

    def erase(self, customer_id: int) -> int:
        count = 0
        for row in _decisions(customer_id).iterator():
            erased_reasons = [
                {"code": r.get("code", ""), "de": ERASED, "en": "[erased]"}
                for r in row.reasons or ()
            ]
            if row.draft_subject == "" and row.draft_body == "" and row.reasons == erased_reasons:
                continue
            row.draft_subject = ""
            row.draft_body = ""
            row.reasons = erased_reasons
            row.save(update_fields=["draft_subject", "draft_body", "reasons"])
            count += 1
        return count
