"""Case view: the reply-suggestion endpoint (htmx), the automation decision panel and the
"automatically answered" badge."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases import services
from kundenversteher.cases.models import Message
from tests.cases.factories import Personas, make_personas
from tests.customers.factories import make_customer
from tests.knowledge.suggestions.factories import make_decision, make_resolved_case
from tests.workspace.case_view_factories import make_inbound_case

QUESTION = "Guten Tag, wo bleibt meine Bestellung 4711? Sie ist seit einer Woche nicht da."
ANSWER = "Hallo Olga,\n\nIhre Bestellung 5123 ist unterwegs.\n\nViele Grüße\nBen"


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _case(people: Personas):  # type: ignore[no-untyped-def]
    clara = make_customer("Schmidt", first_name="Clara")
    return make_inbound_case(customer=clara, team=people.service, body_text=QUESTION)


def test_suggestions_fragment_lists_the_anonymised_answer_with_an_insert_button(people):
    other = make_resolved_case(
        question="Wo bleibt meine Bestellung 5123? Sie ist nicht da.",
        answer=ANSWER,
        agent=people.ben,
        author_label="Ben",
    )
    case = _case(people)

    response = _client(people.anna).get(f"/cases/{case.number}/suggestions/")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<div class="kv-suggestion__body" id="kv-suggestion-1" lang="de">Hallo Clara,\n\n'
        "Ihre Bestellung [Bestellnummer] ist unterwegs.\n\nViele Grüße\nAnna</div>"
    ) in html
    assert 'data-kv-insert="kv-suggestion-1"' in html
    assert f'<a href="/cases/{other.number}/">Antwort in {other.number}</a>' in html
    assert "Bitte ersetzen: [Bestellnummer]" in html
    assert "Olga" not in html
    assert "5123" not in html


def test_without_suggestions_the_fragment_says_so(people):
    case = _case(people)

    response = _client(people.anna).get(f"/cases/{case.number}/suggestions/")

    assert "Keine Vorschläge für dieses Anliegen." in response.content.decode()


def test_suggestions_of_a_case_the_user_may_not_see_answer_404(people):
    case = make_inbound_case(team=people.buchhaltung, body_text=QUESTION)
    path = f"/cases/{case.number}/suggestions/"

    assert _client(people.anna).get(path).status_code == 404
    assert _client(people.clara).get(path).status_code == 404
    assert _client(people.ben).get(path).status_code == 200
    assert _client(people.anna).get("/cases/KV-2026-999999/suggestions/").status_code == 404
    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_case_page_loads_suggestions_lazily_and_includes_the_insert_script(people):
    make_resolved_case(question=QUESTION, answer=ANSWER, agent=people.ben)
    case = _case(people)

    html = _client(people.anna).get(f"/cases/{case.number}/").content.decode()

    assert f'hx-get="/cases/{case.number}/suggestions/" hx-trigger="load"' in html
    assert "/static/workspace/js/suggestions.js" in html
    assert "kv-suggestion__body" not in html  # not computed on the page itself


def test_decision_panel_shows_action_mode_confidence_threshold_and_reasons(people):
    case = _case(people)
    make_decision(
        case,
        action="route",
        shadow=True,
        intent="order_status",
        confidence=0.874,
        threshold=0.91,
        reasons=[
            {"code": "low", "de": "Sicherheit 87 % unter der Schwelle 91 %", "en": "Below"},
            {"code": "anger", "de": "Eskalationssignal: Ärger", "en": "Escalation: anger"},
        ],
    )

    html = _client(people.anna).get(f"/cases/{case.number}/").content.decode()

    assert "Automatische Antwort – Entscheidung" in html
    assert "<strong>An Mitarbeitende weiterleiten</strong>" in html
    assert "Schattenmodus: nichts gesendet" in html
    assert "<dd>Bestellstatus</dd>" in html
    assert '87 % <span class="kv-hint">(Schwelle 91 %)</span>' in html
    assert "<li>Sicherheit 87 % unter der Schwelle 91 %</li>" in html
    assert "<li>Eskalationssignal: Ärger</li>" in html
    assert "Escalation" not in html


def test_decision_reasons_follow_the_active_language(people):
    case = _case(people)
    make_decision(
        case,
        action="route",
        reasons=[{"code": "anger", "de": "Eskalationssignal: Ärger", "en": "Escalation: anger"}],
    )
    client = _client(people.anna)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(f"/cases/{case.number}/").content.decode()

    assert "<li>Escalation: anger</li>" in html
    assert "Eskalationssignal" not in html


def test_without_a_decision_there_is_no_decision_panel(people):
    case = _case(people)

    html = _client(people.anna).get(f"/cases/{case.number}/").content.decode()

    assert 'id="automation"' not in html


def test_only_the_message_the_automation_sent_carries_the_badge(people):
    case = _case(people)
    automatic = services.add_message(
        case_id=case.pk,
        direction=Message.Direction.OUTBOUND,
        body_text="Automatische Antwort: Ihre Bestellung ist unterwegs.",
        by=None,
        author_label="Automatische Antwort",
    )
    make_decision(case, action="auto_answer", sent_message=automatic)
    by_anna = services.add_message(
        case_id=case.pk,
        direction=Message.Direction.OUTBOUND,
        body_text="Antwort von Anna.",
        by=people.anna,
    )

    html = _client(people.anna).get(f"/cases/{case.number}/").content.decode()

    def item(message_id: int) -> str:
        start = html.index(f'id="message-{message_id}"')
        return html[start : html.index("</li>", start)]

    assert "Automatisch beantwortet" in item(automatic.pk)
    assert "Automatisch beantwortet" not in item(by_anna.pk)
    assert html.count("kv-badge--auto") == 1
    assert f'<a href="#message-{automatic.pk}">' in html
    assert "<strong>Automatisch beantworten</strong>" in html


def _queries(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_badges_cost_no_query_per_message(people):
    case = _case(people)
    client = _client(people.anna)
    path = f"/cases/{case.number}/"

    def answer_automatically() -> None:
        sent = services.add_message(
            case_id=case.pk, direction="outbound", body_text="Automatisch", by=None
        )
        make_decision(case, action="auto_answer", sent_message=sent)

    answer_automatically()
    one = _queries(client, path)
    for _ in range(4):
        answer_automatically()

    assert _queries(client, path) == one
    assert client.get(path).content.decode().count("kv-badge--auto") == 5


def test_suggestion_queries_do_not_grow_with_the_number_of_similar_cases(people):
    case = _case(people)
    client = _client(people.anna)
    path = f"/cases/{case.number}/suggestions/"
    make_resolved_case(question=QUESTION, answer="Antwort 1 ist unterwegs", agent=people.ben)
    few = _queries(client, path)
    for index in range(8):
        make_resolved_case(
            question=QUESTION,
            answer=f"Antwort {index} – Paket {index} kommt bald, Grüße",
            agent=people.ben,
            customer=make_customer(f"Kunde{index}"),
        )

    assert _queries(client, path) == few
    # session, user, profile, team ids, case look-up, case, latest text, decision, candidates +
    # messages (one query), articles — whatever the number of candidate cases.
    assert few <= 14, few
