"""intake.loop.classify_automatic: machines are recognised, people are not mistaken for them."""

from __future__ import annotations

import pytest

from kundenversteher.intake.loop import classify_automatic, find_bounced_message_id
from kundenversteher.intake.mime import parse_message

PERSON = {"From": "Clara <clara@example.de>", "Subject": "Frage zur Rechnung"}


def test_a_person_writing_is_not_automatic():
    assert classify_automatic(PERSON) == ("", "")
    assert classify_automatic({**PERSON, "Auto-Submitted": "no"}) == ("", "")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_reply"),
        ({"Auto-Submitted": "auto-generated"}, "auto_reply"),
        ({"X-Autoreply": "yes"}, "auto_reply"),
        ({"X-Autorespond": "Ihre Nachricht ist eingegangen"}, "auto_reply"),
        ({"Precedence": "auto_reply"}, "auto_reply"),
        ({"Precedence": "bulk"}, "list"),
        ({"Precedence": "junk"}, "list"),
        ({"Precedence": "list"}, "list"),
        ({"List-Id": "<kunden.example.de>"}, "list"),
        ({"List-Unsubscribe": "<mailto:unsub@example.de>"}, "list"),
    ],
)
def test_automatic_headers_are_recognised(headers, expected):
    assert classify_automatic({**PERSON, **headers}) == (expected, "")


@pytest.mark.parametrize(
    "subject",
    [
        "Abwesenheitsnotiz: Ihr Anliegen KV-2026-000123",
        "Automatische Antwort: Rechnung",
        "Out of Office: Your request",
        "Autoreply: Ihre Anfrage",
        "Automatic reply: order 4711",
    ],
)
def test_out_of_office_subjects_are_recognised(subject):
    assert classify_automatic({"From": "max@example.de", "Subject": subject}) == (
        "out_of_office",
        "",
    )


def test_a_person_answering_an_absence_note_is_not_an_absence_note():
    assert classify_automatic(
        {"From": "max@example.de", "Subject": "AW: Automatische Antwort: x"}
    ) == (
        "",
        "",
    )


def test_an_absence_note_with_an_auto_header_anywhere_in_the_subject_is_one():
    headers = {"From": "max@example.de", "Subject": "Re: Ihr Anliegen – Abwesenheitsnotiz"}
    assert classify_automatic({**headers, "Auto-Submitted": "auto-replied"}) == (
        "out_of_office",
        "",
    )


def test_a_dsn_gives_the_original_message_id():
    headers = {
        "From": "Mail Delivery System <MAILER-DAEMON@mx.example.de>",
        "Subject": "Undelivered Mail Returned to Sender",
        "Content-Type": 'multipart/report; report-type=delivery-status; boundary="x"',
    }
    status = "Reporting-MTA: dns; mx\nOriginal-Message-ID: <reply-1@brenner.de>\n\nAction: failed\n"
    assert classify_automatic(headers, delivery_status=status) == ("bounce", "reply-1@brenner.de")


def test_a_bounce_without_dsn_fields_takes_the_id_from_the_returned_headers():
    headers = {"From": "postmaster@example.de", "Subject": "Unzustellbar: Ihr Anliegen"}
    original = [("Message-ID", "<reply-2@brenner.de>"), ("Subject", "Ihr Anliegen")]
    assert classify_automatic(headers, original_headers=original) == (
        "bounce",
        "reply-2@brenner.de",
    )


def test_a_plain_text_bounce_from_mailer_daemon_finds_the_id_in_the_body():
    headers = {"From": "MAILER-DAEMON (Mail Delivery System)", "Subject": "failure notice"}
    body = "Sorry.\n--- Below this line is a copy of the message.\n\nMessage-ID: <r3@brenner.de>\n"
    assert classify_automatic(headers, body_text=body) == ("bounce", "r3@brenner.de")


def test_original_message_id_wins_over_the_first_message_id_line():
    text = "Message-ID: <dsn-itself@mx>\nOriginal-Message-ID: <orig@brenner.de>\n"
    assert find_bounced_message_id(text) == "orig@brenner.de"


def test_parse_message_links_a_full_dsn_to_the_bounced_reply():
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.de>\r\n"
        b"To: service@brenner-waermetechnik.de\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; weg@example.de\r\nAction: failed\r\n\r\n"
        b"--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: service@brenner-waermetechnik.de\r\n"
        b"Subject: Ihr Anliegen\r\nMessage-ID: <reply-9@brenner.de>\r\n\r\nAntwort.\r\n--R--\r\n"
    )
    mail = parse_message(raw, max_attachment_bytes=1024 * 1024)
    assert (mail.auto_kind, mail.bounced_message_id) == ("bounce", "reply-9@brenner.de")
    assert mail.forwarded == ()  # the returned original is not a forward by a customer


def test_parse_message_marks_an_out_of_office_reply():
    raw = (
        b"From: max@example.de\r\nTo: service@brenner.de\r\n"
        b"Subject: Abwesenheitsnotiz\r\nAuto-Submitted: auto-replied\r\n\r\nBis Montag weg.\r\n"
    )
    mail = parse_message(raw, max_attachment_bytes=1024)
    assert (mail.auto_kind, mail.text) == ("out_of_office", "Bis Montag weg.")
