"""DSGVO: a customer's inbound originals are exported and erased with the rest of their data."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kundenversteher.intake.models import InboundMessage, InboundStep
from kundenversteher.intake.privacy import IntakePrivacyProvider
from kundenversteher.intake.queries import get_original, raw_ref_for
from tests.customers.factories import make_customer
from tests.intake.factories import make_mail, receive_mail, run


def _filed_mail_of(email: str, message_id: str) -> InboundMessage:
    inbound_id = receive_mail(make_mail(from_address=email, message_id=message_id)).inbound_id
    run(inbound_id)
    return InboundMessage.objects.get(pk=inbound_id)


def test_export_lists_the_customers_originals_only(db):
    anna = make_customer("Schmidt", email="anna.schmidt@example.de")
    make_customer("Huber", first_name="Max", email="max.huber@example.de")
    mine = _filed_mail_of("anna.schmidt@example.de", "<a1@example.de>")
    _filed_mail_of("max.huber@example.de", "<m1@example.de>")

    exported = IntakePrivacyProvider().export(anna.pk)

    assert [row["id"] for row in exported["inbound_messages"]] == [mine.pk]
    row = exported["inbound_messages"][0]
    assert (row["channel"], row["state"], row["case_id"], row["original_stored"]) == (
        "email",
        "done",
        mine.case_id,
        True,
    )


def test_erasure_deletes_the_original_and_keeps_the_dedupe_skeleton(
    db, django_capture_on_commit_callbacks
):
    anna = make_customer("Schmidt", email="anna.schmidt@example.de")
    inbound = _filed_mail_of("anna.schmidt@example.de", "<a2@example.de>")
    path = Path(settings.MEDIA_ROOT) / inbound.raw_path

    with django_capture_on_commit_callbacks(execute=True):
        changed = IntakePrivacyProvider().erase(anna.pk)
    again = IntakePrivacyProvider().erase(anna.pk)
    refetched = receive_mail(make_mail(message_id="<a2@example.de>"))

    inbound.refresh_from_db()
    assert changed == 1 + 7  # the row and its seven steps
    assert again == 0
    assert not path.exists()
    assert (inbound.raw_path, inbound.meta, inbound.filename) == ("", {}, "")
    assert not InboundStep.objects.exists()
    assert get_original(raw_ref=raw_ref_for(inbound.pk)) is None
    assert refetched.duplicate is True
    assert refetched.inbound_id == inbound.pk
