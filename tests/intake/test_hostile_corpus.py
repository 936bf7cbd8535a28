"""Every file of the hostile corpus parses without an exception, in bounded time and memory, with
no active content left in the HTML and with the expected, visible outcome."""

from __future__ import annotations

import re
import time
import tracemalloc
from dataclasses import dataclass

import pytest

from kundenversteher.intake.mime import ParsedMail, parse_message
from tests.intake import corpus

ACTIVE_CONTENT = re.compile(
    r"<\s*/?\s*(?:script|iframe|frame|object|embed|svg|math|form|input|button|style|meta|base|"
    r"link|applet|video|audio|source)\b"
    r"|\son[a-z]+\s*=|javascript:|vbscript:|data:text/html|expression\s*\(|srcdoc",
    re.IGNORECASE,
)
ACTIVE_TYPES = {"text/html", "image/svg+xml", "application/x-msdownload", "application/x-sh"}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e]")


@dataclass(frozen=True)
class Expect:
    text: str | None = None  # exact customer text; None = not checked
    text_contains: str = ""
    problems: tuple[str, ...] | None = None  # exact problems; None = not checked
    problem_contains: str = ""
    attachments: tuple[str, ...] | None = None
    skipped: tuple[str, ...] | None = None
    auto_kind: str = ""
    bounced_message_id: str = ""
    subject: str | None = None
    seconds: float = 3.0


HTML_TROUBLE = (
    "HTML-Teil mit übergroßen, offenen oder zu tief verschachtelten Tags – nur als Text übernommen."
)
EXPECTED: dict[str, Expect] = {
    "binary_garbage.eml": Expect(
        text="",
        problems=("Keine E-Mail: unlesbare Binärdaten (4,0 KB) – nicht übernommen.",),
        attachments=(),
    ),
    "bounce_dsn.eml": Expect(
        auto_kind="bounce",
        bounced_message_id="reply-42@brenner-waermetechnik.de",
        problems=(),
    ),
    "broken_encoded_words.eml": Expect(
        problems=("Datum der Nachricht nicht lesbar: 31 Feb 2026 99:99:99 +9999",),
        subject="Bestellung � =?utf-8?q?unterminated",
    ),
    "broken_transfer_encoding.eml": Expect(
        text="Die Rücksendung =ZZ klappt nicht",
        problems=(
            "Anhang »beleg.pdf« war fehlerhaft kodiert und ist möglicherweise unvollständig.",
        ),
    ),
    "charset_latin1_declared_utf8.eml": Expect(
        text="Ich brauche eine Kopie der Rechnung RE-2026-001234.", problems=()
    ),
    "charset_unknown.eml": Expect(
        text="Herzliche Grüße aus Köln, die Wärmepumpe läuft nicht.",
        subject="Grüße und Wärme",
        problems=("Unbekannter Zeichensatz »x-unknown« – Text mit erratenem Zeichensatz gelesen.",),
    ),
    "charset_utf8_declared_latin1.eml": Expect(
        text="Bitte ändern Sie meine Adresse in Straße 5.", problems=()
    ),
    "dangerous_attachments.eml": Expect(
        text="Anbei die Unterlagen.",
        attachments=("passwd",),
        skipped=("rechnungfdp.exe", "foto.jpg", "angebot.html", "logo.svg"),
    ),
    "empty_body.eml": Expect(
        text="", problems=("Die Nachricht enthält keinen Text und keine Anhänge.",)
    ),
    "headers_8bit.eml": Expect(
        subject="Wärmepumpe macht Geräusche",
        text="Die Wärmepumpe brummt seit gestern.",
        problems=(),
    ),
    "html_active_content.eml": Expect(
        text_contains="Meine Bestellung 4711 ist nicht angekommen.", attachments=()
    ),
    "html_outlook_reply.eml": Expect(text="Danke, das hat geholfen.", problems=()),
    "malformed_no_boundary.eml": Expect(
        text="Hallo, meine Heizung ist ausgefallen.",
        problems=("Fehlerhafter MIME-Aufbau: Grenze fehlte im Kopf, aus dem Text erkannt.",),
    ),
    "malformed_unclosed_boundary.eml": Expect(
        text="Die Lieferung 4711 fehlt noch.",
        attachments=("teil.pdf",),
        problems=("Fehlerhafter MIME-Aufbau: Grenze zwischen den Teilen fehlt oder ist kaputt.",),
    ),
    "nested_50_levels.eml": Expect(
        text="Ganz tief unten: Bitte Rückruf.",
        problems=(
            "Mehr als 20 verschachtelte Ebenen – aus tieferen Ebenen nur Text übernommen, "
            "keine Anhänge.",
        ),
    ),
    "nested_forwards_30.eml": Expect(
        text="",
        problem_contains="Mehr als 20 verschachtelte Ebenen",
        attachments=("Ebene 1.eml",),
    ),
    "nul_and_control_chars.eml": Expect(
        subject="Nullbyte[31m rot", text="Text mit Nullbyte und [2J Steuerzeichen.", problems=()
    ),
    "out_of_office.eml": Expect(auto_kind="out_of_office", problems=()),
    "winmail_dat.eml": Expect(
        text="Anbei das Formular.", attachments=("winmail.dat",), problem_contains="winmail.dat"
    ),
    "zero_bytes.eml": Expect(text="", problems=("Leere Nachricht: keine Daten empfangen.",)),
    "generated_10000_recipients.eml": Expect(
        text="Hallo zusammen.",
        problems=("Sehr viele Empfänger (20000) – nur die ersten 500 übernommen.",),
    ),
    "generated_reply_header_flood.eml": Expect(
        problems=("Sehr langer Text – als Kundentext nur die ersten 100000 Zeichen übernommen.",),
        seconds=3.0,
    ),
    "generated_html_deep_nesting.eml": Expect(text="Bitte um Rückruf.", problems=(HTML_TROUBLE,)),
    "generated_html_unclosed_comments.eml": Expect(
        text="Bitte um Rückruf.", problems=(HTML_TROUBLE,)
    ),
    "generated_html_attribute_flood.eml": Expect(
        text="Bitte um Rückruf.\nx", problems=(HTML_TROUBLE,)
    ),
    "generated_1000_parts.eml": Expect(
        text="Erster Teil.",
        problems=("Mehr als 200 Teile in der Nachricht – der Rest wurde nicht übernommen.",),
    ),
    "generated_big_attachment.eml": Expect(
        text="Anbei der Schaltplan.",
        attachments=(),
        skipped=("schaltplan.pdf",),
        problems=("Anhang größer als 25 MB – nicht übernommen: schaltplan.pdf (26,0 MB)",),
        seconds=10.0,
    ),
    "generated_zip_bomb.eml": Expect(
        text="Anbei die Fotos der Anlage.",
        attachments=(),
        skipped=("fotos.zip",),
        problems=(
            "Archiv »fotos.zip« enthält Archive in Archiven über 3 Ebenen – vermutlich eine "
            "Zip-Bombe, nicht übernommen.",
        ),
    ),
    "generated_flat_zip_bomb.eml": Expect(
        text="Anbei die Protokolle.",
        attachments=(),
        skipped=("protokolle.zip",),
        problems=(
            "Archiv »protokolle.zip« würde auf 200,0 MB entpackt (1 Einträge) – vermutlich eine "
            "Zip-Bombe, nicht übernommen.",
        ),
    ),
}
SLOW = {"generated_big_attachment.eml", "generated_flat_zip_bomb.eml"}


def _cases() -> list[object]:
    return [
        pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name
        for name in corpus.all_names()
    ]


def test_every_corpus_file_has_an_expected_outcome():
    assert sorted(EXPECTED) == sorted(corpus.all_names())


def _check_no_active_content(mail: ParsedMail) -> None:
    assert ACTIVE_CONTENT.search(mail.html) is None, mail.html
    for attachment in mail.attachments:
        assert attachment.content_type not in ACTIVE_TYPES
    for shown in (mail.subject, mail.from_name, mail.from_address, mail.text):
        assert CONTROL.search(shown) is None
    for nested in mail.forwarded:
        _check_no_active_content(nested)


@pytest.mark.parametrize("name", _cases())
def test_corpus_file_parses_to_its_expected_visible_outcome(name):
    raw = corpus.load(name)
    expect = EXPECTED[name]
    started = time.perf_counter()
    mail = parse_message(raw, max_attachment_bytes=corpus.ATTACHMENT_LIMIT)
    elapsed = time.perf_counter() - started
    # Memory in a second run: tracemalloc slows allocation-heavy parses several times over.
    tracemalloc.start()
    try:
        parse_message(raw, max_attachment_bytes=corpus.ATTACHMENT_LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert elapsed < expect.seconds
    # Nothing is expanded: memory stays within a small multiple of the message itself.
    assert peak < max(64 * corpus.MB, 2 * len(raw))
    _check_no_active_content(mail)
    if expect.text is not None:
        assert mail.text == expect.text
    assert expect.text_contains in mail.text
    if expect.problems is not None:
        assert mail.problems == expect.problems
    assert expect.problem_contains in " | ".join(mail.problems)
    if expect.attachments is not None:
        assert tuple(a.filename for a in mail.attachments) == expect.attachments
    if expect.skipped is not None:
        assert tuple(s.name for s in mail.skipped_attachments) == expect.skipped
        # Every skipped file is explained to the agent.
        assert all(s.reason in mail.problems for s in mail.skipped_attachments)
    if expect.subject is not None:
        assert mail.subject == expect.subject
    assert (mail.auto_kind, mail.bounced_message_id) == (
        expect.auto_kind,
        expect.bounced_message_id,
    )


def test_the_zip_bomb_is_small_and_would_expand_to_gigabytes():
    from kundenversteher.intake.archives import inspect_zip

    bomb = corpus.zip_bomb()
    report = inspect_zip(bomb)
    assert len(bomb) < 32 * 1024
    assert report.bomb_reason == "nesting"
    # 16 ** 4 MB if unpacked all the way down; the inspection stops three levels in.
    assert report.nested_depth == 3


def test_html_attack_collection_leaves_the_links_and_text_that_are_safe():
    mail = parse_message(
        corpus.load("html_active_content.eml"), max_attachment_bytes=corpus.ATTACHMENT_LIMIT
    )
    assert (
        '<a href="https://brenner-waermetechnik.de/hilfe" rel="noopener noreferrer nofollow">'
        in (mail.html)
    )
    assert "<p>Meine Bestellung 4711 ist nicht angekommen.</p>" in mail.html


def test_deeply_forwarded_mail_keeps_the_innermost_words_in_the_full_text():
    mail = parse_message(
        corpus.load("nested_forwards_30.eml"), max_attachment_bytes=corpus.ATTACHMENT_LIMIT
    )
    assert "Innerste Nachricht." in mail.full_text
    assert [f.subject for f in mail.forwarded] == ["Ebene 1"]
