"""DSGVO: outbound mails are exported and erased with the customer."""

from __future__ import annotations

import pytest

from kundenversteher.cases import services as case_services
from kundenversteher.intake.mail import services
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.intake.mail.privacy import ERASED, MailPrivacyProvider
from tests.customers.factories import make_customer
from tests.intake.mail.factories import make_mailbox

pytestmark = pytest.mark.django_db


def _queued_for(customer_id: int, key: str) -> OutboundMail:
    case = case_services.open_case(
        subject="Störung", channel="email", customer_id=customer_id, route=False
    )
    mail, _created = services.queue_outbound(
        kind=OutboundMail.Kind.REPLY,
        dedupe_key=key,
        mailbox_id=make_mailbox(name=key).pk,
        case_id=case.pk,
        message_id=f"<{key}@brenner.test>",
        from_address="service@brenner-waermetechnik.de",
        to_address="anna.schmidt@example.de",
        subject=f"Re: Störung [{case.number}]",
        body_text="Wir kommen morgen.",
        headers={"In-Reply-To": "<x@example.de>"},
        language="de",
    )
    return mail


def test_export_lists_the_customers_outbound_mails_only() -> None:
    anna = make_customer(email="anna.schmidt@example.de")
    other = make_customer("Huber", first_name="Max", email="max@example.de")
    _queued_for(anna.pk, "a")
    _queued_for(other.pk, "b")

    exported = MailPrivacyProvider().export(anna.pk)["outbound_mails"]

    assert [(m["to"], m["text"]) for m in exported] == [
        ("anna.schmidt@example.de", "Wir kommen morgen.")
    ]


def test_erase_blanks_address_subject_and_text_and_is_idempotent() -> None:
    anna = make_customer(email="anna.schmidt@example.de")
    mail = _queued_for(anna.pk, "a")

    assert MailPrivacyProvider().erase(anna.pk) == 1
    assert MailPrivacyProvider().erase(anna.pk) == 0

    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.SKIPPED  # queued: will not go out any more
    assert (mail.to_address, mail.subject, mail.body_text, mail.headers) == (
        ERASED,
        ERASED,
        ERASED,
        {},
    )
