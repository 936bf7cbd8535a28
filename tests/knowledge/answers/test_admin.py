import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kundenversteher.knowledge.answers.models import AnswerTemplate
from kundenversteher.privacy.models import AuditEntry
from tests.knowledge.answers.factories import COMPANY, make_clara, make_shipped_order


@pytest.fixture
def staff_client(client, db, settings):
    settings.KV_COMPANY_NAME = COMPANY
    ada = get_user_model().objects.create_superuser("ada", "ada@example.de", "x-not-used-1234")
    client.force_login(ada)
    return client


def _form(template: AnswerTemplate, **changes: str) -> dict[str, str]:
    data = {
        "intent": template.intent,
        "variant": template.variant,
        "language": template.language,
        "subject": template.subject,
        "body": template.body,
        "active": "on",
    }
    return {**data, **changes}


def test_admin_edit_counts_the_version_and_is_audited(staff_client):
    template = AnswerTemplate.objects.get(intent="invoice_copy", language="de")

    response = staff_client.post(
        reverse("admin:knowledge_answers_answertemplate_change", args=[template.id]),
        _form(template, subject="Ihre Rechnung {{ invoice.number }}"),
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.version) == ("Ihre Rechnung {{ invoice.number }}", 2)
    assert AuditEntry.objects.filter(
        model="knowledge_answers.answertemplate", object_id=str(template.id)
    ).exists()


def test_admin_refuses_a_placeholder_the_intent_does_not_have(staff_client):
    template = AnswerTemplate.objects.get(intent="invoice_copy", language="de")

    response = staff_client.post(
        reverse("admin:knowledge_answers_answertemplate_change", args=[template.id]),
        _form(template, body="{{ order.tracking_number }}"),
    )

    assert response.status_code == 200
    assert "Unbekannter Platzhalter {{ order.tracking_number }}." in response.content.decode()
    template.refresh_from_db()
    assert template.version == 1


def test_change_page_lists_the_available_placeholders(staff_client):
    template = AnswerTemplate.objects.get(intent="order_status", variant="shipped", language="de")

    response = staff_client.get(
        reverse("admin:knowledge_answers_answertemplate_change", args=[template.id])
    )

    html = response.content.decode()
    assert "<code>{{ order.tracking_number }}</code>" in html
    assert "Situationen: shipped, in_progress" in html


def test_preview_fills_the_template_with_the_customers_data(staff_client):
    clara = make_clara()
    make_shipped_order(clara)
    template = AnswerTemplate.objects.get(intent="order_status", variant="shipped", language="de")

    response = staff_client.get(
        reverse("admin:knowledge_answers_answertemplate_preview", args=[template.id]),
        {"customer": "KD-104711", "text": "Wo ist Bestellung 4711?"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sie wurde am 22. November 2026 mit DHL versandt" in html


def test_preview_explains_when_the_situation_does_not_fit(staff_client):
    clara = make_clara()
    make_shipped_order(clara)
    template = AnswerTemplate.objects.get(
        intent="order_status", variant="in_progress", language="de"
    )

    response = staff_client.get(
        reverse("admin:knowledge_answers_answertemplate_preview", args=[template.id]),
        {"customer": str(clara.id), "text": "Bestellung 4711?"},
    )

    assert "Für diesen Kunden passt die Situation „shipped“, nicht „in_progress“." in (
        response.content.decode()
    )
