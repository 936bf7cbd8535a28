"""Loop protection: recognise mail written by machines so that it is linked but never answered.

Sources, strongest first:
- delivery status notifications (RFC 3464: ``multipart/report; report-type=delivery-status``) and
  mail from ``MAILER-DAEMON`` / ``postmaster``: bounces; the bounced Message-ID comes from
  ``Original-Message-ID`` in the status part or the ``Message-ID`` of the returned original;
- ``Auto-Submitted`` (RFC 3834) other than ``no``, ``X-Autoreply``, ``X-Autorespond``,
  ``Precedence: auto_reply`` and German/English out-of-office subjects: automatic replies;
- ``Precedence: bulk|junk|list``, ``List-Id``, ``List-Unsubscribe``: list or bulk mail.

Pure functions on already decoded header pairs; no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

AUTO_REPLY = "auto_reply"
OUT_OF_OFFICE = "out_of_office"
BOUNCE = "bounce"
LIST = "list"

Headers = Mapping[str, str] | Iterable[tuple[str, str]]

# Subjects of absence notes. Outlook writes "Automatische Antwort: …" / "Automatic reply: …",
# Thunderbird/Exchange in German "Abwesenheitsnotiz", others "Out of Office", "Autoreply",
# "Abwesend", "Urlaub" is too common in human mail to count on its own.
_OOO_SUBJECT = re.compile(
    r"(?i)\b(?:abwesenheits(?:notiz|meldung|nachricht|benachrichtigung)|"
    r"automatische\s+antwort|automatic\s+reply|auto(?:matic)?[\s-]?reply|autoreply|"
    r"out\s+of\s+(?:the\s+)?office|ich\s+bin\s+(?:zurzeit|derzeit|momentan)\s+nicht\s+im\s+büro|"
    r"vacation\s+(?:reply|notice)|urlaubsbenachrichtigung)\b"
)
# Bounces that are not formal DSNs (old MTAs, some hosted services) still say so in the subject.
_BOUNCE_SUBJECT = re.compile(
    r"(?i)(?:undeliver(?:able|ed)|delivery\s+(?:status\s+notification|failure|has\s+failed)|"
    r"returned\s+mail|mail\s+delivery\s+(?:failed|system)|unzustellbar|"
    r"nicht\s+zustellbar|zustellung\s+fehlgeschlagen|übermittlungsfehler)"
)
_DAEMON_SENDER = re.compile(r"(?i)(?:^|[<\s\"])(?:mailer-daemon|postmaster)\b")
_MESSAGE_ID_LINE = re.compile(
    r"(?im)^(?:original-message-id|message-id)[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>|\S+)"
)


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name).strip().casefold(), str(value).strip()) for name, value in items]


def _first(pairs: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in pairs if key == name), "")


def _bare_id(value: str) -> str:
    value = value.strip()
    m = re.search(r"<([^<>\s]+)>", value)
    if m:
        return m.group(1)
    return value.split()[0] if value.split() else ""


def find_bounced_message_id(*texts: str) -> str:
    """The Message-ID of the bounced original in DSN status fields or returned headers."""
    for text in texts:
        # Original-Message-ID (RFC 3464) is authoritative; look for it first in every text.
        for m in _MESSAGE_ID_LINE.finditer(text):
            if m.group(0).casefold().startswith("original-message-id"):
                return _bare_id(m.group(1))
    for text in texts:
        found = _MESSAGE_ID_LINE.search(text)
        if found:
            return _bare_id(found.group(1))
    return ""


def classify_automatic(
    headers: Headers,
    *,
    delivery_status: str = "",
    original_headers: Headers = (),
    body_text: str = "",
) -> tuple[str, str]:
    """Return ``(auto_kind, bounced_message_id)``; ``("", "")`` for mail written by a person.

    ``headers``: the top-level header pairs, decoded. ``delivery_status``: the text of a
    ``message/delivery-status`` part; ``original_headers``: the headers of the returned
    original (``message/rfc822`` or ``text/rfc822-headers`` part); ``body_text``: the text of
    a bounce that is not a formal DSN, searched for the original's Message-ID.
    """
    pairs = _pairs(headers)
    content_type = _first(pairs, "content-type").casefold()
    sender = " ".join(_first(pairs, name) for name in ("from", "return-path", "sender")).casefold()
    subject = _first(pairs, "subject")
    auto_submitted = _first(pairs, "auto-submitted").casefold()
    precedence = _first(pairs, "precedence").casefold()

    is_dsn = "multipart/report" in content_type and "delivery-status" in content_type
    is_daemon = bool(_DAEMON_SENDER.search(sender))
    # An empty Return-Path ("<>") alone is not enough: many auto-replies use it too. Only with a
    # bounce subject or a DSN is it a bounce.
    if (
        is_dsn
        or (is_daemon and _first(pairs, "from"))
        or (_BOUNCE_SUBJECT.search(subject) and (auto_submitted or is_daemon))
    ):
        original = _pairs(original_headers)
        original_text = "\n".join(f"{name}: {value}" for name, value in original)
        return BOUNCE, find_bounced_message_id(delivery_status, original_text, body_text)

    is_auto = (
        (auto_submitted != "" and not auto_submitted.startswith("no"))
        or any(key in ("x-autoreply", "x-autorespond", "x-autogenerated") for key, _ in pairs)
        or precedence == "auto_reply"
    )
    ooo = _OOO_SUBJECT.search(subject)
    # Without an automatic header the term must open the subject: "Automatische Antwort: …" is
    # a machine, "AW: Automatische Antwort: …" a person answering one (and waiting for us).
    if ooo and (is_auto or ooo.start() == len(subject) - len(subject.lstrip())):
        return OUT_OF_OFFICE, ""
    if is_auto:
        return AUTO_REPLY, ""
    if precedence in ("bulk", "junk", "list") or any(
        key in ("list-id", "list-unsubscribe") for key, _ in pairs
    ):
        return LIST, ""
    return "", ""
