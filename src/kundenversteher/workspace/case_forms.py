"""Forms, display labels and the understanding panel of the case view.

Everything here turns stored data into what the screen shows; nothing writes. User text reaches
HTML only through ``format_html``/``escape`` (see ``highlight_entities``), never ``mark_safe``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kundenversteher.cases.models import STATUS_CHOICES, Priority, UnderstandingCorrection

# The demo company's intent taxonomy (shared domain facts), in display order.
INTENT_LABELS: dict[str, Promise] = {
    "order_status": _("Bestellstatus"),
    "delivery_date": _("Liefertermin"),
    "order_cancellation": _("Stornierung einer Bestellung"),
    "return_refund": _("Rücksendung und Erstattung"),
    "invoice_copy": _("Rechnungskopie"),
    "payment_issue": _("Zahlungsproblem"),
    "password_reset": _("Passwort zurücksetzen"),
    "address_change": _("Adressänderung"),
    "contract_info": _("Vertragsauskunft"),
    "contract_cancellation": _("Vertragskündigung"),
    "repair_status": _("Reparaturstatus"),
    "maintenance_appointment": _("Wartungstermin"),
    "device_fault": _("Gerätestörung"),
    "product_info": _("Produktinformation"),
    "complaint": _("Beschwerde"),
    "praise": _("Lob"),
    "other": _("Sonstiges"),
}

# Actions of the automatic-answer decision (knowledge.automation).
AUTOMATION_ACTION_LABELS: dict[str, Promise] = {
    "auto_answer": _("Automatisch beantworten"),
    "suggest": _("Entwurf für Mitarbeitende"),
    "route": _("An Mitarbeitende weiterleiten"),
}

SENTIMENT_LABELS: dict[str, Promise] = {
    "negative": _("negativ"),
    "neutral": _("neutral"),
    "positive": _("positiv"),
}

EMOTION_LABELS: dict[str, Promise] = {
    "anger": _("Ärger"),
    "frustration": _("Frust oder Enttäuschung"),
    "worry": _("Sorge"),
    "gratitude": _("Dankbarkeit"),
}

URGENCY_LABELS: dict[str, Promise] = {
    "low": _("niedrig"),
    "normal": _("normal"),
    "high": _("hoch"),
    "critical": _("kritisch"),
}

CUE_LABELS: dict[str, Promise] = {
    "deadline": _("Frist"),
    "immediacy": _("sofort gebraucht"),
    "outage": _("Ausfall"),
    "legal_threat": _("rechtliche Schritte angedroht"),
    "cancellation_threat": _("Kündigung angedroht"),
    "repeated_contact": _("wiederholte Nachfrage"),
    "safety": _("Sicherheit"),
    "vulnerable": _("schutzbedürftige Personen"),
    "cold": _("Kälte"),
    "not_urgent": _("keine Eile"),
}

ENTITY_LABELS: dict[str, Promise] = {
    "email": _("E-Mail"),
    "phone": _("Telefon"),
    "iban": _("IBAN"),
    "customer_number": _("Kundennummer"),
    "order_number": _("Bestellnummer"),
    "contract_number": _("Vertragsnummer"),
    "invoice_number": _("Rechnungsnummer"),
    "device_serial": _("Seriennummer"),
    "case_number": _("Vorgangsnummer"),
    "date": _("Datum"),
    "amount": _("Betrag"),
    "postcode": _("PLZ"),
    "url": _("Link"),
}

LANGUAGE_LABELS: dict[str, Promise] = {
    "de": _("Deutsch"),
    "en": _("Englisch"),
    "other": _("andere Sprache"),
}

ROUTING_REASON_LABELS: dict[str, Promise] = {
    "rule_matched": _("Regel passte"),
    "default_team": _("Standardteam"),
    "no_team": _("kein Team"),
    "add_tag": _("Schlagwort gesetzt"),
    "agent_selected": _("Bearbeitung gewählt"),
    "team_queue": _("in die Teamwarteschlange"),
    "no_members": _("Team ohne Mitglieder"),
    "skip_absent": _("übersprungen: abwesend"),
    "skip_off_duty": _("übersprungen: außerhalb der Arbeitszeit"),
    "skip_language": _("übersprungen: Sprache"),
    "skip_capacity": _("übersprungen: ausgelastet"),
}

IDENTITY_METHOD_LABELS: dict[str, Promise] = {
    "email": _("E-Mail-Adresse"),
    "phone": _("Telefonnummer"),
    "customer_number": _("Kundennummer"),
    "contract_number": _("Vertragsnummer"),
    "order_number": _("Bestellnummer"),
    "device_serial": _("Seriennummer"),
    "name_postcode": _("Name und PLZ"),
}

CHANNEL_ICONS: dict[str, str] = {
    "email": "✉",
    "letter": "📄",
    "fax": "📠",
    "web_form": "⌨",
    "chat": "💬",
    "social": "#",
    "api": "⚙",
    "phone": "☎",
    "device": "⚠",
}

STATUS_LABELS: dict[str, Any] = dict(STATUS_CHOICES)


def label(labels: Mapping[str, Promise], value: str) -> str:
    """The translated label of a known value, else the value itself (never an empty cell)."""
    found = labels.get(value)
    return str(found) if found is not None else value


# --- forms --------------------------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Antwort an den Kunden"), widget=forms.Textarea(attrs={"rows": 8}), strip=False
    )
    status_after = forms.ChoiceField(
        label=_("Status nach dem Senden"),
        required=False,
        choices=[
            ("", _("unverändert")),
            ("waiting_customer", _("wartet auf Kunde")),
            ("resolved", _("gelöst")),
        ],
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Interne Notiz"), widget=forms.Textarea(attrs={"rows": 4}))


class AssignForm(forms.Form):
    # "me" = the acting user, "" = release, else a user id (supervisors and admins only).
    agent = forms.CharField(required=False, max_length=20)
    expected_version = forms.IntegerField(min_value=1)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)
    expected_version = forms.IntegerField(min_value=1)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priorität"), choices=Priority.choices)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(choices=UnderstandingCorrection.Field.choices)
    value = forms.CharField(max_length=64)
    message_id = forms.IntegerField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        allowed = {
            "intent": INTENT_LABELS,
            "sentiment": SENTIMENT_LABELS,
            "urgency": URGENCY_LABELS,
        }.get(str(data.get("field", "")), {})
        if data.get("value") not in allowed:
            raise forms.ValidationError(_("Dieser Wert ist für das Merkmal nicht vorgesehen."))
        return data


# --- understanding panel ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class ScoredChoice:
    value: str
    label: str
    percent: int


@dataclass(frozen=True, slots=True)
class EntityRow:
    kind: str
    kind_label: str
    text: str
    value: str


@dataclass(frozen=True, slots=True)
class CueRow:
    kind_label: str
    text: str


@dataclass(frozen=True, slots=True)
class UnderstandingPanel:
    message_id: int
    language: str
    language_percent: int
    mixed_language: bool
    intent: ScoredChoice
    top: tuple[ScoredChoice, ...]
    unsure: bool
    out_of_scope: bool
    sentiment: str
    sentiment_label: str
    emotions: tuple[str, ...]
    urgency: str
    urgency_label: str
    cues: tuple[CueRow, ...]
    entities: tuple[EntityRow, ...]
    highlighted: SafeString
    truncated: bool


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _percent(value: Any) -> int:
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


def _valid_spans(text: str, spans: Iterable[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of spans that lie inside ``text``, in order, overlaps dropped.

    Stored offsets come from another component and an older schema: a span that does not fit
    is left out rather than cutting the text at a wrong place.
    """
    candidates = []
    for span in spans:
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            continue
        written = span.get("text")
        if isinstance(written, str) and written and text[start:end] != written:
            continue
        candidates.append((start, end, str(span.get("kind", ""))))
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(candidates):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, kind))
    return chosen


def _escaped_with_breaks(text: str) -> SafeString:
    # escape() first, then only our own <br> is added: the result is safe by construction.
    return mark_safe(escape(text).replace("\n", "<br>\n"))  # noqa: S308


def highlight_entities(text: str, entities: Sequence[dict[str, Any]]) -> SafeString:
    """``text`` as HTML with each recognised entity in a ``<mark>`` naming its kind.

    Every piece of ``text`` is escaped; markup is only what this function writes itself.
    """
    pieces: list[SafeString] = []
    position = 0
    for start, end, kind in _valid_spans(text, entities):
        pieces.append(_escaped_with_breaks(text[position:start]))
        pieces.append(
            format_html(
                '<mark class="kv-entity kv-entity--{}" title="{}">{}'
                '<span class="kv-visually-hidden"> ({})</span></mark>',
                kind if kind in ENTITY_LABELS else "other",
                label(ENTITY_LABELS, kind),
                _escaped_with_breaks(text[start:end]),
                label(ENTITY_LABELS, kind),
            )
        )
        position = end
    pieces.append(_escaped_with_breaks(text[position:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def understanding_panel(*, message_id: int, data: Mapping[str, Any]) -> UnderstandingPanel | None:
    """The panel for one message's stored understanding, or None if nothing was stored."""
    if not data or not isinstance(data.get("text"), str):
        return None
    text = str(data["text"])
    language = _dict(data.get("language"))
    intent = _dict(data.get("intent"))
    sentiment = _dict(data.get("sentiment"))
    urgency = _dict(data.get("urgency"))
    entities = [e for e in _list(data.get("entities")) if isinstance(e, dict)]
    intent_name = str(intent.get("intent", ""))
    top = tuple(
        ScoredChoice(
            str(row.get("intent", "")),
            label(INTENT_LABELS, str(row.get("intent", ""))),
            _percent(row.get("probability")),
        )
        for row in (_dict(r) for r in _list(intent.get("top")))
        if row.get("intent")
    )[:3]
    cues = tuple(
        CueRow(label(CUE_LABELS, str(cue.get("kind", ""))), str(cue.get("text", "")))
        for cue in (_dict(c) for c in _list(urgency.get("cues")))
    )
    sentiment_name = str(sentiment.get("label", ""))
    urgency_name = str(urgency.get("level", ""))
    return UnderstandingPanel(
        message_id=message_id,
        language=label(LANGUAGE_LABELS, str(language.get("code", ""))),
        language_percent=_percent(language.get("confidence")),
        mixed_language=bool(language.get("mixed")),
        intent=ScoredChoice(
            intent_name, label(INTENT_LABELS, intent_name), _percent(intent.get("probability"))
        ),
        top=top,
        unsure=bool(intent.get("unsure")),
        out_of_scope=bool(intent.get("out_of_scope")),
        sentiment=sentiment_name,
        sentiment_label=label(SENTIMENT_LABELS, sentiment_name),
        emotions=tuple(label(EMOTION_LABELS, str(e)) for e in _list(sentiment.get("emotions"))),
        urgency=urgency_name,
        urgency_label=label(URGENCY_LABELS, urgency_name),
        cues=cues,
        entities=tuple(
            EntityRow(
                str(e.get("kind", "")),
                label(ENTITY_LABELS, str(e.get("kind", ""))),
                str(e.get("text", "")),
                str(e.get("value", "")),
            )
            for e in entities
        ),
        highlighted=highlight_entities(text, entities),
        truncated=bool(data.get("truncated")),
    )


def choices(labels: Mapping[str, Promise]) -> list[Choice]:
    return [Choice(value, str(text)) for value, text in labels.items()]
