"""``compose``: the automatic answer for one concern, or the reason why there is none.

A read: nothing is written here (an address change is applied by
``services.apply_address_change`` when the answer is actually sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from kundenversteher.customers.errors import CustomerNotFoundError
from kundenversteher.customers.queries import get_customer_context
from kundenversteher.knowledge.answers.models import AnswerTemplate
from kundenversteher.knowledge.answers.rendering import render
from kundenversteher.knowledge.answers.slots import (
    INTENT_RESOLVERS,
    SlotContext,
    SlotUnavailable,
    base_values,
)
from kundenversteher.knowledge.answers.types import ComposedAnswer

LANGUAGES = ("de", "en")

# Every automatic answer says so, and how to reach a person (issue 6): fixed, not editable.
FOOTER = {
    "de": (
        "Diese Antwort wurde automatisch erstellt. Hat sie nicht geholfen? Antworten Sie einfach "
        "mit „hat nicht geholfen“ – dann kümmert sich sofort ein Mitarbeiter darum."
    ),
    "en": (
        "This answer was written automatically. Did it not help? Simply reply with “did not "
        "help” and a member of our team will take care of it right away."
    ),
}


def _refuse(
    reason: str,
    *,
    missing: tuple[str, ...] = (),
    slots: Mapping[str, str] | None = None,
    template_id: int | None = None,
) -> ComposedAnswer:
    return ComposedAnswer(
        ok=False,
        template_id=template_id,
        subject="",
        body="",
        attachments=(),
        slots=dict(slots or {}),
        missing=missing,
        reason=reason,
    )


def _settings_context() -> dict[str, Any]:
    return {
        "company_name": str(getattr(settings, "KV_COMPANY_NAME", "") or ""),
        "base_url": str(getattr(settings, "BASE_URL", "") or ""),
        "link_minutes": int(getattr(settings, "KV_PORTAL_LINK_MINUTES", 15)),
        "allow_loopback_links": bool(settings.DEBUG),
    }


def compose(
    *,
    intent: str,
    language: str,
    customer_id: int | None,
    understanding: Mapping[str, Any] | None,
    case_id: int | None = None,
    now: datetime | None = None,
) -> ComposedAnswer:
    """Fill the active template for (intent, situation, language) from the customer's data.

    ``understanding`` is ``intelligence.serialise.understanding_to_dict`` output (its
    ``entities`` and ``text`` are used). ``ok`` is False, with ``missing`` and a German
    ``reason``, when the customer is unknown, the question is not about their own data, a
    template is missing or any placeholder the template uses has no value.
    """
    return _compose(
        intent=intent,
        language=language,
        customer_id=customer_id,
        understanding=understanding,
        case_id=case_id,
        now=now,
        template=None,
    )


def preview(
    *,
    template_id: int,
    customer_id: int,
    understanding: Mapping[str, Any] | None,
    now: datetime | None = None,
) -> ComposedAnswer:
    """What ``compose`` would send with this template (active or not) for this customer.

    For the admin: ``ok`` is False with a reason when the customer's data leads to another
    situation than the template's.
    """
    template = AnswerTemplate.objects.get(id=template_id)
    return _compose(
        intent=template.intent,
        language=template.language,
        customer_id=customer_id,
        understanding=understanding,
        case_id=None,
        now=now,
        template=template,
    )


def _compose(
    *,
    intent: str,
    language: str,
    customer_id: int | None,
    understanding: Mapping[str, Any] | None,
    case_id: int | None,
    now: datetime | None,
    template: AnswerTemplate | None,
) -> ComposedAnswer:
    language = (language or "").lower()[:2]
    if language not in LANGUAGES:
        return _refuse(f"Für die Sprache „{language}“ gibt es keine Antwortvorlagen.")
    resolver = INTENT_RESOLVERS.get(intent)
    if resolver is None:
        return _refuse(f"Für das Anliegen „{intent}“ gibt es keine automatische Antwort.")
    if customer_id is None:
        return _refuse(
            "Der Kunde ist nicht sicher erkannt: automatische Antworten nur an erkannte Kunden.",
            missing=("customer",),
        )
    try:
        customer = get_customer_context(customer_id)
    except CustomerNotFoundError:
        return _refuse(f"Kunde Nr. {customer_id} nicht gefunden.", missing=("customer",))
    if customer.erased:
        return _refuse("Der Kunde ist anonymisiert.", missing=("customer",))
    data = understanding or {}
    entities = tuple(e for e in data.get("entities", ()) if isinstance(e, Mapping))
    ctx = SlotContext(
        customer=customer,
        language=language,
        entities=entities,
        text=str(data.get("text", "")),
        now=now or timezone.now(),
        case_id=case_id,
        **_settings_context(),
    )
    base = base_values(ctx)
    known = {name: value for name, value in base.values.items() if value}
    try:
        filled = resolver(ctx)
    except SlotUnavailable as exc:
        return _refuse(exc.reason, missing=exc.slots, slots=known)
    values = {**base.values, **filled.values}
    known = {name: value for name, value in values.items() if value}
    if template is not None and template.variant != filled.variant:
        return _refuse(
            f"Für diesen Kunden passt die Situation „{filled.variant or '–'}“, nicht "
            f"„{template.variant or '–'}“.",
            slots=known,
            template_id=template.id,
        )
    if template is None:
        template = AnswerTemplate.objects.filter(
            intent=intent, variant=filled.variant, language=language, active=True
        ).first()
    if template is None:
        situation = f" / {filled.variant}" if filled.variant else ""
        return _refuse(
            f"Keine aktive Antwortvorlage für „{intent}{situation}“ ({language}).", slots=known
        )
    subject = render(template.subject, values)
    body = render(template.body, values)
    errors = subject.errors + body.errors
    if errors:
        return _refuse(
            f"Die Vorlage „{template}“ enthält ungültige Platzhalter: {' '.join(errors)}",
            slots=known,
            template_id=template.id,
        )
    missing = tuple(dict.fromkeys(subject.missing + body.missing))
    if missing:
        reasons = {**base.reasons, **filled.reasons}
        why = dict.fromkeys(
            reasons.get(name, f"Kein Wert für {{{{ {name} }}}}.") for name in missing
        )
        return _refuse(" ".join(why), missing=missing, slots=known, template_id=template.id)
    return ComposedAnswer(
        ok=True,
        template_id=template.id,
        subject=subject.text,
        body=f"{body.text.rstrip()}\n\n{FOOTER[language]}",
        attachments=filled.attachments,
        slots=known,
        missing=(),
        reason="",
    )


def automatable_intents() -> frozenset[str]:
    """Intents that have an active template and a slot resolver."""
    return frozenset(
        AnswerTemplate.objects.filter(active=True, intent__in=list(INTENT_RESOLVERS))
        .values_list("intent", flat=True)
        .distinct()
    )
