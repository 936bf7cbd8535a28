"""decide(): every rule of the automatic-answer policy (pure, no database)."""

from __future__ import annotations

from kundenversteher.intelligence.types import Emotion, Entity, EntityKind
from kundenversteher.knowledge.automation import decide
from kundenversteher.knowledge.automation.types import Action, CustomerRef, Mode
from tests.knowledge.automation.factories import (
    known_customer,
    make_policy,
    make_understanding,
    new_case,
)


def codes(decision) -> list[str]:
    return [reason.code for reason in decision.reasons]


def test_a_confident_standard_question_of_a_known_customer_is_answered_automatically():
    decision = decide(make_understanding(), known_customer(), new_case(), settings=make_policy())

    assert decision.action is Action.AUTO_ANSWER
    assert decision.sends is True
    assert decision.shadow is False
    assert decision.required_entities_ok is True
    assert (decision.intent, decision.confidence, decision.threshold) == (
        "order_status",
        0.97,
        0.91,
    )
    assert codes(decision) == ["confidence_ok", "customer_identified", "entity_ok"]
    assert decision.reasons[0].de == "Absicht order_status mit 97 % sicher (Schwelle 91 %)"
    assert decision.reasons[0].en == "Intent order_status certain at 97 % (threshold 91 %)"
    assert decision.reasons[1].de == "Kunde identifiziert (email)"
    assert decision.reasons[2].de == "Bestellnummer 4711 erkannt"


def test_confidence_below_the_intents_threshold_routes():
    decision = decide(
        make_understanding(probability=0.85, threshold=0.91),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.ROUTE
    assert codes(decision)[0] == "confidence_low"
    assert decision.reasons[0].de == "Absicht order_status mit 85 % zu unsicher (Schwelle 91 %)"


def test_an_admin_override_stricter_than_the_model_applies():
    decision = decide(
        make_understanding(probability=0.95, threshold=0.91),
        known_customer(),
        new_case(),
        settings=make_policy(min_confidence={"order_status": 0.98}),
    )

    assert decision.action is Action.ROUTE
    assert decision.threshold == 0.98


def test_without_a_per_intent_threshold_the_models_unsure_flag_decides():
    sure = decide(
        make_understanding(threshold=0.0), known_customer(), new_case(), settings=make_policy()
    )
    unsure = decide(
        make_understanding(threshold=0.0, unsure=True),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert (sure.action, sure.threshold) == (Action.AUTO_ANSWER, None)
    assert unsure.action is Action.ROUTE
    assert "unter der Automatik-Schwelle des Modells" in unsure.reasons[0].de


def test_out_of_scope_is_never_answered():
    decision = decide(
        make_understanding(out_of_scope=True), known_customer(), new_case(), settings=make_policy()
    )

    assert decision.action is Action.ROUTE
    assert "out_of_scope" in codes(decision)


def test_an_intent_without_template_routes():
    decision = decide(
        make_understanding(intent="device_fault", order_numbers=()),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.ROUTE
    assert codes(decision)[0] == "no_template"


def test_a_complaint_is_never_automatic_even_with_a_template():
    decision = decide(
        make_understanding(intent="complaint", order_numbers=()),
        known_customer(),
        new_case(),
        settings=make_policy(automatable=frozenset({"complaint"})),
    )

    assert decision.action is Action.ROUTE


def test_anger_routes_with_the_reason():
    decision = decide(
        make_understanding(emotions=(Emotion.ANGER,)),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.ROUTE
    assert decision.reasons[0].de == "Eskalationssignal: Ärger"
    assert decision.reasons[0].en == "Escalation: anger"


def test_frustration_routes():
    decision = decide(
        make_understanding(emotions=(Emotion.FRUSTRATION,)),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.ROUTE
    assert "escalation_frustration" in codes(decision)


def test_clearly_negative_sentiment_routes_mildly_negative_does_not():
    negative = decide(
        make_understanding(sentiment_score=-0.7),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )
    mild = decide(
        make_understanding(sentiment_score=-0.2),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert negative.action is Action.ROUTE
    assert "escalation_negative" in codes(negative)
    assert mild.action is Action.AUTO_ANSWER


def test_legal_threat_routes():
    decision = decide(
        make_understanding(cues=("legal_threat",)),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.ROUTE
    assert decision.reasons[0].de == "Eskalationssignal: rechtliche Drohung"


def test_cancellation_threat_and_repeated_contact_cues_route():
    for cue in ("cancellation_threat", "repeated_contact"):
        decision = decide(
            make_understanding(cues=(cue,)), known_customer(), new_case(), settings=make_policy()
        )
        assert decision.action is Action.ROUTE
        assert f"escalation_{cue}" in codes(decision)


def test_a_deadline_cue_alone_does_not_stop_automation():
    decision = decide(
        make_understanding(cues=("deadline",)), known_customer(), new_case(), settings=make_policy()
    )

    assert decision.action is Action.AUTO_ANSWER


def test_vip_and_premium_customers_get_a_person():
    for tier in ("vip", "premium"):
        decision = decide(
            make_understanding(), known_customer(tier=tier), new_case(), settings=make_policy()
        )
        assert decision.action is Action.ROUTE
        assert "escalation_tier" in codes(decision)


def test_repeated_contact_on_the_same_topic_routes_from_the_limit_on():
    below = decide(
        make_understanding(),
        known_customer(),
        new_case(prior_contacts_30d=1),
        settings=make_policy(),
    )
    at_limit = decide(
        make_understanding(),
        known_customer(),
        new_case(prior_contacts_30d=2),
        settings=make_policy(),
    )

    assert below.action is Action.AUTO_ANSWER
    assert at_limit.action is Action.ROUTE
    assert "escalation_repeated" in codes(at_limit)


def test_a_reply_to_an_automatic_answer_and_a_reopened_case_route():
    reply = decide(
        make_understanding(),
        known_customer(),
        new_case(case_id=5, is_new=False, last_answer_automatic=True),
        settings=make_policy(),
    )
    reopened = decide(
        make_understanding(),
        known_customer(),
        new_case(case_id=5, is_new=False, reopened_count=1),
        settings=make_policy(),
    )

    assert reply.action is Action.ROUTE
    assert "escalation_reply_to_automatic" in codes(reply)
    assert reopened.action is Action.ROUTE
    assert "escalation_reopened" in codes(reopened)


def test_an_unknown_customer_gets_a_draft_for_the_agent_not_an_answer():
    decision = decide(make_understanding(), None, new_case(), settings=make_policy())

    assert decision.action is Action.SUGGEST
    assert decision.reasons[0].de == "Kunde nicht identifiziert"


def test_a_customer_recognised_only_by_a_number_in_the_text_gets_no_automatic_answer():
    for method in ("order_number", "customer_number", "name_postcode", ""):
        customer = CustomerRef(id=7, tier="standard", identified_by=method)
        decision = decide(make_understanding(), customer, new_case(), settings=make_policy())
        assert decision.action is Action.SUGGEST, method
        assert decision.reasons[0].code == "customer_not_sender"


def test_channels_without_a_way_back_get_a_draft_only():
    for channel in ("letter", "fax", "phone", "device"):
        decision = decide(
            make_understanding(),
            known_customer(),
            new_case(channel=channel),
            settings=make_policy(),
        )
        assert decision.action is Action.SUGGEST, channel
        assert decision.reasons[0].code == "channel_no_answer"


def test_mail_and_the_contact_form_are_answered_automatically():
    # The contact form asks for the address the answer is mailed to.
    for channel in ("email", "web_form"):
        decision = decide(
            make_understanding(),
            known_customer(),
            new_case(channel=channel),
            settings=make_policy(),
        )
        assert decision.action is Action.AUTO_ANSWER, channel


def test_a_follow_up_in_a_running_case_is_suggested_only():
    decision = decide(
        make_understanding(),
        known_customer(),
        new_case(case_id=5, is_new=False),
        settings=make_policy(),
    )

    assert decision.action is Action.SUGGEST
    assert "follow_up" in codes(decision)


def test_two_different_order_numbers_are_ambiguous():
    decision = decide(
        make_understanding(order_numbers=("4711", "4712")),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.SUGGEST
    assert decision.required_entities_ok is False
    assert decision.reasons[0].de == "Mehrere Bestellnummern genannt (4711, 4712)"


def test_an_unreliably_recognised_number_is_not_trusted():
    decision = decide(
        make_understanding(
            order_numbers=(),
            entities=(Entity(EntityKind.ORDER_NUMBER, "4711", "4711", 0, 4, confidence=0.5),),
        ),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.SUGGEST
    assert "entity_unsure" in codes(decision)


def test_without_an_order_number_the_customers_records_may_still_answer():
    decision = decide(
        make_understanding(order_numbers=()), known_customer(), new_case(), settings=make_policy()
    )

    assert decision.action is Action.AUTO_ANSWER
    assert decision.required_entities_ok is True


def test_a_cancellation_needs_the_order_number():
    decision = decide(
        make_understanding(intent="order_cancellation", order_numbers=()),
        known_customer(),
        new_case(),
        settings=make_policy(automatable=frozenset({"order_cancellation"})),
    )

    assert decision.action is Action.SUGGEST
    assert decision.reasons[0].de == "Bestellnummer fehlt"


def test_an_invoice_copy_accepts_an_order_number_instead_of_the_invoice_number():
    decision = decide(
        make_understanding(intent="invoice_copy"),
        known_customer(),
        new_case(),
        settings=make_policy(),
    )

    assert decision.action is Action.AUTO_ANSWER


def test_a_switched_off_intent_gets_a_draft_only():
    decision = decide(
        make_understanding(),
        known_customer(),
        new_case(),
        settings=make_policy(disabled=frozenset({"order_status"})),
    )

    assert decision.action is Action.SUGGEST
    assert decision.reasons[0].de == "Automatik für diese Absicht ausgeschaltet"


def test_the_kill_switch_stops_every_automatic_answer():
    decision = decide(
        make_understanding(), known_customer(), new_case(), settings=make_policy(mode=Mode.OFF)
    )

    assert decision.action is Action.SUGGEST
    assert decision.sends is False
    assert decision.reasons[0].de == "Abschaltung (Kill-Switch) aktiv"


def test_shadow_mode_records_what_would_happen_and_sends_nothing():
    decision = decide(
        make_understanding(), known_customer(), new_case(), settings=make_policy(mode=Mode.SHADOW)
    )

    assert decision.action is Action.AUTO_ANSWER
    assert decision.shadow is True
    assert decision.sends is False
    assert decision.reasons[-1].de == "Schattenmodus: würde automatisch antworten, nichts gesendet"


def test_the_default_policy_is_shadow_mode_with_nothing_automatable():
    decision = decide(make_understanding(), known_customer(), new_case())

    assert (decision.action, decision.shadow) == (Action.ROUTE, True)


def test_route_reasons_come_first_and_all_signals_are_listed():
    decision = decide(
        make_understanding(emotions=(Emotion.ANGER,), cues=("legal_threat",)),
        None,
        new_case(),
        settings=make_policy(),
    )

    assert codes(decision) == [
        "escalation_anger",
        "escalation_legal_threat",
        "customer_unknown",
        "confidence_ok",
        "entity_ok",
    ]
