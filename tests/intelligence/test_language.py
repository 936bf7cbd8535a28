from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenversteher.intelligence import language
from kundenversteher.intelligence.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Meine Heizung ist seit gestern ausgefallen, bitte kommen Sie schnell vorbei.", "de"),
        ("Wo bleibt meine Bestellung? Ich warte schon seit zwei Wochen.", "de"),
        ("My heat pump has not been working since yesterday, please help.", "en"),
        ("Could you send me a copy of my last invoice, please?", "en"),
        ("MEINE HEIZUNG GEHT NICHT!!! SOFORT KOMMEN, WIR FRIEREN", "de"),
    ],
)
def test_german_and_english_are_recognised(text: str, code: str) -> None:
    result = detect_language(text)
    assert result.code == code
    assert result.confidence > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, ma pompe à chaleur ne fonctionne plus depuis hier, pouvez-vous m'aider ?",
        "Merhaba, ısı pompam dünden beri çalışmıyor, lütfen yardım edin.",
        "Dzień dobry, moja pompa ciepła nie działa od wczoraj, proszę o pomoc.",
    ],
)
def test_french_turkish_and_polish_are_other(text: str) -> None:
    assert detect_language(text).code == "other"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "12345 !!!"])
def test_text_without_letters_gets_the_default_with_zero_confidence(text: str) -> None:
    result = detect_language(text)
    assert (result.code, result.confidence, result.mixed) == ("de", 0.0, False)


@pytest.mark.parametrize("text", ["ok", "Danke!", "DANKE!!! SUPER SERVICE"])
def test_very_short_text_has_low_confidence_and_a_configured_language(text: str) -> None:
    result = detect_language(text)
    assert result.code in ("de", "en")
    assert result.confidence <= 0.3


def test_default_language_follows_the_configuration() -> None:
    assert detect_language("👍", languages=("en", "de")).code == "en"


def test_german_and_english_sentences_in_one_mail_are_mixed() -> None:
    text = (
        "Hello, I ordered a spare part last week. Leider ist die Lieferung noch nicht "
        "angekommen, können Sie bitte nachsehen?"
    )
    assert detect_language(text).mixed is True


def test_plain_german_mail_is_not_mixed() -> None:
    text = "Hallo, ich habe ein Problem mit dem Update. Das Display zeigt Error E42 an."
    assert detect_language(text).mixed is False


def test_widened_feature_table_gives_the_library_scores_bit_for_bit() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    plain = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    plain.set_languages(list(language.CANDIDATE_LANGUAGES))
    ours = language._get_identifier()
    assert str(ours.nb_ptc.dtype) == "float32"
    samples = [
        "Meine Wärmepumpe zeigt seit gestern den Fehler E42, bitte um Rückruf.",
        "Where is my card? I ordered it two weeks ago.",
        "Bonjour, ma facture est fausse.",
        "ok",
    ]
    assert [ours.classify(t) for t in samples] == [plain.classify(t) for t in samples]


@given(st.text(max_size=400), st.sampled_from([1, 12, 36, 64, 65, 1_000_000]))
@settings(max_examples=300, deadline=None)
def test_letter_count_stops_at_enough(text: str, enough: int) -> None:
    assert language._letters(text, enough=enough) == min(
        sum(1 for char in text if char.isalpha()), enough
    )
