"""Attachment checks: size limit, sniffed content type, blocked active content, safe names.

The type is sniffed from the bytes (``filetype`` magic numbers plus a check for markup), never
taken from the sender's header or the file name: an "invoice.pdf" that is really an executable
or an HTML page with script is refused either way.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.utils.translation import gettext as _

from kundenversteher.cases.errors import AttachmentRejected

BLOCKED_EXTENSIONS = frozenset(
    {
        "exe",
        "com",
        "bat",
        "cmd",
        "scr",
        "pif",
        "msi",
        "msp",
        "dll",
        "cpl",
        "jar",
        "js",
        "mjs",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "ps1",
        "psm1",
        "sh",
        "hta",
        "html",
        "htm",
        "xhtml",
        "shtml",
        "svg",
        "svgz",
        "xml",
        "lnk",
        "reg",
        "iso",
        "img",
        "vhd",
        "appx",
        "msix",
        "apk",
    }
)
BLOCKED_CONTENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-elf",
        "application/x-mach-binary",
        "application/x-sh",
        "application/x-shockwave-flash",
        "application/java-archive",
        "application/vnd.microsoft.portable-executable",
        "text/html",
        "image/svg+xml",
        "application/javascript",
        "text/javascript",
    }
)
# Markup that a browser or viewer would execute or render actively.
_ACTIVE_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|script|svg|iframe|object|embed)\b", re.I)
_SHEBANG = b"#!"
_MAIL_HEADER = re.compile(
    rb"(Return-Path|Received|From|Message-ID|MIME-Version|Date|Delivered-To|X-[\w-]+):[ \t]",
    re.I,
)


def sniff_content_type(content: bytes) -> str:
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return str(kind.mime)
    head = content[:4096]
    if head.startswith(b"MZ"):
        return "application/x-msdownload"
    if head.startswith(_SHEBANG):
        return "application/x-sh"
    if _MAIL_HEADER.match(head):
        # A forwarded e-mail: its HTML part is not rendered by us, so markup inside is fine.
        return "message/rfc822"
    if _ACTIVE_MARKUP.search(head.lstrip(b"\xef\xbb\xbf")):
        return "text/html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def safe_filename(name: str) -> str:
    """Basename only, no control or path characters, at most 200 characters, never empty."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    base = base.strip(" .")
    if len(base) > 200:  # keep the extension when shortening
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext[:9]) if dot else base[:200]
    return base or "anhang"


def _extensions(name: str) -> list[str]:
    # "rechnung.pdf.exe" → ["pdf", "exe"]: every suffix counts, not just the last.
    return [part.casefold() for part in name.split(".")[1:]]


def check_attachment(*, filename: str, content: bytes, max_bytes: int) -> tuple[str, str, str]:
    """Return (safe name, sniffed content type, sha256) or raise :class:`AttachmentRejected`."""
    name = safe_filename(filename)
    if len(content) > max_bytes:
        raise AttachmentRejected(
            _("Anhang »%(name)s« ist zu groß (%(size)d Bytes, erlaubt %(max)d).")
            % {"name": name, "size": len(content), "max": max_bytes}
        )
    blocked_ext = [ext for ext in _extensions(name) if ext in BLOCKED_EXTENSIONS]
    if blocked_ext:
        raise AttachmentRejected(
            _("Anhang »%(name)s« hat einen gesperrten Dateityp (.%(ext)s).")
            % {"name": name, "ext": blocked_ext[-1]}
        )
    content_type = sniff_content_type(content)
    if content_type in BLOCKED_CONTENT_TYPES:
        raise AttachmentRejected(
            _("Anhang »%(name)s« enthält ausführbare oder aktive Inhalte (%(type)s).")
            % {"name": name, "type": content_type}
        )
    return name, content_type, hashlib.sha256(content).hexdigest()
