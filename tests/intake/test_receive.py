"""intake.services.receive: the original is on disk before anything else, exactly once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from kundenversteher.cases.models import Channel
from kundenversteher.events.models import Event
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.queries import get_original, raw_ref_for
from kundenversteher.intake.services import receive
from tests.intake.factories import make_mail, receive_mail


def test_receive_stores_the_raw_bytes_before_processing(db, django_capture_on_commit_callbacks):
    raw = make_mail(message_id="<erste@example.de>")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = receive_mail(raw)

    inbound = InboundMessage.objects.get(pk=result.inbound_id)
    assert result.duplicate is False
    assert inbound.state == InboundState.RECEIVED
    assert inbound.attempts == 0
    assert inbound.case_message_id is None
    assert (Path(settings.MEDIA_ROOT) / inbound.raw_path).read_bytes() == raw
    assert inbound.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert inbound.raw_size == len(raw)
    assert inbound.message_id == "<erste@example.de>"
    assert inbound.dedupe_key == "message-id:<erste@example.de>"
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [inbound.pk], "kwargs": {}}
    assert task.task_path == "kundenversteher.intake.tasks.process_inbound"
    assert Event.objects.filter(kind="intake.received").count() == 1


def test_the_same_message_from_two_mailboxes_is_stored_once(db, django_capture_on_commit_callbacks):
    first = make_mail(message_id="<doppelt@example.de>")
    # The second mailbox adds its own trace headers: other bytes, same Message-ID.
    second = b"Delivered-To: buchhaltung@brenner-waermetechnik.de\r\n" + first

    with django_capture_on_commit_callbacks() as callbacks:
        one = receive_mail(first, source="imap:Service/INBOX")
        two = receive_mail(second, source="imap:Buchhaltung/INBOX")

    assert two == type(one)(inbound_id=one.inbound_id, duplicate=True)
    assert InboundMessage.objects.count() == 1
    assert len(callbacks) == 1  # one processing task, for the first delivery


def test_identical_bytes_without_message_id_are_stored_once(db):
    scan = b"%PDF-1.4 not really a pdf but the same bytes twice"

    one = receive(
        channel=Channel.LETTER, raw=scan, source="dropfolder", content_type="application/pdf"
    )
    two = receive(
        channel=Channel.LETTER, raw=scan, source="dropfolder", content_type="application/pdf"
    )

    assert one.duplicate is False
    assert two.duplicate is True
    assert two.inbound_id == one.inbound_id
    assert InboundMessage.objects.get().dedupe_key == f"sha256:{hashlib.sha256(scan).hexdigest()}"


def test_an_explicit_dedupe_key_wins_over_the_message_id(db):
    one = receive_mail(make_mail(), dedupe_key="api:formular-17")
    two = receive_mail(make_mail(), dedupe_key="api:formular-17")

    assert two.inbound_id == one.inbound_id
    assert two.duplicate is True


def test_get_original_returns_the_stored_bytes_for_a_raw_ref(db):
    scan = b"%PDF-1.4 scanned letter"
    result = receive(
        channel=Channel.LETTER,
        raw=scan,
        source="dropfolder",
        content_type="application/pdf",
        filename="brief.pdf",
    )
    InboundMessage.objects.filter(pk=result.inbound_id).update(ocr_confidence=87.5)

    original = get_original(raw_ref=raw_ref_for(result.inbound_id))

    assert original is not None
    assert original.content == scan
    assert original.content_type == "application/pdf"
    assert original.filename == "brief.pdf"
    assert original.channel == Channel.LETTER
    assert original.ocr_confidence == 87.5
    assert get_original(raw_ref="intake:999999") is None
    assert get_original(raw_ref="mail:5") is None
