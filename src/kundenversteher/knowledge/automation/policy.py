"""``decide()``: may this message be answered without a person? Plain rules, no database.

The one question the policy cannot answer alone — can every slot of the answer be filled with
this customer's real data? — is asked afterwards by the caller (``services.decide_for_inbound``
through ``answers.compose``); an auto-answer here is therefore a *candidate* until composing
succeeded.

Order of the checks: what rules automation out for good (no template, unsure, out of scope,
escalation signals) gives ``route``; what only stops the automatic sending (switches, an
unidentified customer, a follow-up in a running case, missing entities) gives ``suggest`` so the
agent still gets the finished draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from kundenversteher.intelligence.types import Emotion, EntityKind, Understanding
from kundenversteher.knowledge.automation.types import (
    Action,
    AutomationPolicy,
    CaseFacts,
    CustomerRef,
    Decision,
    Mode,
    Reason,
)

# Urgency cues (intelligence.urgency) that always need a person.
ESCALATING_CUES: dict[str, tuple[str, str]] = {
    "legal_threat": ("rechtliche Drohung", "legal threat"),
    "cancellation_threat": ("Kündigungsandrohung", "threat to cancel"),
    "repeated_contact": ("wiederholte Nachfrage", "repeated contact"),
    "safety": ("Sicherheitsrisiko", "safety risk"),
}
ESCALATING_EMOTIONS: dict[Emotion, tuple[str, str]] = {
    Emotion.ANGER: ("Ärger", "anger"),
    Emotion.FRUSTRATION: ("Frust", "frustration"),
}


@dataclass(frozen=True, slots=True)
class EntityRule:
    """What an intent's answer clearly needs from the text.

    ``any_of``: one of these kinds must be named — unless ``customer_fallback`` says the answer
    may be found from the customer's own records (exactly one open order …; the answers helper
    decides that by its slots). Two *different* values of the kind make the question ambiguous.
    """

    any_of: tuple[EntityKind, ...]
    customer_fallback: bool = True


REQUIRED_ENTITIES: dict[str, EntityRule] = {
    "order_status": EntityRule((EntityKind.ORDER_NUMBER,)),
    "delivery_date": EntityRule((EntityKind.ORDER_NUMBER,)),
    "order_cancellation": EntityRule((EntityKind.ORDER_NUMBER,), customer_fallback=False),
    "return_refund": EntityRule((EntityKind.ORDER_NUMBER,), customer_fallback=False),
    "invoice_copy": EntityRule((EntityKind.INVOICE_NUMBER, EntityKind.ORDER_NUMBER)),
    "contract_info": EntityRule((EntityKind.CONTRACT_NUMBER,)),
    "contract_cancellation": EntityRule((EntityKind.CONTRACT_NUMBER,), customer_fallback=False),
    "repair_status": EntityRule((EntityKind.DEVICE_SERIAL, EntityKind.CASE_NUMBER)),
    "maintenance_appointment": EntityRule((EntityKind.CONTRACT_NUMBER, EntityKind.DEVICE_SERIAL)),
}
# A number recognised with less confidence than this is not trusted for an automatic answer.
MIN_ENTITY_CONFIDENCE = 0.8
# How intake must have found the customer for an automatic answer: by the sender's own
# address. A number in the text (order, customer, contract) can be known to anyone — an answer
# would send the customer's data to whoever wrote it.
SENDER_IDENTIFICATIONS = frozenset({"email"})
# Intents a machine must never answer alone, whatever a template says.
NEVER_AUTOMATIC = frozenset({"complaint", "other", "unknown", ""})

_KIND_LABELS: dict[EntityKind, tuple[str, str]] = {
    EntityKind.ORDER_NUMBER: ("Bestellnummer", "order number"),
    EntityKind.INVOICE_NUMBER: ("Rechnungsnummer", "invoice number"),
    EntityKind.CONTRACT_NUMBER: ("Vertragsnummer", "contract number"),
    EntityKind.DEVICE_SERIAL: ("Seriennummer", "serial number"),
    EntityKind.CASE_NUMBER: ("Vorgangsnummer", "case number"),
}


def _pct(value: float) -> str:
    return f"{round(value * 100)} %"


def _threshold_of(understanding: Understanding) -> float | None:
    """The intent model's per-intent automation threshold, where the model provides one."""
    # 0.0: no model decided (or an artefact from before per-intent thresholds): ``unsure`` rules.
    value = understanding.intent.threshold
    return float(value) if value > 0 else None


def _confidence(
    understanding: Understanding, policy: AutomationPolicy
) -> tuple[bool, float | None, Reason]:
    intent = understanding.intent
    threshold = _threshold_of(understanding)
    override = policy.min_confidence.get(intent.intent)
    if override is not None:
        threshold = max(threshold or 0.0, override)
    if threshold is not None:
        ok = intent.probability >= threshold and not intent.unsure
        word_de, word_en = ("sicher", "certain") if ok else ("zu unsicher", "too uncertain")
        return (
            ok,
            threshold,
            Reason(
                "confidence_ok" if ok else "confidence_low",
                f"Absicht {intent.intent} mit {_pct(intent.probability)} {word_de} "
                f"(Schwelle {_pct(threshold)})",
                f"Intent {intent.intent} {word_en} at {_pct(intent.probability)} "
                f"(threshold {_pct(threshold)})",
            ),
        )
    ok = not intent.unsure
    if ok:
        return (
            True,
            None,
            Reason(
                "confidence_ok",
                f"Absicht {intent.intent} mit {_pct(intent.probability)} sicher "
                "(über der Automatik-Schwelle des Modells)",
                f"Intent {intent.intent} certain at {_pct(intent.probability)} "
                "(above the model's automation threshold)",
            ),
        )
    return (
        False,
        None,
        Reason(
            "confidence_low",
            f"Absicht {intent.intent} mit {_pct(intent.probability)} zu unsicher "
            "(unter der Automatik-Schwelle des Modells)",
            f"Intent {intent.intent} too uncertain at {_pct(intent.probability)} "
            "(below the model's automation threshold)",
        ),
    )


def escalation_reasons(
    understanding: Understanding,
    customer: CustomerRef | None,
    case: CaseFacts,
    policy: AutomationPolicy,
) -> list[Reason]:
    """Every signal that this message needs a person's attention (empty: none)."""
    found: list[Reason] = []
    for emotion in understanding.sentiment.emotions:
        if emotion in ESCALATING_EMOTIONS:
            de, en = ESCALATING_EMOTIONS[emotion]
            found.append(
                Reason(
                    f"escalation_{emotion.value}", f"Eskalationssignal: {de}", f"Escalation: {en}"
                )
            )
    score = understanding.sentiment.score
    if score < policy.negative_sentiment_below:
        found.append(
            Reason(
                "escalation_negative",
                f"Eskalationssignal: deutlich negative Stimmung ({score:.2f})",
                f"Escalation: clearly negative sentiment ({score:.2f})",
            )
        )
    for kind in dict.fromkeys(cue.kind for cue in understanding.urgency.cues):
        if kind in ESCALATING_CUES:
            de, en = ESCALATING_CUES[kind]
            found.append(
                Reason(f"escalation_{kind}", f"Eskalationssignal: {de}", f"Escalation: {en}")
            )
    if customer is not None and (customer.vip or customer.tier in policy.escalate_tiers):
        found.append(
            Reason(
                "escalation_tier",
                f"Kundenstufe {customer.tier}: persönliche Betreuung",
                f"Customer tier {customer.tier}: personal service",
            )
        )
    if case.prior_contacts_30d >= policy.repeated_contact_limit:
        found.append(
            Reason(
                "escalation_repeated",
                f"Eskalationssignal: {case.prior_contacts_30d} frühere Anliegen zum selben Thema "
                "in 30 Tagen",
                f"Escalation: {case.prior_contacts_30d} earlier cases on the same topic in 30 days",
            )
        )
    if case.reopened_count > 0:
        found.append(
            Reason(
                "escalation_reopened",
                "Eskalationssignal: Anliegen wurde schon wieder eröffnet",
                "Escalation: the case has been reopened before",
            )
        )
    if case.last_answer_automatic:
        found.append(
            Reason(
                "escalation_reply_to_automatic",
                "Antwort auf eine automatische Antwort: ein Mensch übernimmt",
                "Reply to an automatic answer: a person takes over",
            )
        )
    return found


def _entities(understanding: Understanding, intent: str) -> tuple[bool, Reason | None]:
    rule = REQUIRED_ENTITIES.get(intent)
    if rule is None:
        return True, None
    for kind in rule.any_of:
        found = understanding.entities_of(kind)
        if not found:
            continue
        de, en = _KIND_LABELS[kind]
        if any(e.confidence < MIN_ENTITY_CONFIDENCE for e in found):
            return False, Reason(
                "entity_unsure", f"{de} nicht sicher erkannt", f"{en} not recognised reliably"
            )
        values = sorted({e.value for e in found})
        if len(values) > 1:
            return False, Reason(
                "entity_ambiguous",
                f"Mehrere {de}n genannt ({', '.join(values)})",
                f"Several {en}s named ({', '.join(values)})",
            )
        return True, Reason(
            "entity_ok", f"{de} {values[0]} erkannt", f"{en} {values[0]} recognised"
        )
    if rule.customer_fallback:
        # No number named: the answer may still come from the customer's only order, contract …
        return True, None
    labels_de = " oder ".join(_KIND_LABELS[k][0] for k in rule.any_of)
    labels_en = " or ".join(_KIND_LABELS[k][1] for k in rule.any_of)
    return False, Reason("entity_missing", f"{labels_de} fehlt", f"{labels_en} missing")


def decide(
    understanding: Understanding,
    customer: CustomerRef | None,
    case: CaseFacts,
    *,
    settings: AutomationPolicy | None = None,
) -> Decision:
    """Auto-answer (candidate), suggest a draft, or route — with the reasons in DE and EN."""
    policy = settings or AutomationPolicy()
    intent = understanding.intent.intent
    shadow = policy.mode is Mode.SHADOW
    reasons: list[Reason] = []
    stop_route: list[Reason] = []  # rules automation out: a person answers from scratch
    stop_suggest: list[Reason] = []  # only the sending stops: the agent gets the draft

    if intent in NEVER_AUTOMATIC or intent not in policy.automatable_intents:
        stop_route.append(
            Reason(
                "no_template",
                f"Für die Absicht {intent or '–'} gibt es keine Antwortvorlage",
                f"No answer template for intent {intent or '–'}",
            )
        )
    if understanding.intent.out_of_scope:
        stop_route.append(
            Reason(
                "out_of_scope",
                "Nachricht passt zu keiner bekannten Absicht",
                "Message fits none of the known intents",
            )
        )
    confident, threshold, confidence_reason = _confidence(understanding, policy)
    (reasons if confident else stop_route).append(confidence_reason)
    stop_route.extend(escalation_reasons(understanding, customer, case, policy))

    if customer is None:
        stop_suggest.append(
            Reason("customer_unknown", "Kunde nicht identifiziert", "Customer not identified")
        )
    elif customer.identified_by not in SENDER_IDENTIFICATIONS:
        how = customer.identified_by or "–"
        stop_suggest.append(
            Reason(
                "customer_not_sender",
                f"Kunde nur über Angaben im Text erkannt ({how}), nicht über die "
                "Absenderadresse: keine automatische Antwort",
                f"Customer recognised only from the text ({how}), not by the sender address: "
                "no automatic answer",
            )
        )
    else:
        how = f" ({customer.identified_by})"
        reasons.append(
            Reason("customer_identified", f"Kunde identifiziert{how}", f"Customer identified{how}")
        )
    if case.channel and case.channel not in policy.answer_channels:
        stop_suggest.append(
            Reason(
                "channel_no_answer",
                f"Kanal {case.channel}: eine automatische Antwort erreicht den Kunden nicht",
                f"Channel {case.channel}: an automatic answer would not reach the customer",
            )
        )
    if not case.is_new:
        stop_suggest.append(
            Reason(
                "follow_up",
                "Nachricht in einem laufenden Anliegen",
                "Message in a running case",
            )
        )
    entities_ok, entity_reason = _entities(understanding, intent)
    if entity_reason is not None:
        (reasons if entities_ok else stop_suggest).append(entity_reason)

    if intent in policy.disabled_intents:
        stop_suggest.append(
            Reason(
                "intent_disabled",
                "Automatik für diese Absicht ausgeschaltet",
                "Automation switched off for this intent",
            )
        )
    if policy.mode is Mode.OFF:
        stop_suggest.append(
            Reason("kill_switch", "Abschaltung (Kill-Switch) aktiv", "Kill switch active")
        )

    if stop_route:
        action = Action.ROUTE
    elif stop_suggest:
        action = Action.SUGGEST
    else:
        action = Action.AUTO_ANSWER
    all_reasons = [*stop_route, *stop_suggest, *reasons]
    if shadow and action is Action.AUTO_ANSWER:
        all_reasons.append(
            Reason(
                "shadow",
                "Schattenmodus: würde automatisch antworten, nichts gesendet",
                "Shadow mode: would answer automatically, nothing sent",
            )
        )
    return Decision(
        action=action,
        intent=intent,
        confidence=understanding.intent.probability,
        threshold=threshold,
        reasons=tuple(all_reasons),
        required_entities_ok=entities_ok,
        shadow=shadow,
    )
