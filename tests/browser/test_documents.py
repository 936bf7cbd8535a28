"""Letter upload and the intake monitor in Chromium: upload a scanned letter, watch the list
update by itself (htmx polling, no inline JS) until it links to its case; retry a dead letter."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.services import receive
from kundenversteher.intake.tasks import process_inbound
from tests.intake.letters.generate import make_letter, render_letter, to_png, to_text_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shared_media(settings: Any) -> None:
    """The server process stores uploads below its own MEDIA_ROOT (``KV_DATA_DIR``/media); the
    pipeline run in this process must read them from there, not from the per-test folder."""
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"


def test_an_uploaded_png_letter_becomes_a_case_and_the_list_shows_it_without_reload(
    shared_media: None,
    page: Any,
    live_url: str,
    personas: Any,
    login_as: Any,
    console: Any,
    screenshot: Any,
) -> None:
    letter = make_letter(6)
    png = to_png(render_letter(letter, dpi=200), dpi=200)  # 200 dpi: a fax-grade scan, quicker OCR
    login_as(page, "anna")
    page.goto(f"{live_url}/posteingang/dokumente/")

    page.set_input_files(
        "#id_files", files=[{"name": "brief-mueller.png", "mimeType": "image/png", "buffer": png}]
    )
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")

    inbound = InboundMessage.objects.get()
    expect(page.locator(".messages")).to_contain_text(
        f"»brief-mueller.png« ist eingegangen (Eingang #{inbound.pk}) und wird verarbeitet."
    )
    row = page.locator(f"tr[data-upload='{inbound.pk}']")
    expect(row).to_have_attribute("data-state", "received")

    result = process_inbound.call(inbound.pk)  # the worker's job, here in the test process

    case_number = InboundMessage.objects.get(pk=inbound.pk).case.number
    # No reload: the list re-fetches itself every 2 s while anything is pending.
    expect(row).to_have_attribute("data-state", "done", timeout=10_000)
    expect(row.locator("a.case-link")).to_have_text(case_number)
    assert result["new_case"] is True
    assert (
        letter.customer_number in InboundMessage.objects.get(pk=inbound.pk).case_message.body_text
    )
    screenshot(page, "documents")
    console.assert_clean()


def test_a_supervisor_retries_a_dead_letter_from_the_monitor(
    page: Any, live_url: str, personas: Any, login_as: Any, console: Any, screenshot: Any
) -> None:
    inbound_id = receive(
        channel="fax",
        raw=to_text_pdf(make_letter(7)),
        source="upload:anna",
        content_type="application/pdf",
        filename="fax-0815.pdf",
    ).inbound_id
    InboundMessage.objects.filter(pk=inbound_id).update(
        state=InboundState.FAILED,
        attempts=5,
        last_error="OperationalError: <b>server closed the connection</b>",
    )
    login_as(page, "sabine")

    page.goto(f"{live_url}/posteingang/stoerungen/")

    expect(page).to_have_title(
        "Eingangsstörungen (1 fehlgeschlagen, 0 ignoriert, 0 Ausgang) · Kundenversteher"
    )
    expect(page.locator(f"tr[data-inbound='{inbound_id}'] .monitor-error")).to_have_text(
        "OperationalError: <b>server closed the connection</b>"
    )
    screenshot(page, "intake-monitor")
    with page.expect_navigation():
        page.click(f"tr[data-inbound='{inbound_id}'] button:has-text('Erneut verarbeiten')")

    expect(page.locator(".messages")).to_contain_text(
        f"Nachricht #{inbound_id} wird erneut verarbeitet."
    )
    expect(page.locator(f"tr[data-inbound='{inbound_id}']")).to_have_count(0)
    assert InboundMessage.objects.get(pk=inbound_id).state == InboundState.RECEIVED
    console.assert_clean()
