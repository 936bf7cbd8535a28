"""Mode and per-intent switches: audited, effective for the next decision."""

from __future__ import annotations

from django.contrib.admin.sites import site
from django.test import Client

from kundenversteher.events.models import Event
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.models import AutomationSettings, IntentAutomation
from kundenversteher.knowledge.automation.queries import automation_live, current_mode
from kundenversteher.knowledge.automation.types import Mode
from kundenversteher.privacy.models import AuditEntry
from tests.cases.factories import make_user


def test_set_mode_is_audited_and_recorded(db):
    admin = make_user("chef", is_superuser=True)

    services.set_mode(mode="live", by=admin)
    services.set_mode(mode="off", by=admin)

    assert current_mode() is Mode.OFF
    assert automation_live() is False
    entries = AuditEntry.objects.filter(model="knowledge_automation.automationsettings")
    assert [e.changes for e in entries.order_by("id")] == [
        {"mode": ["shadow", "live"]},
        {"mode": ["live", "off"]},
    ]
    assert Event.objects.filter(kind="automation.mode_changed").count() == 2


def test_the_admin_kill_switch_action_switches_off_at_once(db):
    admin = make_user("chef", is_superuser=True)
    AutomationSettings.objects.create(pk=1, mode="live")
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/knowledge_automation/automationsettings/",
        {"action": "switch_off_now", "_selected_action": ["1"]},
    )

    assert response.status_code == 302
    assert current_mode() is Mode.OFF
    assert AuditEntry.objects.filter(model="knowledge_automation.automationsettings").count() == 1


def test_per_intent_switch_is_audited(db):
    admin = make_user("chef", is_superuser=True)

    services.set_intent_enabled(intent="order_status", enabled=False, by=admin)

    assert IntentAutomation.objects.get(intent="order_status").enabled is False
    entry = AuditEntry.objects.get(model="knowledge_automation.intentautomation")
    assert entry.changes["enabled"] == [None, False]


def test_admin_registers_the_automation_models(db):
    registered = {model._meta.label for model in site._registry}
    assert {
        "knowledge_automation.AutomationSettings",
        "knowledge_automation.IntentAutomation",
        "knowledge_automation.AutomationDecision",
        "knowledge_automation.AutomationDailyStat",
    } <= registered
