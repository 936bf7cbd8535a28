"""Periodic tasks: one poll task per active mailbox; senders that died are requeued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kundenversteher.intake.mail import services, tasks
from kundenversteher.intake.mail.models import Mailbox, OutboundMail
from tests.intake.mail.factories import make_mailbox

pytestmark = pytest.mark.django_db


def test_poll_mailboxes_enqueues_one_poll_per_active_imap_mailbox() -> None:
    first = make_mailbox(imap_port=1143)
    second = make_mailbox(name="Vertrieb", imap_port=1143)
    make_mailbox(name="Nur Versand", smtp_port=2525)  # no IMAP server: nothing to poll
    Mailbox.objects.filter(pk=second.pk).update(active=False)

    assert tasks.poll_mailboxes.call() == 1

    polls = DBTaskResult.objects.filter(task_path__endswith="poll_mailbox")
    assert [r.args_kwargs["args"] for r in polls] == [[first.pk]]


def test_a_sender_that_died_mid_send_is_requeued_after_ten_minutes() -> None:
    mailbox = make_mailbox(smtp_port=2525)
    mail, _created = services.queue_outbound(
        kind=OutboundMail.Kind.REPLY,
        dedupe_key="reply:1",
        mailbox_id=mailbox.pk,
        case_id=None,
        message_id="<r1@brenner.test>",
        from_address="service@brenner-waermetechnik.de",
        to_address="anna.schmidt@example.de",
        subject="Re: Störung",
        body_text="Wir kommen morgen.",
        headers={},
        language="de",
    )
    assert services.claim_outbound(outbound_id=mail.pk)
    assert not services.claim_outbound(outbound_id=mail.pk)  # only one sender wins
    OutboundMail.objects.filter(pk=mail.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=11)
    )

    assert services.release_stale_sending(older_than=timedelta(minutes=10)) == 1

    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.QUEUED
    assert services.claim_outbound(outbound_id=mail.pk)
