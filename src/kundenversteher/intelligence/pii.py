"""Personal data spans for redaction before text leaves the system, and ``redact``.

Rule-based on purpose (no Presidio): the structured kinds reuse the validated entities, names are
found where German and English mail puts them (after salutations, titles and closing formulas),
and over-redacting a capitalised word is cheaper than leaking a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kundenversteher.intelligence.bundle import IntelligenceConfig
from kundenversteher.intelligence.entities import extract_entities
from kundenversteher.intelligence.types import Entity, EntityKind, PiiSpan

_ENTITY_PII: dict[EntityKind, str] = {
    EntityKind.EMAIL: "EMAIL",
    EntityKind.PHONE: "PHONE",
    EntityKind.IBAN: "IBAN",
    EntityKind.CUSTOMER_NUMBER: "CUSTOMER_NUMBER",
}

_NAME_WORD = r"[A-ZÄÖÜ][a-zäöüßéèáàóòúçñ]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàóòúçñ]+)?"
_NAME = rf"(?:(?:von|van|de|zu|vom)\s+)?{_NAME_WORD}(?:\s+(?:(?:von|van|de|zu)\s+)?{_NAME_WORD})?"
_TITLE = r"(?:Herrn?|Frau|Fr\.|Hr\.|Dr\.|Prof\.|Mr\.?|Mrs\.?|Ms\.?|Miss|Dipl\.-Ing\.)"
# "Herr Müller", "Frau Dr. Schmidt", "Mr. John Smith"
_TITLED_NAME = re.compile(rf"(?<!\w){_TITLE}(?:\s+{_TITLE})*\s+(?P<name>{_NAME})")
# "Hallo Anna", "Liebe Frau Meier", "Dear John"
_GREETING_NAME = re.compile(
    # [ \t]* rather than \s* next to ^ and $: \s* would run across blank lines and make the
    # search quadratic in the number of newlines.
    rf"(?m)^[ \t]*(?:Hallo|Hi|Hey|Liebe[r]?|Dear|Moin|Servus|Guten[ \t]+Tag)[ \t]+(?!{_TITLE})"
    rf"(?P<name>{_NAME})[ \t]*[,!]?[ \t]*$"
)
_CLOSING = re.compile(
    r"(?im)^[ \t]*(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|beste\s+grüße|"
    r"liebe\s+grüße|herzliche\s+grüße|schöne\s+grüße|gruß|grüße|mfg|lg|vg|best\s+regards|"
    r"kind\s+regards|regards|best\s+wishes|cheers|sincerely|yours\s+sincerely|thanks|danke)"
    r"[ \t]*[,!.]?[ \t]*$"
)
_SIGNATURE_NAME = re.compile(
    rf"^[ \t]*(?:{_TITLE}[ \t]+)?(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
    r"[ \t]*$"
)
_STREET = re.compile(
    r"(?<!\w)(?:[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|"
    r"chaussee|steig|pfad|markt)|(?:Am|An\s+der|Im|In\s+der|Auf\s+der|Zum|Zur)\s+[A-ZÄÖÜ]\w+)"
    r"\s+\d{1,4}\s?[a-zA-Z]?(?![\w])"
)
_POSTCODE_CITY = re.compile(
    r"(?<![\w.,/-])(?:D-)?\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+(?:\s+[a-zA-Z]\.\s?\w+)?"
)
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_TAX_ID = re.compile(r"(?<![\d-])\d{2}(?:\s?\d{3}){3}(?![\d-])")


def find_pii(
    text: str,
    *,
    entities: Sequence[Entity] | None = None,
    config: IntelligenceConfig | None = None,
) -> tuple[PiiSpan, ...]:
    """PII spans in ``text`` (overlapping spans are merged by ``redact``)."""
    if entities is None:
        entities = extract_entities(text, config=config)
    spans: list[PiiSpan] = [
        PiiSpan(_ENTITY_PII[e.kind], e.start, e.end) for e in entities if e.kind in _ENTITY_PII
    ]
    spans.extend(_names(text))
    spans.extend(PiiSpan("ADDRESS", m.start(), m.end()) for m in _STREET.finditer(text))
    spans.extend(_postcode_cities(text, entities))
    spans.extend(_cards(text))
    spans.extend(_tax_ids(text))
    return tuple(sorted(set(spans), key=lambda s: (s.start, s.end, s.kind)))


def _names(text: str) -> Iterable[PiiSpan]:
    for m in _TITLED_NAME.finditer(text):
        yield PiiSpan("PERSON", m.start("name"), m.end("name"))
    for m in _GREETING_NAME.finditer(text):
        yield PiiSpan("PERSON", m.start("name"), m.end("name"))
    for m in _CLOSING.finditer(text):
        yield from _signature_after(text, m.end())


def _signature_after(text: str, position: int) -> Iterable[PiiSpan]:
    """The name on the first non-empty line after a closing formula."""
    offset = position
    for line in text[position:].split("\n")[:3]:
        if line.strip():
            m = _SIGNATURE_NAME.match(line)
            if m:
                yield PiiSpan("PERSON", offset + m.start("name"), offset + m.end("name"))
            return
        offset += len(line) + 1


def _postcode_cities(text: str, entities: Sequence[Entity]) -> Iterable[PiiSpan]:
    postcodes = {(e.start, e.end) for e in entities if e.kind == EntityKind.POSTCODE}
    covered = set()
    for m in _POSTCODE_CITY.finditer(text):
        covered.add(m.start() + (2 if m.group(0).startswith("D-") else 0))
        yield PiiSpan("POSTCODE", m.start(), m.end())
    for start, end in postcodes:
        if start not in covered:
            yield PiiSpan("POSTCODE", start, end)


def _cards(text: str) -> Iterable[PiiSpan]:
    from stdnum import luhn  # imported on use, importing the package stays cheap

    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits) and len(set(digits)) > 2:
            yield PiiSpan("CREDIT_CARD", m.start(), m.end())


def _tax_ids(text: str) -> Iterable[PiiSpan]:
    from stdnum.de import idnr  # imported on use, see _cards

    for m in _TAX_ID.finditer(text):
        if idnr.is_valid(m.group(0).replace(" ", "")):
            yield PiiSpan("TAX_ID", m.start(), m.end())


def merge_spans(spans: Iterable[PiiSpan]) -> list[PiiSpan]:
    """Overlapping spans become one; the longer original span names the merged one."""
    merged: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                kind = last.kind if last.end - last.start >= span.end - span.start else span.kind
                merged[-1] = PiiSpan(kind, last.start, span.end)
            continue
        merged.append(span)
    return merged


def redact(text: str, spans: Iterable[PiiSpan]) -> str:
    """``text`` with every span replaced by a placeholder such as «EMAIL»."""
    parts: list[str] = []
    position = 0
    for span in merge_spans(spans):
        start, end = max(span.start, position), min(span.end, len(text))
        if start >= end:
            continue
        parts.append(text[position:start])
        parts.append(f"«{span.kind}»")
        position = end
    parts.append(text[position:])
    return "".join(parts)
