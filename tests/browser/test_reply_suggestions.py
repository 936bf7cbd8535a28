"""Reply suggestions in Chromium: the panel loads by htmx, "Einfügen" appends the anonymised
answer of a similar resolved case to the reply editor and focuses it; the automation's decision
panel and the "automatically answered" badge are on the page; nothing violates the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kundenversteher.cases import services
from kundenversteher.cases.models import Message
from tests.customers.factories import make_customer
from tests.knowledge.suggestions.factories import make_decision, make_resolved_case
from tests.workspace.case_view_factories import make_inbound_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "Guten Tag, wo bleibt meine Bestellung 4711? Sie ist seit einer Woche nicht da."
ANSWER = "Hallo Olga,\n\nIhre Bestellung 5123 wurde am 25.11.2026 versendet.\n\nViele Grüße\nBen"
INSERTED = (
    "Hallo Clara,\n\nIhre Bestellung [Bestellnummer] wurde am [Datum] versendet.\n\n"
    "Viele Grüße\nAnna"
)


def test_anna_inserts_the_answer_of_a_similar_resolved_case(
    page, live_url, personas, login_as, console, screenshot
):
    similar = make_resolved_case(
        question="Hallo, wo bleibt meine Bestellung 5123? Sie ist noch nicht da.",
        answer=ANSWER,
        agent=personas.ben,
        author_label="Ben",
        customer=personas.other_customer,
        team=personas.service,
    )
    clara = make_customer("Schmidt", first_name="Clara")
    case = make_inbound_case(customer=clara, team=personas.service, body_text=QUESTION)
    automatic = services.add_message(
        case_id=case.pk,
        direction=Message.Direction.OUTBOUND,
        body_text="Ihre Bestellung ist unterwegs (automatische Antwort).",
        by=None,
        author_label="Automatische Antwort",
    )
    make_decision(
        case,
        action="auto_answer",
        sent_message=automatic,
        reasons=[{"code": "ok", "de": "Kunde identifiziert", "en": "Customer identified"}],
    )

    login_as(page, "anna")
    page.goto(f"{live_url}/cases/{case.number}/")

    # The decision and the badge come with the page.
    expect(page.locator("#automation")).to_contain_text("Kunde identifiziert")
    expect(page.locator(f"#message-{automatic.pk} .kv-badge--auto")).to_have_text(
        "Automatisch beantwortet"
    )

    # The suggestions arrive after the page (htmx), then one click inserts.
    page.wait_for_selector("#kv-suggestions-list [data-kv-insert]")
    suggestion = page.locator("#kv-suggestions-list .kv-suggestion").first
    expect(suggestion).to_contain_text(f"Antwort in {similar.number}")
    page.fill("#kv-reply", "Vorweg: ")
    suggestion.get_by_role("button", name="Einfügen").click()

    reply = page.locator("#kv-reply")
    expect(reply).to_have_value("Vorweg:\n\n" + INSERTED)
    expect(reply).to_be_focused()
    expect(page.locator("#kv-suggestion-status")).to_have_text(
        "Vorschlag in die Antwort eingefügt."
    )
    screenshot(page, "case-reply-suggestions")
    console.assert_clean()
