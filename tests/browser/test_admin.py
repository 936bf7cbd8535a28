"""The Django admin and the API docs in Chromium under the project's Content-Security-Policy.

Every test listens to the browser console and fails on a CSP report (Chromium logs each blocked
script, style or frame there: "Executing inline script violates the following Content Security
Policy directive …", older versions "Refused to execute …"). The
assertions also check that the admin's own JavaScript ran (select-all, action counter), because
a blocked script is otherwise silent in the page.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kundenversteher.intake.mail import crypto
from kundenversteher.intake.mail.models import Mailbox
from kundenversteher.intake.models import InboundMessage, InboundState
from tests.browser.conftest import PASSWORD
from tests.cases.factories import make_case
from tests.intake.factories import make_mail, receive_mail
from tests.intake.mail.servers import Dovecot, dovecot_available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_accounts = itertools.count(1)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot (helper A3's test server) for "Verbindung testen"."""
    if not dovecot_available():
        pytest.skip("dovecot fehlt (Debian-Paket dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="kv-dovecot-admin-"))
    server = Dovecot(root)
    server.start()
    try:
        yield server
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


def admin_login(page: Any, live_url: str, next_path: str = "/admin/") -> None:
    page.goto(f"{live_url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/login/'] button[type=submit]")
    assert page.url == f"{live_url}{next_path}"


def _failed_inbound(subject: str) -> InboundMessage:
    """A dead letter: received, then given up by the pipeline (state failed, error kept)."""
    result = receive_mail(make_mail(subject=subject))
    InboundMessage.objects.filter(pk=result.inbound_id).update(
        state=InboundState.FAILED, attempts=3, last_error="RuntimeError: Zerleger abgestürzt"
    )
    return InboundMessage.objects.get(pk=result.inbound_id)


def test_case_changelist_select_all_and_action_counter_work_under_the_csp(
    page, live_url, personas, console, screenshot
):
    for subject in ("Wärmepumpe brummt", "Rechnungskopie", "Wartungstermin"):
        make_case(subject=subject)
    admin_login(page, live_url, "/admin/cases/case/")

    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    page.check("#action-toggle")

    # admin/js/actions.js ran: every row is ticked and the counter says so.
    assert page.locator("input.action-select:checked").count() == 3
    expect(page.locator(".action-counter")).to_have_text("3 von 3 ausgewählt")
    screenshot(page, "admin-cases")
    console.assert_clean()


def test_dead_letter_is_sent_back_to_processing_from_its_admin_page(
    page, live_url, personas, console, screenshot
):
    dead = _failed_inbound("Anhang kaputt")
    done = receive_mail(make_mail(subject="Alles gut"))
    admin_login(page, live_url, "/admin/intake/inboundmessage/?state__exact=failed")

    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Zerleger abgestürzt" in rows.first.inner_text()
    screenshot(page, "admin-dead-letters")

    with page.expect_navigation():
        page.click(f"#result_list a[href*='/{dead.pk}/change/']")
    with page.expect_navigation():
        page.click("button:has-text('Erneut verarbeiten')")

    expect(page.locator(".messagelist")).to_contain_text(
        f"Nachricht #{dead.pk} wird erneut verarbeitet."
    )
    # Back in the queue: the button is gone because the row is no longer failed.
    assert page.locator("button:has-text('Erneut verarbeiten')").count() == 0
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == (InboundState.RECEIVED, 0)
    assert InboundMessage.objects.get(pk=done.inbound_id).state == InboundState.RECEIVED
    console.assert_clean()


def test_new_mailbox_saves_with_a_write_only_password_and_its_connection_test_reaches_dovecot(
    page, live_url, personas, console, dovecot, screenshot
):
    username = f"admin{next(_accounts)}@brenner.test"
    admin_login(page, live_url, "/admin/intake_mail/mailbox/add/")

    page.fill("#id_name", "Service")
    page.fill("#id_email_address", "service@brenner-waermetechnik.de")
    page.fill("#id_imap_host", "127.0.0.1")
    page.fill("#id_imap_port", str(dovecot.port))
    page.select_option("#id_imap_security", "none")
    page.fill("#id_imap_username", username)
    page.fill("#id_imap_password", dovecot.password)
    page.fill("#id_folders", json.dumps(["INBOX"]))
    page.fill("#id_smtp_host", "")
    screenshot(page, "admin-mailbox-add")
    with page.expect_navigation():
        page.click("input[name=_continue]")

    mailbox = Mailbox.objects.get()
    assert crypto.decrypt(mailbox.imap_password_encrypted) == dovecot.password
    # Write-only: the change form shows an empty password field and no ciphertext.
    assert page.input_value("#id_imap_password") == ""
    html = page.content()
    assert dovecot.password not in html
    assert mailbox.imap_password_encrypted not in html

    page.goto(f"{live_url}/admin/intake_mail/mailbox/")
    page.check(f"input.action-select[value='{mailbox.pk}']")
    page.select_option("select[name=action]", "test_connection")
    with page.expect_navigation():
        page.click("button[name=index]")

    expect(page.locator(".messagelist .success")).to_have_text("Service: INBOX: 0 Nachrichten")
    screenshot(page, "admin-mailbox-tested")
    console.assert_clean()


def test_api_docs_render_under_the_csp(page, live_url, personas, console, screenshot):
    admin_login(page, live_url)
    page.goto(f"{live_url}/api/docs")

    # Swagger UI is drawn by its script from our static files: operations appear only if it ran.
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    screenshot(page, "api-docs")
    console.assert_clean()


def test_console_watch_sees_an_inline_script_the_csp_blocks(page, live_url, personas, console):
    """The other tests' "no CSP report" means something: the policy is on and reports arrive."""
    admin_login(page, live_url)
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        # Devtools' evaluate is exempt from the CSP; the inline script it appends is not.
        page.evaluate(
            "const s = document.createElement('script');"
            "s.textContent = \"document.body.dataset.ran = 'ja'\";"
            "document.head.appendChild(s);"
        )

    assert page.evaluate("document.body.dataset.ran === undefined")
    assert len(console.csp_reports) == 1
    # Chromium's wording (older versions say "Refused to execute inline script …").
    assert console.csp_reports[0].startswith(
        "Executing inline script violates the following Content Security Policy directive "
        "'script-src 'self''."
    )


def test_every_admin_changelist_and_add_form_loads_without_a_csp_report(
    page, live_url, personas, console
):
    admin_login(page, live_url)
    links = page.eval_on_selector_all(
        "#content-main a.addlink, #content-main th[scope=row] a",
        "links => links.map(a => a.getAttribute('href'))",
    )
    assert len(links) > 20

    failed = []
    for href in links:
        response = page.goto(f"{live_url}{href}")
        if response is None or response.status != 200:
            failed.append((href, response.status if response else None))
    assert failed == []
    console.assert_clean()
