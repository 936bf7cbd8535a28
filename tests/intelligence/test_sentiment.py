from __future__ import annotations

import pytest

from kundenversteher.intelligence.sentiment import (
    LABELS,
    SentimentClassifier,
    default_sentiment_model,
    seed_examples,
)
from kundenversteher.intelligence.types import Sentiment


def test_seed_set_has_all_three_labels_in_german_and_english() -> None:
    texts, labels, languages = seed_examples()

    assert len(texts) >= 250
    assert {(label, lang) for label, lang in zip(labels, languages, strict=True)} == {
        (label, lang) for label in LABELS for lang in ("de", "en")
    }


def test_default_model_reads_clear_messages_it_was_not_trained_on() -> None:
    messages = {
        "Unverschämt, mein Gerät ist nach einer Woche schon wieder defekt!": Sentiment.NEGATIVE,
        "Ich warte jetzt seit vier Wochen und keiner meldet sich, absolut enttäuschend.": (
            Sentiment.NEGATIVE
        ),
        "Können Sie mir sagen, welche Filter ich für Modell WP 8 brauche?": Sentiment.NEUTRAL,
        "Tausend Dank, die Monteure waren großartig und sehr ordentlich.": Sentiment.POSITIVE,
        "Absolutely brilliant support, thank you so much!": Sentiment.POSITIVE,
        "This is unacceptable, my heater failed again.": Sentiment.NEGATIVE,
    }

    results = default_sentiment_model().predict(list(messages))

    assert [r.label for r in results] == list(messages.values())


def test_score_is_in_range_and_its_sign_follows_the_label() -> None:
    results = default_sentiment_model().predict(
        ["Ganz toll gemacht, danke!", "Das ist eine Katastrophe, ich bin wütend."]
    )

    assert results[0].label == Sentiment.POSITIVE
    assert 0.0 < results[0].score <= 1.0
    assert results[1].label == Sentiment.NEGATIVE
    assert -1.0 <= results[1].score < 0.0
    assert results[0].model_version.startswith("seed-")


def test_default_model_is_built_once_per_process() -> None:
    assert default_sentiment_model() is default_sentiment_model()


def test_unknown_labels_are_rejected() -> None:
    with pytest.raises(ValueError, match="Unbekannte Sentiment-Labels"):
        SentimentClassifier().fit(["gut", "schlecht"], ["good", "bad"])
