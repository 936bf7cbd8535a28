"""The supervisor screen in a real browser: presence of an agent with an open inbox, reassignment
with the keyboard-free happy path, screenshots (desktop and phone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kundenversteher.cases.models import Case
from tests.cases.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _case(team, *, subject: str, due_in: timedelta | None = None, assignee=None) -> Case:
    case = make_case(subject=subject, route=False)
    Case.objects.filter(pk=case.pk).update(
        team=team,
        assignee=assignee,
        first_response_due=timezone.now() + due_in if due_in is not None else None,
    )
    case.refresh_from_db()
    return case


def test_a_supervisor_sees_who_is_online_and_reassigns_an_overdue_case(
    browser, page, live_url, personas, login_as, screenshot
):
    overdue = _case(
        personas.service, subject="Heizung kalt seit Montag", due_in=timedelta(hours=-2)
    )
    _case(personas.service, subject="Ersatzteil Umwälzpumpe", due_in=timedelta(minutes=20))
    _case(personas.service, subject="Wartungstermin verschieben", assignee=personas.anna)
    # Anna works in another browser: her open page keeps a websocket (presence).
    anna_context = browser.new_context(locale="de-DE")
    anna = anna_context.new_page()
    try:
        login_as(anna, "anna")
        refused = anna.goto(f"{live_url}/team/")  # agents get 403 here …
        assert refused is not None
        assert refused.status == 403
        anna.goto(f"{live_url}/inbox/")  # … and their inbox holds the socket
        anna.wait_for_selector("html[data-kv-live='connected']", state="attached")

        login_as(page, "sabine")
        page.goto(f"{live_url}/team/")

        expect(page.locator("h1")).to_have_text("Team-Übersicht")
        anna_row = page.locator(f"tr[data-kv-agent='{personas.anna.pk}']")
        expect(anna_row).to_contain_text("online")
        # (Sabine's own state is not asserted: her inbox socket closes as the team page loads.)
        expect(page.locator(f"tr[data-kv-agent='{personas.ben.pk}']")).to_have_count(0)
        service = page.locator(f"tr[data-kv-queue='{personas.service.pk}']")
        expect(service).to_contain_text("Service")
        screenshot(page, "supervisor")

        # A case arriving meanwhile: the page says so instead of changing under the cursor.
        page.wait_for_selector("html[data-kv-live='connected']", state="attached")
        make_case(subject="Eingang während der Ansicht", route=False)
        expect(page.locator("[data-kv-live-notice]")).to_be_visible(timeout=8000)

        page.get_by_label(f"{overdue.number} auswählen").check()
        page.get_by_label("Zuweisen an").select_option(label="Anna")
        page.get_by_role("button", name="Zuweisen", exact=True).click()

        expect(page.locator(".messages")).to_contain_text(
            f"1 Anliegen zugewiesen: {overdue.number}"
        )
        overdue.refresh_from_db()
        assert overdue.assignee_id == personas.anna.pk
    finally:
        anna_context.close()


def test_the_team_page_works_on_a_phone(phone_page, live_url, personas, login_as, screenshot):
    _case(personas.service, subject="Heizung kalt seit Montag", due_in=timedelta(hours=-2))

    login_as(phone_page, "sabine")
    phone_page.goto(f"{live_url}/team/")

    expect(phone_page.locator("h1")).to_have_text("Team-Übersicht")
    # Nothing wider than the screen but the scrollable tables' own boxes.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "supervisor-phone")
