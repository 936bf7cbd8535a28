"""The browser-test infrastructure itself: server, Chromium, login, screenshot."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_agent_signs_in_through_the_real_server_and_sees_the_start_page(
    page, live_url, personas, login_as, screenshot
):
    login_as(page, "anna")

    assert page.url in {f"{live_url}/", f"{live_url}/inbox/"}  # the start page may forward
    assert page.locator("main").count() == 1
    assert page.locator("form[action$='/logout/'] button").count() == 1
    path = screenshot(page, "login-home")
    assert path.stat().st_size > 1000


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(page, live_url, personas):
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", "falsch-falsch-falsch")
    page.click("form[action$='/login/'] button[type=submit]")

    assert page.locator("[role=alert]").inner_text() == "Benutzername oder Passwort ist falsch."
    assert page.url.startswith(f"{live_url}/login/")
