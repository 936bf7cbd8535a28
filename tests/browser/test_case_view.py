"""The case view in Chromium: work a case end to end, keyboard shortcuts, understanding and 360."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, Message
from kundenversteher.intelligence.types import EntityKind
from tests.customers.factories import make_contract, make_customer, make_device, make_order
from tests.workspace.case_view_factories import make_inbound_case, make_macro, make_understanding

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BODY = (
    "Guten Tag,\nmeine Bestellung 4711 ist immer noch nicht da. Kundennummer KD-104711.\n"
    "Ich brauche die Wärmepumpe dringend, bitte melden Sie sich heute noch!\nClara Schmidt"
)


def _case(people) -> Case:
    customer = make_customer(
        "Schmidt", first_name="Clara", email="clara.schmidt@example.de", customer_number="KD-104711"
    )
    make_order(customer, number=4711, promised_date=date(2026, 11, 27))
    make_contract(customer, number="WV-200123")
    make_device(customer, serial="BW2301004567")
    make_macro(
        "Lieferstatus",
        body="Hallo {{ customer.first_name }},\nIhre Bestellung {{ order.number }} ist "
        "{{ order.status }}; Liefertermin {{ order.delivery_date }}.",
    )
    return make_inbound_case(
        customer=customer,
        subject="Bestellung 4711 fehlt",
        body_text=BODY,
        team=people.service,
        understanding=make_understanding(
            BODY,
            entities=[
                (EntityKind.ORDER_NUMBER, "4711", "4711"),
                (EntityKind.CUSTOMER_NUMBER, "KD-104711", "KD-104711"),
            ],
            cues=[("immediacy", "heute noch")],
        ),
        identity={
            "method": "customer_number",
            "confidence": 0.95,
            "reason": "Kundennummer KD-104711 im Text",
            "customer_id": customer.pk,
        },
    )


def test_anna_works_a_case_end_to_end(page, live_url, personas, login_as, screenshot):
    case = _case(personas)
    login_as(page, "anna")
    page.goto(f"{live_url}/cases/{case.number}/")

    # Understanding and customer 360 are on the screen.
    understanding = page.locator("#understanding")
    assert (
        understanding.locator("mark.kv-entity--order_number").first.inner_text().startswith("4711")
    )
    assert "Bestellstatus" in understanding.inner_text()
    customer = page.locator(".kv-case__customer")
    for text in ("WV-200123", "4711", "27.11.2026", "BW2301004567", "KD-104711"):
        assert text in customer.inner_text()

    # Macro inserted by case.js at the cursor, filled for this case.
    page.select_option("#kv-macro", label="Lieferstatus (DE)")
    page.click(".kv-macro-picker button[type=submit]")
    expect(page.locator("#kv-reply")).to_have_value(
        "Hallo Clara,\nIhre Bestellung 4711 ist eingegangen; Liefertermin 27.11.2026."
    )

    with page.expect_navigation():
        page.click("#kv-reply-send")
    assert "Antwort gespeichert" in page.locator(".messages").inner_text()
    assert page.locator(".kv-msg--outbound").count() == 1

    page.fill("#kv-note", "@sabine bitte Liefertermin prüfen")
    with page.expect_navigation():
        page.click("#kv-note-save")
    assert "sabine erwähnt" in page.locator(".messages").inner_text()
    assert page.locator(".kv-msg--note").count() == 1

    with page.expect_navigation():
        page.click("button[data-kv-key=a]")
    assert page.locator("#kv-assignee").inner_text() == "Anna"
    screenshot(page, "case")

    with page.expect_navigation():
        page.click("text=Als gelöst markieren")
    assert page.locator(".kv-badge--resolved").inner_text() == "gelöst"

    case.refresh_from_db()
    assert (case.status, case.assignee_id) == ("resolved", personas.anna.pk)
    assert Message.objects.filter(case=case, direction="outbound").count() == 1
    assert list(Message.objects.get(case=case, direction="note").mentions.all()) == [
        personas.sabine
    ]


def test_keyboard_r_focuses_the_reply_editor_and_n_the_note(page, live_url, personas, login_as):
    case = _case(personas)
    login_as(page, "anna")
    page.goto(f"{live_url}/cases/{case.number}/")
    page.wait_for_load_state("load")

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "kv-reply"

    page.locator("h1").click()  # leave the text field: shortcuts do not fire while typing
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "kv-note"


def test_one_click_correction_keeps_the_reply_being_written(page, live_url, personas, login_as):
    case = _case(personas)
    login_as(page, "anna")
    page.goto(f"{live_url}/cases/{case.number}/")
    page.locator("#kv-reply").press_sequentially("Entwurf, noch nicht fertig")

    with page.expect_navigation():
        page.click("#understanding button.kv-chip:has-text('Liefertermin')")

    assert "Korrektur gespeichert: Liefertermin." in page.locator(".messages").inner_text()
    expect(page.locator("#kv-reply")).to_have_value("Entwurf, noch nicht fertig")
    case.refresh_from_db()
    assert case.intent == "delivery_date"


def test_case_view_fits_a_phone(phone_page, live_url, personas, login_as, screenshot):
    case = _case(personas)
    login_as(phone_page, "anna")
    phone_page.goto(f"{live_url}/cases/{case.number}/")

    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(phone_page, "case-phone")

    assert overflow <= 0
    assert phone_page.locator("#kv-reply").is_visible()


def test_new_customer_message_shows_a_reload_notice_without_reload(
    page, live_url, personas, login_as
):
    case = _case(personas)
    login_as(page, "anna")
    page.goto(f"{live_url}/cases/{case.number}/")
    notice = page.locator("[data-kv-live-notice]")
    expect(notice).to_be_hidden()
    page.wait_for_selector("html[data-kv-live=connected]")

    services.add_message(case_id=case.pk, direction="inbound", body_text="Noch eine Frage")

    expect(notice).to_be_visible(timeout=8000)
    assert "Neue Aktivität in diesem Anliegen." in notice.inner_text()
