"""Writes of the answer templates app: templates, and the address change an answer confirms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from kundenversteher.customers import services as customer_services
from kundenversteher.customers.queries import get_customer_context
from kundenversteher.events.services import record
from kundenversteher.knowledge.answers.addresses import PostalAddress
from kundenversteher.knowledge.answers.errors import (
    AddressNotUnderstoodError,
    InvalidTemplateError,
)
from kundenversteher.knowledge.answers.models import AnswerTemplate
from kundenversteher.knowledge.answers.rendering import placeholders, syntax_errors
from kundenversteher.knowledge.answers.slots import (
    INTENT_RESOLVERS,
    INTENT_VARIANTS,
    SlotUnavailable,
    allowed_slots,
    new_address,
)

Actor = AbstractBaseUser | AnonymousUser | None


def template_problems(*, intent: str, variant: str, subject: str, body: str) -> list[str]:
    """What is wrong with a template (German, for the admin form); empty when it is usable."""
    problems: list[str] = []
    if intent not in INTENT_RESOLVERS:
        problems.append(
            gettext("Für „%(intent)s“ gibt es keine Daten-Platzhalter.") % {"intent": intent}
        )
        return problems
    if variant not in INTENT_VARIANTS[intent]:
        problems.append(
            gettext("Situation „%(variant)s“ gibt es hier nicht (erlaubt: %(allowed)s).")
            % {"variant": variant, "allowed": ", ".join(v or "–" for v in INTENT_VARIANTS[intent])}
        )
    allowed = set(allowed_slots(intent))
    problems.extend(
        gettext("Unbekannter Platzhalter {{ %(name)s }}.") % {"name": name}
        for name in placeholders(subject) + placeholders(body)
        if name not in allowed
    )
    problems.extend(
        gettext("Ungültige Vorlagen-Syntax „%(piece)s“.") % {"piece": piece}
        for piece in syntax_errors(subject) + syntax_errors(body)
    )
    return list(dict.fromkeys(problems))


def save_template(
    *,
    intent: str,
    language: str,
    subject: str,
    body: str,
    variant: str = "",
    active: bool = True,
    by: Actor = None,
) -> AnswerTemplate:
    """Create the template for (intent, variant, language) or replace its text (version + 1)."""
    problems = template_problems(intent=intent, variant=variant, subject=subject, body=body)
    if problems:
        raise InvalidTemplateError(gettext("Die Vorlage ist ungültig."), problems=problems)
    with transaction.atomic():
        template, created = AnswerTemplate.objects.select_for_update().get_or_create(
            intent=intent,
            variant=variant,
            language=language,
            defaults={"subject": subject, "body": body, "active": active},
        )
        if not created:
            AnswerTemplate.objects.filter(id=template.id).update(
                subject=subject, body=body, active=active, version=F("version") + 1
            )
            template.refresh_from_db()
        record(
            "answer_template.saved",
            actor=by,
            subject=template,
            data={
                "intent": intent,
                "variant": variant,
                "language": language,
                "version": template.version,
            },
        )
    return template


def apply_address_change(
    *, customer_id: int, understanding: Mapping[str, Any], by: Actor = None
) -> PostalAddress:
    """Store the new address that ``compose`` confirmed for an ``address_change`` message.

    Call it when that automatic answer is sent (not when it is only drafted). The change goes
    through ``customers.services.update_customer``, which records ``customer.updated``.
    Raises ``AddressNotUnderstoodError`` when the text holds no single new address.
    """
    customer = get_customer_context(customer_id)
    try:
        address = new_address(customer, str(understanding.get("text", "")))
    except SlotUnavailable as exc:
        raise AddressNotUnderstoodError(exc.reason) from exc
    customer_services.update_customer(
        customer_id=customer.id,
        changes={"street": address.street, "postcode": address.postcode, "city": address.city},
        by=by,
    )
    return address


def apply_answer_effects(
    *,
    intent: str,
    customer_id: int | None,
    understanding: Mapping[str, Any] | None,
    by: Actor = None,
) -> list[str]:
    """Carry out what a sent automatic answer confirmed; returns what was done (for the log).

    Call inside the transaction that stores the sent answer, with the same arguments given to
    ``compose``. Only ``address_change`` confirms a change ("Wir übernehmen sie …"); every
    other answer only informs, so there is nothing to do.
    """
    if intent != "address_change" or customer_id is None or understanding is None:
        return []
    apply_address_change(customer_id=customer_id, understanding=understanding, by=by)
    return ["address_changed"]
