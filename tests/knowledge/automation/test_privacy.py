"""DSGVO: a customer's automation decisions are exported and their texts erased."""

from __future__ import annotations

from kundenversteher.knowledge.automation.models import AutomationDecision
from kundenversteher.knowledge.automation.privacy import AutomationPrivacyProvider
from kundenversteher.privacy.registry import PrivacyProvider
from tests.knowledge.answers.factories import make_clara
from tests.knowledge.automation.factories import make_decided_case


def test_export_lists_the_decisions_with_draft_and_reasons(db):
    clara = make_clara()
    case, _row = make_decided_case(customer=clara)
    make_decided_case()  # someone else's

    exported = AutomationPrivacyProvider().export(clara.id)

    [entry] = exported["automation_decisions"]
    assert entry["case"] == case.number
    assert (entry["action"], entry["intent"], entry["draft_body"]) == (
        "auto_answer",
        "order_status",
        "Entwurf",
    )
    assert entry["reasons"] == ["sicher"]


def test_erasure_keeps_the_skeleton_and_is_safe_twice(db):
    clara = make_clara()
    _case, row = make_decided_case(customer=clara)
    provider = AutomationPrivacyProvider()

    assert isinstance(provider, PrivacyProvider)
    assert provider.erase(clara.id) == 1
    assert provider.erase(clara.id) == 0

    row = AutomationDecision.objects.get(pk=row.pk)
    assert (row.draft_subject, row.draft_body) == ("", "")
    assert row.reasons == [{"code": "confidence_ok", "de": "[gelöscht]", "en": "[erased]"}]
    assert (row.action, row.intent) == ("auto_answer", "order_status")
