"""Issue 5 "Done means": the demo agent works through the demo inbox in a real browser.

The demo company is loaded with the same service ``kundenversteher demo --size tiny`` calls,
into the database the browser server uses. Clara's mail about order 4711 then comes in through
intake exactly as the demo inbox does after ``make run`` (receive, then one pipeline run as the
worker would do it), so the case has a stored understanding and an identified customer.
Screenshots: ``var/screenshots/walkthrough-*.png``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from kundenversteher.cases.models import Case, Message
from kundenversteher.cases.search import InboxView, list_inbox
from kundenversteher.customers.identity import normalise_identity
from kundenversteher.customers.models import CustomerIdentity
from kundenversteher.demo import company
from kundenversteher.demo.services import load_demo
from tests.intake.factories import make_mail, receive_mail, run

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLARA_MAIL = (
    "Guten Tag,\n"
    "wo bleibt meine Bestellung 4711? Meine Kundennummer ist KD-104711.\n"
    "Bitte melden Sie sich heute noch, die Heizung muss laufen!\n"
    "Clara Schmidt"
)
# Stop walking the Tab order after this many steps: the reply editor must come well before.
MAX_TABS = 60


def _clara_writes() -> Case:
    """Clara's mail through intake, as the worker handles the demo inbox."""
    received = receive_mail(
        make_mail(
            subject="Wo bleibt meine Bestellung?",
            from_name="Clara Schmidt",
            from_address=company.CLARA.email,
            text=CLARA_MAIL,
        ),
        source="demo",
    )
    outcome = run(received.inbound_id)
    assert outcome.case_id is not None
    return Case.objects.get(pk=outcome.case_id)


def _clara_id() -> int:
    kind = CustomerIdentity.Kind.CUSTOMER_NUMBER
    value = normalise_identity(kind, company.CLARA.customer_number)
    return int(CustomerIdentity.objects.get(kind=kind, value=value).customer_id)


def _shown_numbers(page: Any) -> list[str]:
    return page.locator("[data-kv-row] .case-link").all_inner_texts()


def _expected_numbers(user: Any, view: InboxView) -> list[str]:
    return list(list_inbox(user=user, view=view).values_list("number", flat=True)[:50])


def _tab_order_until_reply(page: Any) -> list[str]:
    """Press Tab from the top of the page until the reply editor has the focus."""
    seen: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.id || document.activeElement.className || "
            "document.activeElement.tagName"
        )
        seen.append(focused)
        if focused == "kv-reply":
            return seen
    raise AssertionError(f"Antwortfeld nach {MAX_TABS}× Tab nicht erreicht: {seen}")


def test_anna_works_through_the_demo_inbox(page, live_url, login_as, console, screenshot):
    report = load_demo(size="tiny")
    passwords = {username: password for _role, username, password in report.logins}
    case = _clara_writes()
    anna = get_user_model().objects.get(username="anna")

    # The printed demo login; the start page is her own inbox.
    login_as(page, "anna", passwords["anna"])
    assert page.url == f"{live_url}/inbox/"
    assert _shown_numbers(page) == _expected_numbers(anna, InboxView.MINE)

    # Her team's view lists the team's open cases, Clara's fresh mail on top.
    with page.expect_navigation():
        page.click(".inbox-views a[href='?view=teams']")
    team_numbers = _expected_numbers(anna, InboxView.TEAMS)
    assert len(team_numbers) >= 2
    assert team_numbers[0] == case.number
    assert _shown_numbers(page) == team_numbers
    screenshot(page, "walkthrough-inbox")

    with page.expect_navigation():
        page.locator("[data-kv-row] .case-link").first.click()
    assert page.url == f"{live_url}/cases/{case.number}/"
    assert page.locator("h1").inner_text() == "Wo bleibt meine Bestellung?"

    # What the platform understood, and who the customer is (identified by the sender address).
    understanding = page.locator("#understanding")
    entities = understanding.locator("table.kv-table").inner_text()
    assert "4711" in entities
    assert "KD-104711" in entities
    assert "Absenderadresse clara.schmidt@example.de" in understanding.inner_text()
    customer = page.locator(".kv-case__customer").inner_text()
    for text in ("Clara Schmidt", "KD-104711", "WV-200123", "4711", "BW2301004567"):
        assert text in customer
    screenshot(page, "walkthrough-case")

    # Keyboard only: Tab from the top reaches the skip link first, the macro picker, then the
    # reply editor; "r" jumps straight there from anywhere outside a text field.
    order = _tab_order_until_reply(page)
    assert order[0] == "skip-link"
    assert order.index("kv-macro") < order.index("kv-reply")
    page.locator("h1").click()
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "kv-reply"

    with page.expect_navigation():
        page.click("button[data-kv-key=a]:has-text('Mir zuweisen')")
    assert page.locator("#kv-assignee").inner_text() == anna.get_full_name()

    # Reply with the demo macro "Bestellstatus", filled with Clara's order.
    page.select_option("#kv-macro", label="Bestellstatus (DE)")
    page.click(".kv-macro-picker button[type=submit]")
    expect(page.locator("#kv-reply")).to_have_value(
        re.compile(r"Bestellung 4711\. Der aktuelle Stand: versandt\. ")
    )
    reply = page.input_value("#kv-reply")
    assert reply.startswith("Guten Tag Clara Schmidt,")
    assert "{{" not in reply
    with page.expect_navigation():
        page.click("#kv-reply-send")
    assert "Antwort gespeichert" in page.locator(".messages").inner_text()

    page.fill("#kv-note", "Liefertermin mit dem Lager abgeglichen.")
    with page.expect_navigation():
        page.click("#kv-note-save")
    assert page.locator(".kv-msg--note").count() == 1

    with page.expect_navigation():
        page.click("text=Als gelöst markieren")
    assert page.locator(".kv-badge--resolved").inner_text() == "gelöst"
    screenshot(page, "walkthrough-resolved")

    # Back in the inbox the case has left her open views.
    with page.expect_navigation():
        page.click(".main-nav a:has-text('Posteingang')")
    mine = _shown_numbers(page)
    assert case.number not in mine
    assert mine == _expected_numbers(anna, InboxView.MINE)
    with page.expect_navigation():
        page.click(".inbox-views a[href='?view=teams']")
    assert _shown_numbers(page) == team_numbers[1:]
    screenshot(page, "walkthrough-inbox-after")

    case.refresh_from_db()
    assert (case.status, case.assignee_id, case.customer_id) == ("resolved", anna.pk, _clara_id())
    outbound = Message.objects.get(case=case, direction="outbound")
    assert "Bestellung 4711" in outbound.body_text
    assert Message.objects.filter(case=case, direction="note").count() == 1
    console.assert_clean()  # the workspace's scripts all ran under the CSP
