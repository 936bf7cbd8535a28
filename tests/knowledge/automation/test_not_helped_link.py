"""The one-click "did not help" link of an automatic answer (portal, signed, confirmed by POST)."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client

from kundenversteher.cases.models import Case, Message
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.types import Mode
from tests.knowledge.automation.factories import FakeComposer, make_decided_case, set_mode

pytestmark = pytest.mark.urls("tests.knowledge.automation.urls_with_not_helped")


@pytest.fixture
def answered(db, settings) -> tuple[Case, str]:
    settings.BASE_URL = "https://service.brenner.test"
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()
    services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())
    answer = Message.objects.get(case=case, direction="outbound")
    [link] = re.findall(
        r"https://service\.brenner\.test(/portal/nicht-geholfen/[^/\s]+/)", answer.body_text
    )
    return case, link


def test_the_automatic_answer_carries_the_link(answered):
    case, link = answered
    answer = Message.objects.get(case=case, direction="outbound")
    assert "Hat diese Antwort nicht geholfen? Ein Klick genügt: https://service.brenner.test" in (
        answer.body_text
    )
    assert link.startswith("/portal/nicht-geholfen/")


def test_opening_the_link_changes_nothing_the_button_reopens_with_priority(answered):
    case, link = answered
    client = Client()

    shown = client.get(link)
    case.refresh_from_db()
    assert shown.status_code == 200
    assert "Das hat nicht geholfen" in shown.content.decode()
    assert case.status == "resolved"

    done = client.post(link)
    case.refresh_from_db()
    assert done.status_code == 200
    assert "Danke für Ihre Rückmeldung" in done.content.decode()
    assert (case.status, case.priority) == ("open", "high")
    assert case.automation_decisions.get().outcome == "not_helped"
    assert client.post(link).status_code == 200  # a second click changes nothing
    assert case.automation_decisions.get().outcome == "not_helped"


def test_a_forged_or_foreign_link_is_refused(answered):
    forged = signing.dumps({"d": 999}, salt=services.FEEDBACK_SALT, compress=True)
    client = Client()

    assert client.post(f"/portal/nicht-geholfen/{forged}/").status_code == 400
    assert client.get("/portal/nicht-geholfen/kaputt/").status_code == 400


def test_without_a_site_address_there_is_no_link(settings, db):
    settings.BASE_URL = ""
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()

    services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())

    answer = Message.objects.get(case=case, direction="outbound")
    assert answer.body_text == "Ihre Bestellung 4711 wurde am 22. November 2026 versandt."
