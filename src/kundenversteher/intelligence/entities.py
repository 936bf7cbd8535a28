"""Validated, normalised entities with character spans.

Every candidate is validated before it is reported (IBAN checksum, phone number plan, real calendar
date, postcode range); a candidate that fails is dropped, never reported as something else by
accident. Overlaps are resolved longest first, ties by specificity (``_PRIORITY``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kundenversteher.intelligence.bundle import IntelligenceConfig, NumberPattern
from kundenversteher.intelligence.dates import find_dates
from kundenversteher.intelligence.types import Entity, EntityKind

if TYPE_CHECKING:
    import phonenumbers

# phonenumbers and stdnum are imported inside the functions that use them: importing this package
# must stay cheap (phonenumbers alone loads ~20 ms of metadata); after the first call the import
# statement is a dictionary lookup.

_ORDER_CONTEXT = (
    "Bestellung",
    "Bestellungen",
    "Bestellnummer",
    "Bestell-Nr.",
    "Bestell-Nr",
    "Bestellnr",
    "bestellt",
    "Auftrag",
    "Auftrags-Nr.",
    "Auftragsnummer",
    "Auftragsnr",
    "Lieferung",
    "order",
    "order number",
    "order no",
    "#",
)
_CUSTOMER_CONTEXT = (
    "Kundennummer",
    "Kunden-Nr.",
    "Kunden-Nr",
    "Kundennr",
    "Kd.-Nr.",
    "Kd.Nr.",
    "Kd.Nr",
    "Kd-Nr",
    "KdNr",
    "Kunden Nr",
    "customer number",
    "customer no",
    "customer id",
    "account number",
)
_CONTRACT_CONTEXT = ("Vertragsnummer", "Vertrags-Nr.", "Vertragsnr", "contract number")

# The demo company's formats (see the shared domain facts). A tenant replaces them through
# ``IntelligenceConfig.number_patterns``; an empty tuple there means "use these".
DEFAULT_NUMBER_PATTERNS: tuple[NumberPattern, ...] = (
    NumberPattern(kind=EntityKind.CUSTOMER_NUMBER, regex=r"(?<![\w-])KD[-\s]?(\d{6})(?![\w-])"),
    NumberPattern(
        kind=EntityKind.CUSTOMER_NUMBER,
        regex=r"(?<![\w.,/-])(\d{6})(?![\w/-]|[.,]\d)",
        context_words=_CUSTOMER_CONTEXT,
    ),
    NumberPattern(kind=EntityKind.CONTRACT_NUMBER, regex=r"(?<![\w-])WV[-\s]?(\d{6})(?![\w-])"),
    NumberPattern(
        kind=EntityKind.CONTRACT_NUMBER,
        regex=r"(?<![\w.,/-])(\d{6})(?![\w/-]|[.,]\d)",
        context_words=_CONTRACT_CONTEXT,
    ),
    NumberPattern(
        kind=EntityKind.INVOICE_NUMBER, regex=r"(?<![\w-])RE[-\s]?(\d{4})[-\s]?(\d{6})(?![\w-])"
    ),
    NumberPattern(kind=EntityKind.DEVICE_SERIAL, regex=r"(?<![\w-])BW[-\s]?(\d{10})(?![\w-])"),
    NumberPattern(
        kind=EntityKind.CASE_NUMBER, regex=r"(?<![\w-])KV[-\s]?(\d{4})[-\s]?(\d{6})(?![\w-])"
    ),
    NumberPattern(
        kind=EntityKind.ORDER_NUMBER,
        # Not a year 1950-2099 ("Bestellung aus 2024", "Baujahr 2019 … Auftrag"): customers
        # mention years far more often than order numbers that happen to look like one.
        regex=r"(?<![\w.,/€$-])(?!(?:19[5-9]\d|20\d\d)(?!\d))(\d{4,7})"
        r"(?![\w/€-]|[.,]\d|\s?(?:€|EUR|Euro))",
        context_words=_ORDER_CONTEXT,
    ),
)

# The longest run of adjacent digits each default pattern needs ("KD-104711": 6, "4711": 4). A
# text whose longest digit run is shorter skips the pattern: eight regex scans with a leading
# look-behind cost ~70 µs on a 300-character mail, one scan for digit runs a tenth of that.
# Tenant patterns get no such pre-check (their needs are not known).
_MIN_DIGIT_RUN: dict[NumberPattern, int] = dict(
    zip(DEFAULT_NUMBER_PATTERNS, (6, 6, 6, 6, 6, 10, 6, 4), strict=True)
)
_DIGIT_RUN = re.compile(r"\d+")
# Letters a default pattern cannot match without (lower-cased); a substring test runs in C.
_REQUIRED_LETTERS: dict[NumberPattern, str] = {
    DEFAULT_NUMBER_PATTERNS[0]: "kd",
    DEFAULT_NUMBER_PATTERNS[2]: "wv",
    DEFAULT_NUMBER_PATTERNS[4]: "re",
    DEFAULT_NUMBER_PATTERNS[5]: "bw",
    DEFAULT_NUMBER_PATTERNS[6]: "kv",
}

# Canonical prefixes of the shared formats: "KD 104711", "kd-104711" and "Kundennummer 104711"
# all become "KD-104711", so identity resolution compares one form.
_CANONICAL_PREFIX: dict[str, str] = {
    EntityKind.CUSTOMER_NUMBER: "KD-",
    EntityKind.CONTRACT_NUMBER: "WV-",
    EntityKind.INVOICE_NUMBER: "RE-",
    EntityKind.CASE_NUMBER: "KV-",
    EntityKind.DEVICE_SERIAL: "BW",
}

# Lower = more specific; used only to break ties between equally long overlapping candidates.
_PRIORITY: dict[EntityKind, int] = {
    EntityKind.IBAN: 0,
    EntityKind.EMAIL: 1,
    EntityKind.URL: 2,
    EntityKind.INVOICE_NUMBER: 3,
    EntityKind.CASE_NUMBER: 3,
    EntityKind.CONTRACT_NUMBER: 4,
    EntityKind.DEVICE_SERIAL: 4,
    EntityKind.CUSTOMER_NUMBER: 5,
    EntityKind.DATE: 6,
    EntityKind.AMOUNT: 7,
    EntityKind.POSTCODE: 8,
    EntityKind.PHONE: 9,
    EntityKind.ORDER_NUMBER: 10,
}

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
_URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'«»]+[^\s<>\"'«».,;:!?)\]]", re.IGNORECASE)
# Case-insensitive: people type "de89 3704 …"; the checksum keeps words out.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
_NUM = r"(?:\d{1,3}(?:[.'\s]\d{3})+|\d+)(?:[.,](?:\d{1,2}|-{1,2}))?"
_AMOUNT_AFTER = re.compile(rf"(?<![\w.,])(?P<num>{_NUM})\s?(?:€|EUR\b|Euro\b|Eur\b)", re.IGNORECASE)
_AMOUNT_BEFORE = re.compile(rf"(?:€|\bEUR|\bEuro)\s?(?P<num>{_NUM})(?![\d])(?!,\d)", re.IGNORECASE)
_POSTCODE_TOWN = re.compile(
    r"(?:(?<=\bD-)|(?<![\w.,/-]))(?P<plz>\d{5})\s+(?=[A-ZÄÖÜ][a-zäöüß]{2,}|[A-ZÄÖÜ]{3,}\b)"
)
_POSTCODE_CONTEXT = re.compile(
    r"(?:\bPLZ|Postleitzahl|postcode|zip(?:\s?code)?)\s*(?:[:.]|ist|lautet|is)?\s*"
    r"(?P<plz>\d{5})(?!\d)",
    re.IGNORECASE,
)
# A postcode before a capitalised word needs an address-like left context, because German nouns
# are capitalised too ("habe 12345 Probleme").
_POSTCODE_LEFT = re.compile(
    r"(?:^|[\n,;:]|\b(?:in|aus|nach|wohne|Wohnort|Anschrift|Adresse)|\bD-|\d[a-zA-Z]?)[ \t]*$"
)
_FIVE_DIGITS = re.compile(r"\d{5}")
# Not the tail of a longer digit group sequence ("4539 1488 0343 6467" is a card, not a phone).
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.,-])(?<!\d\s)(?:\+\s?\d|00\d|\(0|0)[\d \t()/.-]{4,22}\d(?![\w])"
)
_DATE_LIKE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}")
_PHONE_HINT = re.compile(r"\d(?:[\s()/.-]*\d){5,}")

_context_cache: dict[tuple[str, ...], re.Pattern[str]] = {}
_pattern_cache: dict[str, re.Pattern[str]] = {}


def berlin_today() -> date:
    """Relative dates ("morgen") mean the customer's day, i.e. Europe/Berlin."""
    # ZoneInfo caches its instances; constructing it here rather than at import keeps the
    # import free of file reads.
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: EntityKind
    start: int
    end: int
    value: str
    confidence: float = 1.0


def extract_entities(
    text: str, *, config: IntelligenceConfig | None = None, today: date | None = None
) -> tuple[Entity, ...]:
    """All validated entities in ``text``, ordered by position, without overlaps."""
    config = config or IntelligenceConfig()
    reference = today or berlin_today()
    candidates: list[_Candidate] = []
    candidates.extend(_emails(text))
    candidates.extend(_urls(text))
    candidates.extend(_ibans(text))
    candidates.extend(_numbers(text, config.number_patterns or DEFAULT_NUMBER_PATTERNS))
    candidates.extend(
        _Candidate(EntityKind.DATE, d.start, d.end, d.value.isoformat(), 0.8 if d.relative else 1.0)
        for d in find_dates(text, today=reference)
    )
    candidates.extend(_amounts(text))
    candidates.extend(_postcodes(text))
    candidates.extend(_phones(text, config.default_region))
    return tuple(
        Entity(
            kind=c.kind,
            text=text[c.start : c.end],
            value=c.value,
            start=c.start,
            end=c.end,
            confidence=c.confidence,
        )
        for c in _resolve_overlaps(candidates)
    )


def _resolve_overlaps(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), _PRIORITY[c.kind], c.start))
    if not ordered:
        return []
    # A map of taken characters keeps this linear in text length; comparing every candidate with
    # every kept one was quadratic on texts with thousands of candidates.
    taken = bytearray(max(c.end for c in ordered))
    kept: list[_Candidate] = []
    for cand in ordered:
        if taken.find(1, cand.start, cand.end) == -1:
            taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
            kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


def _emails(text: str) -> Iterable[_Candidate]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        local, _, domain = m.group(0).rpartition("@")
        if ".." in local or local.endswith("."):
            continue
        yield _Candidate(EntityKind.EMAIL, m.start(), m.end(), f"{local}@{domain.lower()}")


def _urls(text: str) -> Iterable[_Candidate]:
    lowered = text.lower()
    if "http" not in lowered and "www." not in lowered:
        return
    for m in _URL.finditer(text):
        url = m.group(0)
        yield _Candidate(
            EntityKind.URL, m.start(), m.end(), url if "://" in url else f"https://{url}"
        )


def _ibans(text: str) -> Iterable[_Candidate]:
    from stdnum import iban as stdnum_iban  # see the note at the imports

    for m in _IBAN.finditer(text):
        raw = m.group(0)
        # The pattern may swallow a following group of digits ("… 00 4711"); shorten from the
        # right until the checksum holds.
        # An IBAN has at most 34 characters, 42 with a space every four: longer cuts are
        # pointless, which also bounds the work on a run like "DE89 DE89 DE89 …".
        ends = [i + 1 for i, char in enumerate(raw[:42]) if char != " " and i + 1 >= 15]
        for end in reversed(ends):
            compact = raw[:end].replace(" ", "").upper()
            if len(compact) >= 15 and stdnum_iban.is_valid(compact):
                yield _Candidate(EntityKind.IBAN, m.start(), m.start() + end, compact)
                break


def _context_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    cached = _context_cache.get(words)
    if cached is None:
        plain = [re.escape(w) for w in words if w != "#"]
        alternatives = [rf"(?<!\w){w}(?!\w)" if w[-1].isalnum() else rf"(?<!\w){w}" for w in plain]
        cached = re.compile("|".join(alternatives) or r"(?!x)x", re.IGNORECASE)
        _context_cache[words] = cached
    return cached


def _compiled(regex: str) -> re.Pattern[str]:
    cached = _pattern_cache.get(regex)
    if cached is None:
        cached = re.compile(regex, re.IGNORECASE)
        _pattern_cache[regex] = cached
    return cached


def _has_context(text: str, start: int, end: int, words: tuple[str, ...]) -> bool:
    # "#4711" / "# 4711" counts only directly before the number.
    if "#" in words and text[max(0, start - 2) : start].rstrip().endswith("#"):
        return True
    before = text[max(0, start - 40) : start]
    after = text[end : end + 20]
    regex = _context_regex(words)
    return bool(regex.search(before) or regex.search(after))


def _numbers(text: str, patterns: tuple[NumberPattern, ...]) -> Iterable[_Candidate]:
    longest_run = max(map(len, _DIGIT_RUN.findall(text)), default=0)
    if longest_run == 0:
        return
    lowered = text.lower()
    for pattern in patterns:
        if longest_run < _MIN_DIGIT_RUN.get(pattern, 0):
            continue
        if _REQUIRED_LETTERS.get(pattern, "") not in lowered:
            continue
        kind = EntityKind(pattern.kind)
        # Cheap pre-check: a bare number pattern is pointless without any of its context words.
        # Substring tests run in C; a regex search with a leading look-behind does not.
        if pattern.context_words and not any(
            word.lower() in lowered for word in pattern.context_words
        ):
            continue
        for m in _compiled(pattern.regex).finditer(text):
            if pattern.context_words and not _has_context(
                text, m.start(), m.end(), pattern.context_words
            ):
                continue
            groups = tuple(g for g in m.groups() if g)
            if groups:
                # The shared formats get their canonical prefix; a tenant's own pattern gets its
                # groups joined by "-" (a pattern without groups: the whole match).
                is_default = pattern in DEFAULT_NUMBER_PATTERNS
                prefix = _CANONICAL_PREFIX.get(kind, "") if is_default else ""
                value = prefix + "-".join(groups).upper()
            else:
                value = re.sub(r"\s+", "", m.group(0)).upper()
            yield _Candidate(kind, m.start(), m.end(), value, 0.9 if pattern.context_words else 1.0)


def parse_amount(raw: str) -> Decimal | None:
    """German or English formatted number → Decimal ("1.234,56", "99,-", "12.50", "1,234.56")."""
    number = raw.replace("'", "").replace(" ", "").replace("\u00a0", "")
    if number.endswith(("-", "--")):
        number = number.rstrip("-").rstrip(",.")
    last_sep = max(number.rfind(","), number.rfind("."))
    if last_sep >= 0 and len(number) - last_sep - 1 in (1, 2):
        integer, fraction = number[:last_sep], number[last_sep + 1 :]
    else:
        integer, fraction = number, ""
    integer = integer.replace(".", "").replace(",", "")
    if not integer.isdigit() or (fraction and not fraction.isdigit()):
        return None
    try:
        return Decimal(f"{integer}.{fraction or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _amounts(text: str) -> Iterable[_Candidate]:
    lowered = text.lower()
    if "€" not in text and "eur" not in lowered:
        return
    for regex in (_AMOUNT_AFTER, _AMOUNT_BEFORE):
        for m in regex.finditer(text):
            amount = parse_amount(m["num"])
            if amount is not None:
                yield _Candidate(EntityKind.AMOUNT, m.start(), m.end(), f"{amount} EUR")


def _valid_postcode(plz: str) -> bool:
    # German postcodes run from 01001 to 99998; "00…" does not exist.
    return "01001" <= plz <= "99998"


def _postcodes(text: str) -> Iterable[_Candidate]:
    if not _FIVE_DIGITS.search(text):
        return
    for m in _POSTCODE_TOWN.finditer(text):
        left = text[max(0, m.start() - 30) : m.start()]
        if left.endswith("D-"):
            left = left[:-2]
        if _valid_postcode(m["plz"]) and _POSTCODE_LEFT.search(left):
            yield _Candidate(EntityKind.POSTCODE, m.start("plz"), m.end("plz"), m["plz"], 0.9)
    for m in _POSTCODE_CONTEXT.finditer(text):
        if _valid_postcode(m["plz"]):
            yield _Candidate(EntityKind.POSTCODE, m.start("plz"), m.end("plz"), m["plz"])


def _phones(text: str, region: str) -> Iterable[_Candidate]:
    # phonenumbers' own PhoneNumberMatcher costs ~1 ms per mail; candidates that start like a
    # phone number ("+", "00", "0", "(0") and are then parsed and validated cost a tenth of that.
    if not _PHONE_HINT.search(text):
        return
    import phonenumbers  # see the note at the imports

    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group(0)
        if _DATE_LIKE.fullmatch(raw):
            continue
        # The candidate may have swallowed a following number ("0171 1234567 4711"); drop
        # trailing groups until the rest is a valid number.
        for _ in range(3):
            parsed = _parse_phone(raw, region)
            if parsed is not None:
                yield _Candidate(
                    EntityKind.PHONE,
                    m.start(),
                    m.start() + len(raw),
                    phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
                )
                break
            cut = max(raw.rfind(" "), raw.rfind("\t"))
            if cut <= 0:
                break
            raw = raw[:cut].rstrip(" \t-/.")


def _parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    import phonenumbers  # see the note at the imports

    if sum(c.isdigit() for c in raw) < 6:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None
