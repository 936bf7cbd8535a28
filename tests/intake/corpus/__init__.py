"""The hostile-input corpus: small files committed beside this module, big ones generated.

Generated at test time (never committed): a 25 MB attachment, a zip bomb (about 10 KB that
would expand to gigabytes), 10 000 recipients and 1 000 MIME parts.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
MB = 1024 * 1024
ATTACHMENT_LIMIT = 25 * MB  # KV_MAX_ATTACHMENT_BYTES default

_HEAD = (
    "From: Kunde <kunde@example.de>\r\n"
    "To: service@brenner-waermetechnik.de\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
)


def _mixed(subject: str, message_id: str, parts: list[str]) -> bytes:
    boundary = "GEN-BOUNDARY"
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return (
        f"{_HEAD}Subject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"{body}--{boundary}--\r\n"
    ).encode()


def _text(text: str) -> str:
    return f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"


def _base64_attachment(name: str, content_type: str, content: bytes) -> str:
    encoded = base64.encodebytes(content).decode("ascii").replace("\n", "\r\n")
    return (
        f'Content-Type: {content_type}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
    )


def big_attachment_mail() -> bytes:
    """26 MB of PDF-looking bytes: over the 25 MB limit."""
    content = b"%PDF-1.4\n" + b"0" * (26 * MB)
    return _mixed(
        "Großer Anhang",
        "big-attachment@example.de",
        [
            _text("Anbei der Schaltplan."),
            _base64_attachment("schaltplan.pdf", "application/pdf", content),
        ],
    )


def zip_bomb() -> bytes:
    """42.zip style: nested archives of 16 copies each; about 10 KB, gigabytes when unpacked."""
    zeros = b"\0" * MB
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for index in range(16):
            archive.writestr(f"daten{index}.bin", zeros)
    data = layer.getvalue()
    for level in range(3):
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for index in range(16):
                archive.writestr(f"ebene{level}_{index}.zip", data)
        data = outer.getvalue()
    return data  # 16**4 MB = 64 GB when fully unpacked


def flat_zip_bomb() -> bytes:
    """One entry of 200 MB zeros: a single deflate stream ~1000:1."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("nullen.bin", "w", force_zip64=True) as handle,
    ):
        chunk = b"\0" * (8 * MB)
        for _ in range(25):
            handle.write(chunk)
    return buffer.getvalue()


def zip_bomb_mail() -> bytes:
    return _mixed(
        "Fotos",
        "zipbomb@example.de",
        [
            _text("Anbei die Fotos der Anlage."),
            _base64_attachment("fotos.zip", "application/zip", zip_bomb()),
        ],
    )


def flat_zip_bomb_mail() -> bytes:
    return _mixed(
        "Protokolle",
        "flatbomb@example.de",
        [
            _text("Anbei die Protokolle."),
            _base64_attachment("protokolle.zip", "application/zip", flat_zip_bomb()),
        ],
    )


def many_recipients_mail(count: int = 10_000) -> bytes:
    to = ", ".join(f"Empfänger {i} <empfaenger{i}@example.de>" for i in range(count))
    return (
        f"From: Rundmail <rundmail@example.de>\r\nTo: {to}\r\nCc: {to}\r\n"
        "Subject: An alle\r\nMessage-ID: <many@example.de>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHallo zusammen.\r\n"
    ).encode()


def many_parts_mail(count: int = 1_000) -> bytes:
    return _mixed(
        "Viele Teile",
        "manyparts@example.de",
        [_text("Erster Teil.")]
        + [_base64_attachment(f"teil{i}.txt", "text/plain", b"x") for i in range(count)],
    )


def reply_header_flood_mail() -> bytes:
    """900 KB of "Am Am Am": each position starts a German reply-header match attempt."""
    return (
        "From: kunde@example.de\r\nSubject: Flut\r\nMessage-ID: <flood@example.de>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Am Am Am Am\r\n" * 70_000
    ).encode()


def _html_mail(subject: str, markup: str) -> bytes:
    return (
        f"From: kunde@example.de\r\nSubject: {subject}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + markup
    ).encode()


def html_deep_nesting_mail() -> bytes:
    """30 000 nested <div>: quadratic in the HTML5 tree builder (4 s for 20 000)."""
    return _html_mail("Tief", "<div>" * 30_000 + "Bitte um Rückruf." + "</div>" * 30_000)


def html_unclosed_comments_mail() -> bytes:
    """20 000 "<!--a>" never closed: quadratic in html.parser (22 s)."""
    return _html_mail("Kommentare", "<p>Bitte um Rückruf.</p>" + "<!--a>" * 20_000)


def html_attribute_flood_mail() -> bytes:
    """One tag with 20 000 attributes "<a": minutes in html5ever."""
    return _html_mail("Attribute", "<p>Bitte um Rückruf.</p><a " + "<a " * 20_000 + ">x</a>")


GENERATED: dict[str, Callable[[], bytes]] = {
    "generated_html_deep_nesting.eml": html_deep_nesting_mail,
    "generated_html_unclosed_comments.eml": html_unclosed_comments_mail,
    "generated_html_attribute_flood.eml": html_attribute_flood_mail,
    "generated_reply_header_flood.eml": reply_header_flood_mail,
    "generated_big_attachment.eml": big_attachment_mail,
    "generated_zip_bomb.eml": zip_bomb_mail,
    "generated_flat_zip_bomb.eml": flat_zip_bomb_mail,
    "generated_10000_recipients.eml": many_recipients_mail,
    "generated_1000_parts.eml": many_parts_mail,
}


def committed_files() -> list[str]:
    return sorted(path.name for path in CORPUS_DIR.glob("*.eml"))


def load(name: str) -> bytes:
    if name in GENERATED:
        return GENERATED[name]()
    return (CORPUS_DIR / name).read_bytes()


def all_names() -> list[str]:
    return committed_files() + sorted(GENERATED)
