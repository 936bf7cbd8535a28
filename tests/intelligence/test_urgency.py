from __future__ import annotations

import pytest

from kundenversteher.intelligence.entities import extract_entities
from kundenversteher.intelligence.types import UrgencyLevel
from kundenversteher.intelligence.urgency import assess_urgency
from tests.intelligence.factories import TODAY, make_heating_mail


def kinds(text: str, *, prior_contacts: int = 0) -> set[str]:
    entities = extract_entities(text, today=TODAY)
    result = assess_urgency(text, entities=entities, prior_contacts=prior_contacts, today=TODAY)
    return {cue.kind for cue in result.cues}


def level(text: str, *, prior_contacts: int = 0) -> UrgencyLevel:
    entities = extract_entities(text, today=TODAY)
    return assess_urgency(text, entities=entities, prior_contacts=prior_contacts, today=TODAY).level


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Bitte bis morgen erledigen", "deadline"),
        ("Das muss heute noch passieren", "deadline"),
        ("Bitte bis zum 3.5. liefern", "deadline"),
        ("please fix it by tomorrow", "deadline"),
        ("Bitte sofort melden", "immediacy"),
        ("Es ist dringend", "immediacy"),
        ("Antworten Sie umgehend", "immediacy"),
        ("Need this ASAP", "immediacy"),
        ("this is urgent", "immediacy"),
        ("Die Heizung ist aus", "outage"),
        ("Wir haben kein Warmwasser", "outage"),
        ("Die Anlage ist ausgefallen", "outage"),
        ("Störung am Display", "outage"),
        ("Die Pumpe geht seit heute nicht mehr", "outage"),
        ("the heat pump is not working", "outage"),
        ("we have no heating", "outage"),
        ("Ich schalte meinen Anwalt ein", "legal_threat"),
        ("Ich werde rechtliche Schritte einleiten", "legal_threat"),
        ("Ich gehe zur Verbraucherzentrale", "legal_threat"),
        ("my lawyer will contact you", "legal_threat"),
        ("we will take legal action", "legal_threat"),
        ("Dann kündige ich", "cancellation_threat"),
        ("Hiermit die Kündigung", "cancellation_threat"),
        ("I will cancel my contract", "cancellation_threat"),
        ("we will switch provider", "cancellation_threat"),
        ("Ich schreibe zum dritten Mal", "repeated_contact"),
        ("Schon wieder kaputt", "repeated_contact"),
        ("Immer noch keine Antwort", "repeated_contact"),
        ("still no reply from you", "repeated_contact"),
        ("Es gibt Gasgeruch im Keller", "safety"),
        ("I can smell gas", "safety"),
        ("Wasserschaden im Heizraum", "safety"),
    ],
)
def test_cues_are_found_in_german_and_english(text: str, kind: str) -> None:
    assert kind in kinds(text)


def test_cue_spans_point_at_their_words() -> None:
    text = "Bitte sofort kommen, die Heizung ist ausgefallen!"
    result = assess_urgency(text, today=TODAY)
    assert [(c.kind, c.text, text[c.start : c.end]) for c in result.cues] == [
        ("immediacy", "sofort", "sofort"),
        ("outage", "ausgefallen", "ausgefallen"),
    ]


def test_inflected_cancellation_is_found() -> None:
    assert "cancellation_threat" in kinds("Ich habe den Vertrag bereits gekündigt")


def test_plain_question_is_normal() -> None:
    assert level("Wann kommt meine Bestellung?") == UrgencyLevel.NORMAL


def test_explicitly_not_urgent_is_low() -> None:
    assert level("Keine Eile, das ist nicht dringend.") == UrgencyLevel.LOW


def test_outage_with_immediacy_is_high() -> None:
    assert level("Die Heizung ist ausgefallen, bitte sofort kommen") == UrgencyLevel.HIGH


def test_gas_smell_is_critical() -> None:
    assert level("Es riecht nach Gas im Keller") == UrgencyLevel.CRITICAL


def test_no_heating_in_the_cold_with_a_baby_is_critical() -> None:
    assert level("Keine Heizung, es ist eiskalt und wir haben ein Baby") == UrgencyLevel.CRITICAL


def test_no_heating_with_elderly_in_freezing_weather_is_critical_in_english() -> None:
    assert level("No heating and it is freezing, my elderly mother lives here") == (
        UrgencyLevel.CRITICAL
    )


def test_baby_without_an_outage_does_not_raise_urgency() -> None:
    assert level("Wir haben ein Baby bekommen und ziehen um") == UrgencyLevel.NORMAL


def test_prior_contacts_count_as_repeated_contact() -> None:
    assert "repeated_contact" in kinds("Wo bleibt meine Bestellung?", prior_contacts=2)
    assert "repeated_contact" not in kinds("Wo bleibt meine Bestellung?", prior_contacts=1)


def test_a_near_date_is_a_deadline() -> None:
    assert "deadline" in kinds("Der Techniker soll übermorgen kommen")


def test_a_far_date_without_deadline_word_is_not_a_deadline() -> None:
    assert "deadline" not in kinds("Ich habe am 3. Mai 2026 bestellt")


def test_the_sample_mail_is_critical_with_a_high_score() -> None:
    text = make_heating_mail()
    result = assess_urgency(text, entities=extract_entities(text, today=TODAY), today=TODAY)
    assert result.level == UrgencyLevel.CRITICAL
    assert result.score >= 0.9


def test_more_cues_mean_a_higher_score() -> None:
    one = assess_urgency("Bitte sofort", today=TODAY).score
    two = assess_urgency("Bitte sofort, sonst Anwalt", today=TODAY).score
    assert two > one


def test_thanks_again_is_no_repeated_contact() -> None:
    assert "repeated_contact" not in kinds("Thanks again for the quick help")
    assert "repeated_contact" in kinds("The heating is broken again")


def test_heizung_aus_dem_jahr_is_no_outage() -> None:
    assert "outage" not in kinds("Unsere Heizung aus dem Jahr 2010 soll gewartet werden")
    assert "outage" in kinds("Die Heizung ist aus.")


@pytest.mark.parametrize(
    ("text", "is_safety"),
    [
        ("Aus dem Heizraum kommt Rauch", True),
        ("Der Rauchmelder schlägt an", True),
        ("Es brennt im Keller", True),
        ("Wir möchten Rauchmelder nachbestellen", False),
        ("Frage zum Branding Ihrer Broschüre", False),
    ],
)
def test_fire_and_smoke_words_need_to_mean_fire_and_smoke(text: str, is_safety: bool) -> None:
    assert ("safety" in kinds(text)) is is_safety
