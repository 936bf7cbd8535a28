from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenversteher.intelligence import understand
from kundenversteher.intelligence.types import UrgencyLevel
from tests.intelligence.factories import TODAY, make_bundle

BUNDLE = make_bundle(max_chars=2_000)


def check_spans(text: str) -> None:
    result = understand(text, models=BUNDLE, today=TODAY)
    # understand() swallows a failing step; for the property, a swallowed failure is a bug.
    assert [w for w in result.warnings if w.endswith("_failed")] == []
    analysed = result.text
    assert len(analysed) <= 2_000
    for entity in result.entities:
        assert 0 <= entity.start < entity.end <= len(analysed)
        assert analysed[entity.start : entity.end] == entity.text
    for span in result.pii:
        assert 0 <= span.start < span.end <= len(analysed)
    for cue in result.urgency.cues:
        assert 0 <= cue.start <= cue.end <= len(analysed)
        assert analysed[cue.start : cue.end] == cue.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_understand_never_raises_and_spans_are_valid_on_arbitrary_text(text: str) -> None:
    check_spans(text)


CUSTOMER_ALPHABET = st.sampled_from(
    [*"abcdeäöüß KD-0123456789.,€@+()/\n!?#", "Bestellung ", "RE-", "DE89 ", "Herr "]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CUSTOMER_ALPHABET, max_size=120).map("".join))
def test_understand_spans_are_valid_on_entity_like_text(text: str) -> None:
    check_spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02\x1b[31mrot\x7f",
        "\ud800\udfff kaputt",
        "😀😡🔥" * 20,
        "\ufeffBOM am Anfang",
        "HILFE!!! DIE HEIZUNG IST AUS!!! SOFORT KOMMEN!!!",
        "Hello, my heat pump ist kaputt, please sofort help, danke",
        "Bonjour, ma pompe à chaleur ne fonctionne plus.",
        "日本語のテキストです",
        bytes(range(256)).decode("latin-1"),
    ],
)
def test_understand_handles_awkward_input(text: str) -> None:
    check_spans(text)


def test_one_megabyte_is_truncated_with_a_warning() -> None:
    text = "Meine Heizung ist ausgefallen. " * 35_000
    result = understand(text, models=BUNDLE, today=TODAY)
    assert result.truncated is True
    assert len(result.text) == 2_000
    assert "truncated_to_2000_chars" in result.warnings


def test_control_characters_are_removed_from_the_analysed_text() -> None:
    result = understand("a\x00b\x07c\nd", models=BUNDLE, today=TODAY)
    assert result.text == "a b c\nd"


def test_empty_text_is_neutral_normal_and_warned() -> None:
    result = understand("", models=BUNDLE, today=TODAY)
    assert result.urgency.level == UrgencyLevel.NORMAL
    assert result.entities == ()
    assert "empty_text" in result.warnings


def test_unsupported_language_is_warned() -> None:
    result = understand(
        "Dzień dobry, moja pompa ciepła nie działa od wczoraj.", models=BUNDLE, today=TODAY
    )
    assert result.language.code == "other"
    assert "unsupported_language" in result.warnings


@pytest.mark.parametrize(
    "text",
    [
        "\n" * 20_000,
        " \n" * 10_000,
        "#1234 " * 3_000,
        "a@b.de " * 2_500,
        "DE89 " * 4_000,
        "Herr Müller\n" * 1_500,
        "Mit freundlichen Grüßen\n" * 800,
        "x" * 20_000,
    ],
    ids=["newlines", "blank-lines", "hashes", "emails", "iban-prefixes", "titles", "closings", "x"],
)
def test_pathological_input_stays_fast(text: str) -> None:
    # Guards against quadratic regexes and overlap checks (a blank-line run once took 160 s).
    bundle = make_bundle(max_chars=20_000)
    understand("warm up", models=bundle)
    start = time.thread_time()
    understand(text, models=bundle, today=TODAY)
    assert time.thread_time() - start < 2.0


def test_text_that_fits_after_normalisation_is_not_truncated() -> None:
    # 1,500 decomposed "ä" (a + combining diaeresis) are 3,000 code points before NFC, 1,500 after.
    result = understand("a\u0308" * 1_500, models=BUNDLE, today=TODAY)
    assert (result.truncated, len(result.text)) == (False, 1_500)
