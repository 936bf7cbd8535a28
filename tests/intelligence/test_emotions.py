from __future__ import annotations

import pytest

from kundenversteher.intelligence.emotions import analyse_emotions, fallback_sentiment
from kundenversteher.intelligence.types import Emotion, Sentiment


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("Das ist eine Frechheit und eine Zumutung!", Emotion.ANGER),
        ("This is outrageous and unacceptable.", Emotion.ANGER),
        ("Ich bin sehr enttäuscht von Ihrem Service.", Emotion.FRUSTRATION),
        ("I am really disappointed, still no reply.", Emotion.FRUSTRATION),
        ("Ich mache mir große Sorgen um die Anlage.", Emotion.WORRY),
        ("I am worried the pipes will freeze.", Emotion.WORRY),
        ("Vielen Dank für die schnelle Hilfe!", Emotion.GRATITUDE),
        ("Thank you so much for your help.", Emotion.GRATITUDE),
    ],
)
def test_emotions_are_found_in_german_and_english(text: str, emotion: Emotion) -> None:
    assert emotion in analyse_emotions(text).emotions


def test_negated_praise_is_frustration() -> None:
    result = analyse_emotions("Ich bin nicht zufrieden mit der Reparatur.")
    assert result.emotions == (Emotion.FRUSTRATION,)
    assert result.sentiment.label == Sentiment.NEGATIVE


def test_negated_worry_is_cancelled() -> None:
    assert analyse_emotions("Keine Sorge, alles gut.").emotions == ()


def test_thanks_in_advance_is_a_formula_not_gratitude() -> None:
    assert Emotion.GRATITUDE not in analyse_emotions("Danke im Voraus für Ihre Antwort.").emotions


def test_closing_formula_is_not_praise() -> None:
    result = analyse_emotions("Bitte um Rückruf.\n\nMit freundlichen Grüßen\nAnna")
    assert result.sentiment.label == Sentiment.NEUTRAL


def test_shouting_and_exclamation_marks_intensify() -> None:
    calm = analyse_emotions("Das ist eine Frechheit.").scores[Emotion.ANGER]
    loud = analyse_emotions("DAS IST EINE FRECHHEIT!!!").scores[Emotion.ANGER]
    assert loud > calm


def test_intensifier_raises_the_weight() -> None:
    plain = analyse_emotions("Ich bin enttäuscht.").scores[Emotion.FRUSTRATION]
    strong = analyse_emotions("Ich bin sehr enttäuscht.").scores[Emotion.FRUSTRATION]
    assert strong == pytest.approx(plain * 1.5)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Super Service, vielen Dank, ich bin sehr zufrieden!", Sentiment.POSITIVE),
        ("Great service, thank you!", Sentiment.POSITIVE),
        ("Wann kommt der Techniker?", Sentiment.NEUTRAL),
        ("Unverschämt, schon wieder kaputt, ich bin wütend!", Sentiment.NEGATIVE),
        ("Terrible service, I am furious.", Sentiment.NEGATIVE),
    ],
)
def test_fallback_sentiment_labels(text: str, label: Sentiment) -> None:
    result = fallback_sentiment(text)
    assert result.label == label
    assert result.model_version == "rules-1"
    assert -1.0 <= result.score <= 1.0


def test_thanks_as_part_of_the_closing_is_not_gratitude() -> None:
    result = analyse_emotions("Die Heizung ist schon wieder kaputt.\nDanke und viele Grüße")
    assert Emotion.GRATITUDE not in result.emotions


@pytest.mark.parametrize(
    "text",
    [
        "Ich habe ein Problem mit meinem Passwort, bitte um Hilfe.",
        "Please help, the display shows an error.",
        "Das Gerät ist defekt, bitte Termin für Reparatur.",
    ],
)
def test_plain_service_requests_are_neutral(text: str) -> None:
    result = analyse_emotions(text)
    assert result.sentiment.label == Sentiment.NEUTRAL
    assert result.emotions == ()


def test_strong_worry_words_keep_their_full_weight() -> None:
    assert analyse_emotions("Ich mache mir Sorgen.").scores[Emotion.WORRY] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Top, hat alles geklappt 👍", Sentiment.POSITIVE),
        ("Läuft wieder :-)", Sentiment.POSITIVE),
        ("Schon wieder kein Warmwasser 😡", Sentiment.NEGATIVE),
        ("Echt schlimm, ich hasse das", Sentiment.NEGATIVE),
    ],
)
def test_emoji_emoticons_and_everyday_words_count(text: str, label: Sentiment) -> None:
    assert fallback_sentiment(text).label == label


def test_salutation_liebe_is_not_praise() -> None:
    assert fallback_sentiment("Liebe Frau Meier,\nbitte um Rückruf.\nLiebe Grüße").label == (
        Sentiment.NEUTRAL
    )


@pytest.mark.parametrize(
    ("text", "positive", "negative"),
    [
        ("Grüße aus Köln 👍👍", 1.4, 0.0),  # non-ASCII, emoji, no colon
        ("Grüße aus Köln 😞", 0.0, 0.7),
        ("Köln :-( und ;-)", 0.7, 0.7),  # umlauts and emoticons
        ("Grüße aus Köln", 0.0, 0.0),  # non-ASCII without any symbol
    ],
)
def test_symbols_are_scored_whatever_else_the_text_contains(
    text: str, positive: float, negative: float
) -> None:
    scores = analyse_emotions(text).scores
    assert round(scores.get("positive", 0.0), 3) == round(positive, 3)
    assert round(scores.get("negative", 0.0), 3) == round(negative, 3)
