"""intake.mime.parse_message on crafted messages: one requirement per test."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from kundenversteher.intake.mime import ParsedMail, decode_header_value, decode_text, parse_message

MB = 1024 * 1024
HEAD = (
    "From: Clara Kunde <Clara.Kunde@Example.DE>\r\n"
    "To: service@brenner-waermetechnik.de\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
    "Message-ID: <m1@example.de>\r\n"
)


def parse(raw: bytes | str, **limits: int) -> ParsedMail:
    data = crlf(raw).encode() if isinstance(raw, str) else raw
    return parse_message(
        data, max_attachment_bytes=limits.pop("max_attachment_bytes", 25 * MB), **limits
    )


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def plain(body: str, *, subject: str = "Frage", extra: str = "", charset: str = "utf-8") -> str:
    return (
        f"{HEAD}Subject: {subject}\n{extra}Content-Type: text/plain; charset={charset}\n"
        f"Content-Transfer-Encoding: 8bit\n\n{body}"
    )


# --- headers --------------------------------------------------------------------------------


def test_sender_ids_date_and_case_number_are_normalised():
    mail = parse(
        plain(
            "Hallo",
            subject="AW: Ihr Anliegen [KV-2026-000123]",
            extra="In-Reply-To: <reply-1@brenner.de>\nReferences: <a@x>\n <reply-1@brenner.de>\n"
            "Reply-To: Clara <Antwort@Example.DE>\n",
        )
    )
    assert mail.from_address == "clara.kunde@example.de"
    assert mail.from_name == "Clara Kunde"
    assert mail.reply_to == "antwort@example.de"
    assert mail.message_id == "m1@example.de"
    assert mail.in_reply_to == "reply-1@brenner.de"
    assert mail.references == ("a@x", "reply-1@brenner.de")
    assert mail.date == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert mail.date.utcoffset() == timedelta(hours=1)
    assert mail.case_number == "KV-2026-000123"
    assert mail.problems == ()


def test_a_date_without_zone_is_taken_as_utc_and_a_broken_one_is_a_problem():
    no_zone = parse(plain("x").replace("+0100", "-0000"))
    broken = parse(plain("x").replace("Mon, 23 Nov 2026 10:00:00 +0100", "gestern"))
    assert no_zone.date == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert broken.date is None
    assert broken.problems == ("Datum der Nachricht nicht lesbar: gestern",)


def test_rfc2047_words_are_joined_even_when_a_character_is_split_between_them():
    # "Grüße" in UTF-8 with the two bytes of "ü" in different encoded words.
    assert decode_header_value("=?utf-8?q?Gr=C3?= =?utf-8?q?=BC=C3=9Fe?= aus K=?x?q?x?=") == (
        "Grüße aus Kx"
    )
    assert decode_header_value("=?ISO-8859-1?Q?W=E4rmepumpe?= defekt") == "Wärmepumpe defekt"
    assert decode_header_value("=?utf-8?B?V8Okcm1l?=") == "Wärme"


def test_raw_8bit_headers_in_utf8_and_latin1_are_decoded():
    raw = (
        b"From: J\xf6rg Wei\xdf <joerg@example.de>\r\nTo: a@b.de\r\n"
        b"Subject: Ger\xc3\xa4usche der W\xc3\xa4rmepumpe\r\n\r\nText\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "Geräusche der Wärmepumpe"
    assert mail.from_name == "Jörg Weiß"
    assert mail.from_address == "joerg@example.de"


def test_unknown_charset_names_in_encoded_words_fall_back():
    assert decode_header_value("=?utf8mb4?q?Gr=C3=BC=C3=9Fe?=") == "Grüße"
    assert decode_header_value("=?x-unknown?q?Gr=FC=DFe?=") == "Grüße"


def test_recipients_are_capped_but_counted():
    to = ", ".join(f"k{i}@example.de" for i in range(30))
    mail = parse(
        plain("x", extra="Cc: a@x.de, b@x.de\n").replace(
            "To: service@brenner-waermetechnik.de", f"To: {to}"
        ),
        max_recipients=10,
    )
    assert mail.to_addresses == tuple(f"k{i}@example.de" for i in range(10))
    assert mail.to_count == 30
    assert mail.cc_count == 2
    assert mail.problems == ("Sehr viele Empfänger (32) – nur die ersten 10 übernommen.",)


def test_control_characters_and_bidi_overrides_never_reach_the_subject():
    mail = parse(plain("x", subject="Rechnung\x1b[31m \u202eexe.pdf\x00"))
    assert mail.subject == "Rechnung[31m exe.pdf"


# --- charsets --------------------------------------------------------------------------------


def test_latin1_body_declared_as_utf8_still_reads_gruesse():
    raw = (
        plain("Viele Grüße aus München")
        .replace("\r\n", "\n")
        .replace("\n", "\r\n")
        .encode("latin-1")
    )
    mail = parse(raw)
    assert mail.full_text == "Viele Grüße aus München"
    assert mail.charset_guessed is True


def test_utf8_body_declared_as_latin1_still_reads_gruesse():
    raw = crlf(plain("Viele Grüße aus München", charset="iso-8859-1")).encode()
    mail = parse(raw)
    assert mail.full_text == "Viele Grüße aus München"
    assert mail.charset_guessed is True


def test_correctly_declared_latin1_is_not_a_guess_and_windows_1252_signs_survive():
    text, guessed = decode_text("Grüße, 100 € – „gern“".encode("cp1252"), "iso-8859-1")
    assert (text, guessed) == ("Grüße, 100 € – „gern“", False)


def test_double_encoded_utf8_is_repaired():
    via_latin1 = "Grüße".encode().decode("latin-1").encode()
    via_cp1252 = "Grüße".encode().decode("cp1252").encode()
    assert decode_text(via_latin1, "utf-8") == ("Grüße", True)
    double = via_cp1252
    assert decode_text(double, "utf-8") == ("Grüße", True)


def test_unknown_body_charset_is_guessed_and_reported():
    raw = crlf(plain("Grüße aus Köln, die Anlage läuft.", charset="x-unknown")).encode("latin-1")
    mail = parse(raw)
    assert mail.full_text == "Grüße aus Köln, die Anlage läuft."
    assert mail.problems == (
        "Unbekannter Zeichensatz »x-unknown« – Text mit erratenem Zeichensatz gelesen.",
    )


# --- quotes, signatures, HTML ---------------------------------------------------------------


def test_german_reply_quote_and_signature_are_stripped():
    body = (
        "Hallo,\nder Techniker war da, es geht wieder.\n\nMit freundlichen Grüßen\nClara Kunde\n"
        "Kundennummer KD-104711\n\nAm 20.11.2026 um 09:12 schrieb Brenner Service "
        "<service@brenner.de>:\n> Wir schicken einen Techniker.\n"
    )
    mail = parse(plain(body))
    assert mail.text == "Hallo,\nder Techniker war da, es geht wieder."
    assert mail.signature == "Mit freundlichen Grüßen\nClara Kunde\nKundennummer KD-104711"
    assert "Wir schicken einen Techniker." in mail.full_text


def test_outlook_original_message_block_is_stripped():
    body = (
        "Bitte stornieren Sie die Bestellung 4711.\n\n-----Ursprüngliche Nachricht-----\n"
        "Von: Service\nGesendet: Montag\nBetreff: Bestellung\n\nIhre Bestellung ist unterwegs.\n"
    )
    assert parse(plain(body)).text == "Bitte stornieren Sie die Bestellung 4711."


def test_english_reply_quote_and_signature_are_stripped():
    body = (
        "Hi,\nwhere is my order 4711?\n\nBest regards\nJohn\n\n"
        "On Mon, Nov 23, 2026 at 9:00 AM Brenner Service <service@brenner.de> wrote:\n> Shipped.\n"
    )
    mail = parse(plain(body))
    assert mail.text == "Hi,\nwhere is my order 4711?"
    assert mail.signature == "Best regards\nJohn"


def test_a_message_that_is_only_a_greeting_line_keeps_its_words():
    mail = parse(plain("Herzliche Grüße aus Köln, die Wärmepumpe läuft nicht."))
    assert mail.text == "Herzliche Grüße aus Köln, die Wärmepumpe läuft nicht."


def test_html_only_mail_gives_sanitised_html_and_text_without_the_quote():
    html = (
        "<div onclick='x()'>Danke, das hat geholfen.<script>alert(1)</script></div>"
        "<div>Mit freundlichen Gr&uuml;&szlig;en<br>Clara</div><hr>"
        "<div><b>Von:</b> Service<br><b>Gesendet:</b> Montag<br></div><div>Alter Text</div>"
        "<a href='javascript:alert(2)'>x</a><img src='cid:logo@x' onerror='alert(3)'>"
    )
    mail = parse(f"{HEAD}Subject: AW\nContent-Type: text/html; charset=utf-8\n\n{html}")
    assert mail.text == "Danke, das hat geholfen."
    assert mail.html == (
        "<div>Danke, das hat geholfen.</div><div>Mit freundlichen Grüßen<br>Clara</div><hr>"
        "<div><b>Von:</b> Service<br><b>Gesendet:</b> Montag<br></div><div>Alter Text</div>"
        '<a rel="noopener noreferrer nofollow">x</a><img src="cid:logo@x">'
    )


def test_alternative_parts_give_text_from_plain_and_html_from_html():
    mail = EmailMessage()
    mail["From"] = "a@example.de"
    mail["Subject"] = "Alt"
    mail.set_content("Nur Text, Grüße")
    mail.add_alternative("<p>HTML <b>Grüße</b></p>", subtype="html")
    parsed = parse(mail.as_bytes())
    assert parsed.text == "Nur Text, Grüße"
    assert parsed.html.strip() == "<p>HTML <b>Grüße</b></p>"


# --- attachments -----------------------------------------------------------------------------


def _with_attachments(*files: tuple[str, str, bytes], inline_cid: str = "") -> bytes:
    mail = EmailMessage()
    mail["From"] = "a@example.de"
    mail["Subject"] = "Anhänge"
    mail.set_content("Anbei.")
    if inline_cid:
        mail.add_alternative(f'<p>Foto: <img src="cid:{inline_cid}"></p>', subtype="html")
        html_part = mail.get_payload()[1]
        html_part.add_related(
            b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
            maintype="image",
            subtype="png",
            cid=f"<{inline_cid}>",
        )
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def test_attachments_get_safe_names_and_sniffed_types():
    mail = parse(
        _with_attachments(
            ("../../Rechnung RE-2026-001234.pdf", "application/octet-stream", b"%PDF-1.4\n%%EOF"),
            ("foto.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32),
        )
    )
    assert [(a.filename, a.content_type, a.size, a.inline) for a in mail.attachments] == [
        ("Rechnung RE-2026-001234.pdf", "application/pdf", 14, False),
        ("foto.png", "image/png", 40, False),
    ]
    assert mail.attachments[0].declared_content_type == "application/octet-stream"


def test_an_inline_image_keeps_its_content_id_and_the_html_its_cid_reference():
    mail = parse(_with_attachments(inline_cid="bild1@example.de"))
    assert [(a.content_type, a.inline, a.content_id) for a in mail.attachments] == [
        ("image/png", True, "bild1@example.de")
    ]
    assert 'src="cid:bild1@example.de"' in mail.html


def test_an_attachment_over_the_limit_is_skipped_with_a_problem_before_decoding():
    mail = parse(
        _with_attachments(("plan.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (2 * MB))),
        max_attachment_bytes=1 * MB,
    )
    assert mail.attachments == ()
    assert [s.name for s in mail.skipped_attachments] == ["plan.pdf"]
    assert mail.problems == ("Anhang größer als 1 MB – nicht übernommen: plan.pdf (2,0 MB)",)


def test_executables_and_active_content_are_skipped_with_the_reason():
    mail = parse(
        _with_attachments(
            ("rechnung.pdf.exe", "application/pdf", b"MZ\x90\x00"),
            ("bild.jpg", "image/jpeg", b"<html><script>alert(1)</script></html>"),
        )
    )
    assert mail.attachments == ()
    assert [(s.name, s.reason) for s in mail.skipped_attachments] == [
        ("rechnung.pdf.exe", "Anhang »rechnung.pdf.exe« hat einen gesperrten Dateityp (.exe)."),
        ("bild.jpg", "Anhang »bild.jpg« enthält ausführbare oder aktive Inhalte (text/html)."),
    ]


def test_winmail_dat_is_detected_and_kept_for_download():
    mail = parse(_with_attachments(("winmail.dat", "application/ms-tnef", b"\x78\x9f\x3e\x22\0\0")))
    assert mail.winmail_dat is True
    assert [a.filename for a in mail.attachments] == ["winmail.dat"]
    assert mail.problems == (
        "Outlook-Anhang winmail.dat (TNEF) erkannt – der Inhalt wird nicht entpackt; "
        "bitte den Absender um die Dateien als normale Anhänge bitten.",
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_harmless_zip_is_kept_and_one_with_an_executable_is_skipped():
    mail = parse(
        _with_attachments(
            ("fotos.zip", "application/zip", _zip({"a.txt": b"Protokoll"})),
            ("tool.zip", "application/zip", _zip({"setup.exe": b"MZ"})),
        )
    )
    assert [a.filename for a in mail.attachments] == ["fotos.zip"]
    assert mail.problems == (
        "Archiv »tool.zip« enthält ausführbare Dateien (setup.exe) – nicht übernommen.",
    )


def test_too_many_parts_are_cut_with_a_problem():
    files = [(f"t{i}.txt", "text/plain", b"x") for i in range(12)]
    mail = parse(_with_attachments(*files), max_parts=8)
    assert len(mail.attachments) == 6  # the root, the text part and six files make eight parts
    assert mail.problems == (
        "Mehr als 8 Teile in der Nachricht – der Rest wurde nicht übernommen.",
    )


# --- forwarded mail --------------------------------------------------------------------------


def test_an_inline_german_forward_is_summarised():
    body = (
        "Zur Info, siehe unten.\n\n-------- Weitergeleitete Nachricht --------\n"
        "Betreff: Bestellung 4711\nDatum: Mon, 23 Nov 2026 08:00:00 +0100\n"
        "Von: Max Muster <Max@Example.de>\nAn: clara@example.de\n\n"
        "Die Lieferung kommt später.\n\nMit freundlichen Grüßen\nMax\n"
    )
    mail = parse(plain(body))
    assert mail.text == "Zur Info, siehe unten."
    assert [(f.from_address, f.from_name, f.subject, f.text) for f in mail.forwarded] == [
        ("max@example.de", "Max Muster", "Bestellung 4711", "Die Lieferung kommt später.")
    ]


def test_a_gmail_forward_and_an_apple_forward_are_summarised():
    gmail = parse(
        plain(
            "FYI\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\n"
            "Date: Mon, Nov 23, 2026\nSubject: Order 4711\nTo: <c@example.de>\n\nShipped today.\n"
        )
    )
    apple = parse(
        plain(
            "Siehe unten\n\nAnfang der weitergeleiteten Nachricht:\n\n"
            "Von: Shop <shop@example.com>\n"
            "Betreff: Rechnung\nDatum: 23. November 2026\n\nIhre Rechnung.\n"
        )
    )
    assert (gmail.text, gmail.forwarded[0].subject, gmail.forwarded[0].text) == (
        "FYI",
        "Order 4711",
        "Shipped today.",
    )
    assert (apple.text, apple.forwarded[0].from_address, apple.forwarded[0].text) == (
        "Siehe unten",
        "shop@example.com",
        "Ihre Rechnung.",
    )


def test_a_forward_as_attachment_is_summarised_kept_as_eml_and_in_the_full_text():
    inner = EmailMessage()
    inner["From"] = "Max <max@example.de>"
    inner["Subject"] = "Störung"
    inner.set_content("Die Anlage zeigt E42.")
    outer = EmailMessage()
    outer["From"] = "clara@example.de"
    outer["Subject"] = "WG: Störung"
    outer.set_content("Bitte ansehen.")
    outer.add_attachment(inner)
    mail = parse(outer.as_bytes())
    assert mail.text == "Bitte ansehen."
    assert [(f.from_address, f.subject, f.text) for f in mail.forwarded] == [
        ("max@example.de", "Störung", "Die Anlage zeigt E42.")
    ]
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("Störung.eml", "message/rfc822")
    ]
    assert mail.full_text.endswith("Betreff: Störung\n\nDie Anlage zeigt E42.")


# --- broken input ----------------------------------------------------------------------------


def test_empty_input_and_headers_only_are_problems_not_errors():
    assert parse(b"").problems == ("Leere Nachricht: keine Daten empfangen.",)
    headers_only = parse(f"{HEAD}Subject: leer\n\n")
    assert (headers_only.text, headers_only.attachments) == ("", ())
    assert headers_only.problems == ("Die Nachricht enthält keinen Text und keine Anhänge.",)


def test_bytes_without_headers_are_taken_as_raw_text_with_a_problem():
    mail = parse(b"\r\n\r\nnur ein Text ohne Kopf")
    assert mail.full_text == "nur ein Text ohne Kopf"
    assert mail.problems == ("Keine Kopfzeilen erkannt – der Inhalt wurde als Rohtext übernommen.",)


def test_nesting_beyond_the_limit_keeps_only_the_text():
    body = "Content-Type: text/plain; charset=utf-8\n\nGanz unten.\n"
    for level in range(8, 0, -1):
        head = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n'
        body = f"{head}--b{level}\n{body}\n--b{level}--\n"
    mail = parse(f"{HEAD}Subject: tief\nMIME-Version: 1.0\n{body}", max_depth=4)
    assert mail.text == "Ganz unten."
    assert mail.problems == (
        "Mehr als 4 verschachtelte Ebenen – aus tieferen Ebenen nur Text übernommen, "
        "keine Anhänge.",
    )


def test_broken_base64_is_reported_for_the_attachment():
    raw = (
        f'{HEAD}Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nText\n--B\n"
        'Content-Type: application/pdf; name="a.pdf"\nContent-Transfer-Encoding: base64\n\n'
        "JVBERi0x!!!kaputt***\n--B--\n"
    )
    mail = parse(raw)
    assert mail.text == "Text"
    assert mail.problems == (
        "Anhang »a.pdf« war fehlerhaft kodiert und ist möglicherweise unvollständig.",
    )


def test_base64_body_text_is_decoded():
    encoded = base64.b64encode("Grüße aus Hamburg".encode()).decode()
    raw = (
        f"{HEAD}Subject: b\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: base64\n\n{encoded}\n"
    )
    assert parse(raw).text == "Grüße aus Hamburg"


def test_utf8_with_one_cut_off_character_keeps_the_rest_intact():
    assert decode_text("Grüße aus Köln".encode() + b"\xe2\x82", "utf-8") == (
        "Grüße aus Köln\ufffd",
        False,
    )
    assert decode_header_value("=?utf-8?Q?Bestellung_=E2=82?=") == "Bestellung \ufffd"


def test_a_multipart_without_boundary_parameter_is_split_by_its_boundary_lines():
    raw = (
        f"{HEAD}Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n"
        "--grenze\nContent-Type: text/plain; charset=utf-8\n\nDie Heizung ist aus.\n"
        '--grenze\nContent-Type: application/pdf; name="a.pdf"\n\n%PDF-1.4\n--grenze--\n'
    )
    mail = parse(raw)
    assert mail.text == "Die Heizung ist aus."
    assert [a.filename for a in mail.attachments] == ["a.pdf"]
    assert mail.problems == (
        "Fehlerhafter MIME-Aufbau: Grenze fehlte im Kopf, aus dem Text erkannt.",
    )


def test_format_flowed_lines_are_joined_again():
    body = "Die Anlage zeigt seit gestern den \nFehler E42 und piept.\n\n-- \nClara\n"
    mail = parse(plain(body).replace("charset=utf-8", "charset=utf-8; format=flowed"))
    assert mail.text == "Die Anlage zeigt seit gestern den Fehler E42 und piept."
    assert mail.signature == "-- \nClara"


def test_bodies_under_the_limit_survive_the_cut_of_oversized_ones():
    small = bytes(range(256)) * 2048  # 512 KB each, together over the 1 MB limit
    mail = parse(
        _with_attachments(
            ("a.bin", "application/octet-stream", small),
            ("b.bin", "application/octet-stream", small),
            ("gross.bin", "application/octet-stream", small * 3),
        ),
        max_attachment_bytes=1 * MB,
    )
    assert [(a.filename, a.content) for a in mail.attachments] == [
        ("a.bin", small),
        ("b.bin", small),
    ]
    assert mail.problems == ("Anhang größer als 1 MB – nicht übernommen: gross.bin (1,5 MB)",)


def test_an_oversized_base64_text_body_is_reported_not_decoded():
    text = "Sehr lange Beschreibung der Störung. " * 40_000  # ~1.5 MB
    encoded = base64.encodebytes(text.encode()).decode()
    raw = (
        f"{HEAD}Subject: lang\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: base64\n\n{encoded}"
    )
    mail = parse(raw, max_attachment_bytes=1 * MB)
    assert mail.text == ""
    assert mail.problems == (
        "Textteil von 1,4 MB – zu groß, nicht übernommen.",
        "Die Nachricht enthält keinen Text und keine Anhänge.",
    )


def test_an_html_part_without_charset_parameter_uses_its_meta_charset():
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Grüße aus Köln</p></body></html>'
    raw = crlf(f"{HEAD}Subject: h\nContent-Type: text/html\n\n{html}\n").encode("latin-1")
    mail = parse(raw)
    assert mail.text == "Grüße aus Köln"
    assert mail.charset_guessed is False
