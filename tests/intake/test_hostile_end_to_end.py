"""The hostile corpus through the real inbound path (receive → process_inbound): every file ends
in a clear, visible state and nothing active reaches a stored case message."""

from __future__ import annotations

import contextlib
import re

import pytest

from kundenversteher.cases.models import Attachment, Message
from kundenversteher.intake.mime import parse_message
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.tasks import process_inbound
from kundenversteher.lib.tasks import PermanentTaskError
from tests.intake import corpus
from tests.intake.factories import receive_mail

ACTIVE_CONTENT = re.compile(
    r"<\s*/?\s*(?:script|iframe|frame|object|embed|svg|math|form|input|button|style|meta|base|"
    r"link|applet)\b|\son[a-z]+\s*=|javascript:|vbscript:|data:text/html|expression\s*\(|srcdoc",
    re.IGNORECASE,
)
BIG = {"generated_big_attachment.eml", "generated_flat_zip_bomb.eml"}


def _run_through_pipeline(name: str) -> tuple[InboundMessage, tuple[str, ...]]:
    raw = corpus.load(name)
    expected_problems = parse_message(raw, max_attachment_bytes=corpus.ATTACHMENT_LIMIT).problems
    inbound_id = receive_mail(raw, source=f"corpus:{name}").inbound_id
    # A dead letter raises PermanentTaskError (the task must not be retried); the row tells.
    with contextlib.suppress(PermanentTaskError):
        process_inbound.call(inbound_id)
    return InboundMessage.objects.get(pk=inbound_id), expected_problems


def _assert_clear_visible_state(
    inbound: InboundMessage, expected_problems: tuple[str, ...], name: str
) -> None:
    assert inbound.state in (InboundState.DONE, InboundState.IGNORED, InboundState.FAILED), name
    parse_steps = list(inbound.steps.filter(name="parse"))
    if inbound.state == InboundState.FAILED:
        assert inbound.last_error.strip(), name  # a readable reason, never a silent drop
    if parse_steps:
        # Problems found while parsing are kept with the row for the agent.
        # The parser's problems first; OCR of attached scans may add its own after them.
        recorded = parse_steps[-1].detail.get("problems", [])
        assert recorded[: len(expected_problems)] == list(expected_problems), name
    if inbound.state == InboundState.IGNORED:
        assert inbound.automatic in ("auto_reply", "out_of_office", "bounce", "list"), name
    if inbound.state == InboundState.DONE and inbound.case_message_id is not None:
        message = Message.objects.get(pk=inbound.case_message_id)
        assert ACTIVE_CONTENT.search(message.body_html) is None, (name, message.body_html)
        for attachment in Attachment.objects.filter(message=message):
            assert attachment.content_type not in ("text/html", "image/svg+xml"), name


@pytest.mark.slow  # ~15 s: 23 mails through the whole pipeline with the language models
def test_every_small_corpus_file_ends_in_a_clear_visible_state(db):
    names = [name for name in corpus.all_names() if name not in BIG]
    outcomes = [_run_through_pipeline(name) for name in names]

    # Never a silent drop: every delivery has its row, and every row a final state.
    assert InboundMessage.objects.count() == len(names)
    for name, (inbound, problems) in zip(names, outcomes, strict=True):
        _assert_clear_visible_state(inbound, problems, name)
    states = {
        name: inbound.state for name, (inbound, _problems) in zip(names, outcomes, strict=True)
    }
    assert states["bounce_dsn.eml"] == InboundState.IGNORED
    assert states["out_of_office.eml"] == InboundState.IGNORED
    assert states["binary_garbage.eml"] == InboundState.FAILED
    assert states["empty_body.eml"] == InboundState.FAILED
    assert states["html_active_content.eml"] == InboundState.DONE
    assert states["nested_50_levels.eml"] == InboundState.DONE
    assert states["generated_zip_bomb.eml"] == InboundState.DONE


def test_the_html_attack_collection_is_stored_without_active_content(db):
    inbound, _problems = _run_through_pipeline("html_active_content.eml")
    message = Message.objects.get(pk=inbound.case_message_id)
    assert "Meine Bestellung 4711 ist nicht angekommen." in message.body_text
    assert "<p>Meine Bestellung 4711 ist nicht angekommen.</p>" in message.body_html
    assert ACTIVE_CONTENT.search(message.body_html) is None


def test_skipped_attachments_are_named_in_the_stored_message(db):
    inbound, _problems = _run_through_pipeline("dangerous_attachments.eml")
    message = Message.objects.get(pk=inbound.case_message_id)
    for name in ("rechnungfdp.exe", "foto.jpg", "angebot.html", "logo.svg"):
        assert name in message.body_text
    assert list(
        Attachment.objects.filter(message=message).values_list("original_filename", flat=True)
    ) == ["passwd"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BIG))
def test_big_corpus_files_end_in_a_clear_visible_state(db, name):
    inbound, problems = _run_through_pipeline(name)
    _assert_clear_visible_state(inbound, problems, name)
    assert inbound.state == InboundState.DONE
    message = Message.objects.get(pk=inbound.case_message_id)
    assert not Attachment.objects.filter(message=message).exists()
    assert problems[0].split(" – ")[0] in message.body_text
