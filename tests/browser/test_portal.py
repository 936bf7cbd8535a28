"""Customer portal in a real browser: Clara signs in by magic link, sees only her cases, replies
with an upload; Anna, who has the case open, is told live that something happened (B3's live
notice) and sees the reply after reloading."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.cases.factories import Personas
from tests.portal.factories import agent_reply, make_customer_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINK_PATH = re.compile(r"https?://[^/\s]+(/portal/anmelden/[A-Za-z0-9_\-]+/)")


def mail_files() -> set[Path]:
    folder = Path(settings.EMAIL_FILE_PATH)
    return set(folder.glob("*.log")) if folder.exists() else set()


def link_from_new_mail(before: set[Path], to: str) -> str:
    """The confirmation path from the mail the server process wrote to the file backend."""
    for path in sorted(mail_files() - before, key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text(encoding="utf-8", errors="replace")
        match = LINK_PATH.search(text)
        if to in text and match:
            return match.group(1)
    raise AssertionError(f"no login mail to {to} in {settings.EMAIL_FILE_PATH}")


def test_clara_signs_in_by_link_replies_with_upload_and_anna_sees_it(
    page: Any,
    browser: Any,
    live_url: str,
    personas: Personas,
    login_as: Any,
    screenshot: Any,
    tmp_path: Path,
) -> None:
    personas.clara.email = "clara.schmidt@example.de"
    personas.clara.save(update_fields=["email"])
    mine = make_customer_case(personas.clara_customer, subject="Wärmepumpe brummt laut")
    agent_reply(mine, by=personas.anna, text="Bitte schicken Sie uns ein Foto vom Typenschild.")
    theirs = make_customer_case(personas.other_customer, subject="Olgas Rechnungskopie")
    before = mail_files()
    agent_context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    agent = agent_context.new_page()
    login_as(agent, "anna")
    agent.goto(f"{live_url}/cases/{mine.number}/")
    notice = agent.locator("[data-kv-live-notice]")
    assert notice.is_hidden()

    page.goto(f"{live_url}/portal/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("clara.schmidt@example.de")
    page.get_by_role("button", name="Anmeldelink anfordern").click()
    page.get_by_text("Wenn die Adresse bei uns bekannt ist").wait_for()
    page.goto(live_url + link_from_new_mail(before, "clara.schmidt@example.de"))
    with page.expect_navigation():
        page.get_by_role("button", name="Jetzt anmelden").click()

    assert page.url == f"{live_url}/portal/anliegen/"
    assert page.get_by_role("link", name=mine.number).is_visible()
    assert page.get_by_text("Olgas Rechnungskopie").count() == 0
    screenshot(page, "portal-cases")
    guessed = page.goto(f"{live_url}/portal/anliegen/{theirs.number}/")
    assert guessed is not None
    assert guessed.status == 404

    page.goto(f"{live_url}/portal/anliegen/")
    page.get_by_role("link", name=mine.number).click()
    page.get_by_label("Ihre Nachricht").fill("Hier ist das Foto vom Typenschild.")
    photo = tmp_path / "typenschild.txt"
    photo.write_text("Seriennummer BW2301004567", encoding="utf-8")
    page.get_by_label("Dateien anhängen").set_input_files(str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name="Nachricht senden").click()
    page.get_by_text("Vielen Dank, Ihre Nachricht ist bei uns eingegangen.").wait_for()
    assert page.get_by_role("link", name="typenschild.txt").is_visible()
    screenshot(page, "portal-case")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "portal-case-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    try:
        notice.wait_for(state="visible")  # pushed over the websocket, no reload
        assert agent.get_by_text("Hier ist das Foto vom Typenschild.").count() == 0
        agent.reload()
        agent.get_by_text("Hier ist das Foto vom Typenschild.").wait_for()
        assert agent.get_by_text("typenschild.txt").first.is_visible()
    finally:
        agent_context.close()
