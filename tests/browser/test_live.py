"""Live updates in a real browser: a case created elsewhere appears in open inboxes without reload,
and only in the inboxes of people who may see it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.cases.factories import make_case, make_rule

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_JS = "/static/workspace/js/live.js"


def open_live_inbox(page, live_url: str, login_as, username: str) -> None:
    login_as(page, username)
    page.goto(f"{live_url}/inbox/?view=teams")
    assert page.locator(f"script[src$='{LIVE_JS}']").count() == 1
    page.wait_for_selector("html[data-kv-live='connected']", state="attached")
    # Survives only if the page is not reloaded.
    page.evaluate("window.kvNoReload = true")


def test_a_new_case_appears_in_the_open_inboxes_of_those_who_may_see_it(
    browser, live_url, personas, login_as, screenshot
):
    make_rule("Rechnungen", team=personas.buchhaltung, intents=["invoice_copy"])
    anna_context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    ben_context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    anna, ben = anna_context.new_page(), ben_context.new_page()
    try:
        open_live_inbox(anna, live_url, login_as, "anna")
        open_live_inbox(ben, live_url, login_as, "ben")

        secret = make_case(subject="Vertraulich: Rechnung März", intent="invoice_copy", route=True)
        public = make_case(subject="Wärmepumpe zeigt E-104", intent="device_fault", route=True)

        anna_row = anna.locator(f"tr[data-case-id='{public.pk}']")
        expect(anna_row).to_be_visible(timeout=8000)
        expect(anna_row).to_contain_text("Wärmepumpe zeigt E-104")
        expect(anna.locator("[data-kv-live-region]")).to_have_text(
            re.compile(rf"Neues Anliegen ({public.number}|{secret.number})")
        )
        expect(ben.locator(f"tr[data-case-id='{secret.pk}']")).to_be_visible(timeout=8000)
        # Anna's page had every hint it could get by now; the restricted case is not there.
        anna.wait_for_timeout(800)
        assert anna.locator(f"tr[data-case-id='{secret.pk}']").count() == 0
        assert "Vertraulich: Rechnung" not in anna.content()
        assert anna.evaluate("window.kvNoReload") is True
        assert ben.evaluate("window.kvNoReload") is True
        screenshot(anna, "inbox-live")
    finally:
        anna_context.close()
        ben_context.close()
