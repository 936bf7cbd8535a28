"""The inbox in a real browser: listing, keyboard navigation, the shortcut help, selection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kundenversteher.cases import services
from kundenversteher.cases.models import Case
from tests.cases.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def annas_cases(personas) -> list[Case]:
    """Three cases assigned to Anna, received one hour apart (newest first in the inbox)."""
    start = timezone.now() - timedelta(hours=3)
    cases = []
    for hours, subject in enumerate(("Wärmepumpe brummt", "Rechnungskopie", "Wartungstermin")):
        case = make_case(subject=subject, now=start + timedelta(hours=hours))
        cases.append(
            services.assign_case(
                case_id=case.pk,
                agent_id=personas.anna.pk,
                by=personas.anna,
                expected_version=case.version,
            )
        )
    return cases[::-1]


def test_anna_moves_with_j_and_opens_the_second_case_with_enter(
    page, live_url, personas, login_as, screenshot
):
    newest, second, _oldest = annas_cases(personas)

    login_as(page, "anna")

    assert page.url == f"{live_url}/inbox/"
    rows = page.locator("[data-kv-row]")
    assert rows.count() == 3
    assert rows.first.locator(".case-link").inner_text() == newest.number
    screenshot(page, "inbox")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("[data-kv-row].kv-current .case-link").inner_text() == second.number
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_url + reverse("workspace:case", kwargs={"number": second.number})


def test_question_mark_opens_the_shortcut_help_and_escape_closes_it(
    page, live_url, personas, login_as, screenshot
):
    annas_cases(personas)
    login_as(page, "anna")
    dialog = page.locator("#kv-shortcuts")
    assert not dialog.is_visible()

    page.keyboard.press("?")

    assert dialog.is_visible()
    text = dialog.inner_text()
    assert "Nächstes Anliegen" in text
    assert "Suche" in text  # a page-specific key ("/"), listed from its data-kv-key attribute
    assert page.evaluate("document.activeElement.hasAttribute('data-kv-close')")
    screenshot(page, "inbox-shortcuts")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_x_selects_the_current_row_and_slash_focuses_the_search(page, live_url, personas, login_as):
    annas_cases(personas)
    login_as(page, "anna")

    page.keyboard.press("j")
    page.keyboard.press("x")

    assert page.locator("[data-kv-select]:checked").count() == 1
    assert page.locator("[data-kv-bulk-count]").inner_text() == "1 ausgewählt"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("jjj")  # typing in a field does not move the row cursor
    assert page.locator("#id_q").input_value() == "jjj"


def test_the_inbox_on_a_phone(phone_page, live_url, personas, login_as, screenshot):
    annas_cases(personas)
    login_as(phone_page, "anna")

    assert phone_page.locator("[data-kv-row]").count() == 3
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    screenshot(phone_page, "inbox-phone")
