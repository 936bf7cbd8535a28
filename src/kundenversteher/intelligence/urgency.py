"""Urgency from explicit cues (German and English), each with its span and kind.

Regular expressions over word stems instead of lemmatising: stems cover the inflections that occur
in customer mail ("kündige", "gekündigt", "Kündigung") at a fraction of simplemma's cost.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date

from kundenversteher.intelligence._cues import CueMatcher
from kundenversteher.intelligence.types import (
    Entity,
    EntityKind,
    UrgencyCue,
    UrgencyLevel,
    UrgencyResult,
)

DEADLINE = "deadline"
IMMEDIACY = "immediacy"
OUTAGE = "outage"
LEGAL_THREAT = "legal_threat"
CANCELLATION_THREAT = "cancellation_threat"
REPEATED_CONTACT = "repeated_contact"
SAFETY = "safety"
VULNERABLE = "vulnerable"  # infants, elderly, ill people in the household
COLD = "cold"  # freezing weather, a cold flat
NOT_URGENT = "not_urgent"  # "keine Eile", "no rush"

# How much one cue of a kind adds (noisy-or, see ``_score``).
WEIGHTS: dict[str, float] = {
    DEADLINE: 0.35,
    IMMEDIACY: 0.45,
    OUTAGE: 0.45,
    LEGAL_THREAT: 0.55,
    CANCELLATION_THREAT: 0.4,
    REPEATED_CONTACT: 0.35,
    SAFETY: 0.95,
    VULNERABLE: 0.2,
    COLD: 0.2,
}
BASE_SCORE = 0.2  # a message without any cue is "normal"

_PATTERNS: dict[str, tuple[str, ...]] = {
    DEADLINE: (
        r"bis\s+(?:spätestens\s+)?(?:morgen|heute|übermorgen|ende\s+der\s+woche|freitag|montag)",
        r"(?:heute|morgen)\s+noch",
        r"noch\s+heute",
        r"spätestens",
        r"frist\w*",
        r"deadline",
        r"by\s+(?:tomorrow|today|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week))",
        r"(?:by|before)\s+(?:monday|tuesday|wednesday|thursday|friday)",
        r"end\s+of\s+day|\bEOD\b",
    ),
    IMMEDIACY: (
        r"sofort\w*",
        r"dringend\w*",
        r"umgehend\w*",
        r"unverzüglich\w*",
        r"schnellstmöglich\w*",
        r"so\s+schnell\s+wie\s+möglich",
        r"eilig\w*",
        r"notfall\w*",
        r"asap",
        r"urgent\w*",
        r"immediately",
        r"right\s+away",
        r"as\s+soon\s+as\s+possible",
        r"emergency",
    ),
    OUTAGE: (
        # "Heizung aus dem Jahr 2010" is a preposition, not an outage
        r"heizung\s+(?:ist\s+|geht\s+|bleibt\s+)?(?:aus|kalt|tot)\b"
        r"(?!\s+(?:dem|der|den|einem|einer|unserem|unserer|meinem|meiner|\d))",
        r"(?:kein|keine|ohne)\s+(?:warm\w*\s+)?(?:warmwasser|heizung|wärme|strom|heißes\s+wasser)",
        r"ausgefallen",
        r"fällt\s+(?:\w+\s+){0,2}aus",
        r"ausfall\w*",
        r"störung\w*",
        r"geht\s+(?:\w+\s+){0,2}nicht\s+mehr",
        r"funktioniert\s+(?:\w+\s+){0,2}nicht(?:\s+mehr)?",
        r"läuft\s+(?:\w+\s+){0,2}nicht\s+mehr",
        r"springt\s+nicht\s+(?:mehr\s+)?an",
        r"totalausfall",
        r"(?:is|are|stopped|isn't|not)\s+working|not\s+working|doesn't\s+work|does\s+not\s+work",
        r"no\s+(?:heating|heat|hot\s+water|power)",
        r"broke\s+down|broken\s+down|out\s+of\s+order",
    ),
    LEGAL_THREAT: (
        r"anwalt\w*",
        r"rechtsanwalt\w*",
        r"rechtliche\w*\s+schritte",
        r"verbraucherzentrale",
        r"gericht\w*",
        r"klage\b|verklagen|klagen\b",
        r"abmahnung",
        r"lawyer\w*",
        r"attorney",
        r"legal\s+action",
        r"sue\b|suing",
        r"court",
    ),
    CANCELLATION_THREAT: (
        r"kündig\w*",
        r"gekündigt",
        r"kündigung\w*",
        r"vertrag\s+(?:\w+\s+){0,2}beenden",
        r"(?:anbieter|firma)\s+wechseln",
        r"nie\s+wieder\s+bei\s+ihnen",
        r"cancel\w*\s+(?:my\s+|the\s+)?(?:contract|subscription|membership)",
        r"switch\w*\s+(?:to\s+another\s+)?provider",
        r"terminate\s+(?:my\s+|the\s+)?contract",
    ),
    REPEATED_CONTACT: (
        r"zum\s+(?:zweiten|dritten|vierten|fünften|x-ten|wiederholten|\d+\.)\s+mal",
        r"schon\s+wieder",
        r"(?:immer|noch)\s+(?:noch\s+)?keine\s+(?:antwort|rückmeldung|reaktion)",
        r"(?:mehrfach|mehrmals|wiederholt)\s+(?:\w+\s+){0,2}(?:angerufen|geschrieben|gemeldet|"
        r"nachgefragt|kontaktiert)",
        r"bereits\s+(?:\d+|zwei|drei|vier)\s*(?:mal|x)",
        r"erneut",
        r"(?:third|second|fourth|\d+(?:st|nd|rd|th))\s+time",
        r"once\s+again|yet\s+again",
        r"still\s+(?:no|not|haven't|have\s+not|waiting)",
        # not a bare "again": "thanks again" is no repeated contact
        r"(?:broken|failed|stopped|down|happened|happening|leaking|off)\s+again",
        r"again\s+and\s+again",
        r"several\s+times|multiple\s+times",
    ),
    SAFETY: (
        r"gasgeruch",
        r"riecht\s+(?:\w+\s+){0,2}(?:nach\s+)?gas",
        r"gas\s*leck\w*",
        r"wasserschaden",
        # Not "Rauchmelder" or "Branding"/"Brandpulse" on their own: products and marketing words.
        r"rauch\b|raucht|rauchentwicklung|qualm\w*",
        r"rauchmelder\s+(?:schlägt|schlug|piept|löst|hat\s+ausgelöst)",
        r"brand\b|brände\b|feuer\b|brennt|in\s+flammen",
        r"stromschlag",
        r"kohlenmonoxid|\bCO-melder",
        r"explodiert\w*|explosion\w*|exploded|explosion",
        r"smell\w*\s+(?:of\s+)?gas",
        r"gas\s+(?:smell|leak)",
        r"water\s+damage",
        r"smoke|fire\b|burning",
        r"electric\s+shock",
        r"carbon\s+monoxide",
    ),
    VULNERABLE: (
        r"baby|säugling\w*|kleinkind\w*|neugeboren\w*|kinder\w*",
        r"über\s+\d{2}-?jährig\w*|\d{2}-?jährig\w*",
        r"senior\w*|rentner\w*|oma|opa|großeltern|ältere\w*",
        r"pflegebedürftig\w*|krank\w*|schwanger\w*|behindert\w*",
        r"infant|newborn|toddler|elderly|pregnant|disabled|sick",
    ),
    COLD: (
        r"minusgrade\w*|frost\w*|eiskalt\w*|friere\w*|frieren|kalt\b|kälte",
        r"\d+\s*°\s*C?\s*(?:in\s+der\s+wohnung|im\s+haus)?",
        r"freezing|cold\b",
    ),
    NOT_URGENT: (
        r"keine\s+eile",
        r"nicht\s+dringend",
        r"eilt\s+nicht",
        r"wenn\s+(?:sie|du)\s+zeit\s+(?:haben|hast)",
        r"no\s+rush|not\s+urgent|no\s+hurry|whenever\s+you\s+(?:have|get)\s+(?:time|a\s+chance)",
    ),
}


@functools.cache
def _cues() -> CueMatcher:
    # Compiled on first use, not at import (importing the package must do no work).
    return CueMatcher([(kind, p) for kind, patterns in _PATTERNS.items() for p in patterns])


_NEGATION_BEFORE = re.compile(
    r"(?:\bnicht|\bkein\w*|\bnot|\bno)\s+(?:so\s+|sehr\s+|besonders\s+)?$", re.IGNORECASE
)
_DEADLINE_WORDS = re.compile(
    r"(?:bis|spätestens|vor|zum|until|by|before|no\s+later\s+than)\s*(?:zum|am|den)?\s*$",
    re.IGNORECASE,
)

LEVEL_THRESHOLDS: tuple[tuple[float, UrgencyLevel], ...] = (
    (0.85, UrgencyLevel.CRITICAL),
    (0.6, UrgencyLevel.HIGH),
    (0.15, UrgencyLevel.NORMAL),
)


def find_cues(text: str) -> list[UrgencyCue]:
    cues: list[UrgencyCue] = []
    for m in _cues().finditer(text):
        kind = m.label
        if kind == IMMEDIACY and _NEGATION_BEFORE.search(text[max(0, m.start - 25) : m.start]):
            kind = NOT_URGENT
        cues.append(UrgencyCue(kind=kind, text=m.text, start=m.start, end=m.end))
    return cues


def _deadline_cues(text: str, entities: Sequence[Entity], today: date | None) -> list[UrgencyCue]:
    """A date the customer sets as a limit ("bis zum 3.5.") or one within the next three days."""
    cues = []
    for entity in entities:
        if entity.kind != EntityKind.DATE:
            continue
        before = text[max(0, entity.start - 25) : entity.start]
        soon = False
        if today is not None:
            try:
                days = (date.fromisoformat(entity.value) - today).days
            except ValueError:
                days = -1
            soon = 0 <= days <= 3
        if _DEADLINE_WORDS.search(before) or soon:
            cues.append(
                UrgencyCue(kind=DEADLINE, text=entity.text, start=entity.start, end=entity.end)
            )
    return cues


def _score(kinds: set[str], counts: dict[str, int]) -> float:
    remaining = 1.0 - BASE_SCORE
    for kind in kinds:
        weight = WEIGHTS.get(kind, 0.0)
        # A second cue of the same kind adds a little ("sofort!!! dringend!!!"), not double.
        weight = min(0.99, weight * (1.0 + 0.25 * (min(counts[kind], 3) - 1)))
        remaining *= 1.0 - weight
    return 1.0 - remaining


def assess_urgency(
    text: str,
    *,
    entities: Sequence[Entity] = (),
    prior_contacts: int = 0,
    today: date | None = None,
) -> UrgencyResult:
    """Level, score 0..1 and the cues that led to them."""
    cues = find_cues(text)
    cues.extend(_deadline_cues(text, entities, today))
    if prior_contacts >= 2:
        # No span in the text: the CRM told us. An empty span at 0 keeps spans valid.
        cues.append(UrgencyCue(kind=REPEATED_CONTACT, text="", start=0, end=0))
    cues.sort(key=lambda c: (c.start, c.end))
    counts: dict[str, int] = {}
    for cue in cues:
        counts[cue.kind] = counts.get(cue.kind, 0) + 1
    kinds = set(counts)
    # Vulnerability and cold only matter together with an outage; alone they are context.
    effective = kinds - {NOT_URGENT} if OUTAGE in kinds else kinds - {VULNERABLE, COLD, NOT_URGENT}
    score = _score(effective, counts)
    if NOT_URGENT in kinds and not effective & {SAFETY, OUTAGE, LEGAL_THREAT}:
        score = min(score, 0.1)
    critical = SAFETY in kinds or (OUTAGE in kinds and VULNERABLE in kinds and COLD in kinds)
    if OUTAGE in kinds and VULNERABLE in kinds:
        score = max(score, 0.85 if COLD in kinds else 0.7)
    if critical:
        score = max(score, 0.9)
    level = UrgencyLevel.LOW
    for threshold, candidate in LEVEL_THRESHOLDS:
        if score >= threshold:
            level = candidate
            break
    relevant = tuple(c for c in cues if c.kind in effective or c.kind == NOT_URGENT)
    return UrgencyResult(level=level, score=round(score, 3), cues=relevant)
