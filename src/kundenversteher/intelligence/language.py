"""Language identification: "de", "en" or "other", with confidence and a ``mixed`` flag.

Chosen: py3langid over lingua. Measured here (CPU time, best of 5, shared 2-core machine) on the
first 400 characters of a German service mail: py3langid 0.24 ms, lingua 2.1.1 with 18 languages
0.83 ms (0.62 ms in low-accuracy mode); lingua also calls "ok" Polish with high confidence.
py3langid's model loads once (~0.7 s), lazily on first use, never at import, and is configured on
our own ``LanguageIdentifier`` instance rather than py3langid's module-global one. It is
restricted to languages customers of a German company plausibly write in, so that "other" is a
real answer for French, Turkish or Polish mail while noise languages (Latin, Volapük …) cannot win
on short texts. Accuracy: see benchmarks/bench_entities.py (support tickets in 5 languages).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from kundenversteher.intelligence.types import LanguageResult

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Languages py3langid may answer with. Everything outside the configured ones is reported "other".
CANDIDATE_LANGUAGES: tuple[str, ...] = (
    "de", "en", "fr", "it", "es", "pt", "nl", "pl", "cs", "sk", "hu", "ro", "hr", "sl", "sr",
    "bg", "ru", "uk", "tr", "ar", "fa", "el", "da", "sv", "no", "fi", "lt", "lv", "et", "sq",
    "zh", "ja", "ko", "vi",
)  # fmt: skip

MIN_CONFIDENT_LETTERS = 12  # below this many letters the guess is weak ("ok", "Danke!", "👍")
_LOW_CONFIDENCE = 0.3
SAMPLE_CHARS = 300  # same ticket accuracy as 400 and 200 (bench_entities), 25 % cheaper than 400
MAX_MIXED_SEGMENTS = 8

_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None
_GERMAN_WORDS = re.compile(
    r"\b(?:ich|und|nicht|ist|bitte|Sie|mit|meine[nm]?|noch|wir|das|die|der|leider|habe)\b"
)
_ENGLISH_WORDS = re.compile(
    r"\b(?:I|the|and|is|not|please|you|with|my|have|still|we|this|was|thanks)\b"
)
_SEGMENTS = re.compile(r"[^\n.!?,;]+")


def _get_identifier() -> LanguageIdentifier:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                # Imported here: py3langid pulls in numpy, which importing this package must not.
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(CANDIDATE_LANGUAGES))
                _widen_table(identifier)
                _identifier = identifier
    return _identifier


def _widen_table(identifier: LanguageIdentifier) -> None:
    """Store the restricted feature table as contiguous float32 (+7 MB).

    ``set_languages`` leaves a float16 column selection; every classification gathers rows of it
    and numpy converts them to float32 for the product anyway. Converting once up front gives the
    same scores bit for bit (float16 → float32 is exact) and saves ~15 µs per call (~25 % of
    py3langid's time on a 300-character sample). Guarded, so another py3langid layout is left
    as it is."""
    import numpy as np  # see _get_identifier

    table = getattr(identifier, "nb_ptc", None)
    if isinstance(table, np.ndarray) and table.ndim == 2 and table.dtype == np.float16:
        identifier.nb_ptc = np.ascontiguousarray(table, dtype=np.float32)


def warm_up() -> None:
    """Load the model now (a worker calls this at start-up so the first message is not slow)."""
    _get_identifier()


def _letters(text: str, *, enough: int = 1_000_000) -> int:
    """Alphabetic characters in ``text``, counting stops at ``enough``. Counted chunk by chunk
    with ``map(str.isalpha, …)`` in C: a Python loop per character cost ~8 µs per message."""
    count = 0
    chunk = max(enough, 64)
    for begin in range(0, len(text), chunk):
        count += sum(map(str.isalpha, text[begin : begin + chunk]))
        if count >= enough:
            return enough
    return count


def _classify(text: str) -> tuple[str, float]:
    # All-caps shouting is rare in the training data; lower-case keeps the n-grams familiar.
    sample = text.lower() if text.isupper() else text
    code, probability = _get_identifier().classify(sample)
    return str(code), float(probability)


def detect_language(
    text: str, *, languages: tuple[str, ...] = ("de", "en"), default: str | None = None
) -> LanguageResult:
    """Identify the language of ``text``; short or letter-free text gets ``default`` with low
    confidence (the tenant's first language unless told otherwise)."""
    fallback = default or (languages[0] if languages else "other")
    letters = _letters(text, enough=3 * MIN_CONFIDENT_LETTERS)
    if letters == 0:
        return LanguageResult(code=fallback, confidence=0.0)
    # The first 300 characters decide: py3langid walks bytes in pure Python, and quoted history
    # and signatures further down add noise rather than evidence.
    code, probability = _classify(text[:SAMPLE_CHARS])
    if letters < MIN_CONFIDENT_LETTERS:
        # A short German "Danke!" scores only ~0.3; keep a configured guess, cap its confidence.
        if code in languages:
            return LanguageResult(code=code, confidence=min(probability, _LOW_CONFIDENCE))
        return LanguageResult(code=fallback, confidence=min(probability, _LOW_CONFIDENCE) / 2)
    if code not in languages and probability < 0.5 and letters < 3 * MIN_CONFIDENT_LETTERS:
        # "DANKE!!! SUPER SERVICE": too little text to call it a foreign language.
        return LanguageResult(code=fallback, confidence=round(probability / 2, 4))
    result_code = code if code in languages else "other"
    # Sentence-level checks cost a second pass; pay it only when common function words of both
    # German and English occur.
    mixed = _maybe_mixed(text) and _is_mixed(text[:SAMPLE_CHARS], languages)
    return LanguageResult(code=result_code, confidence=round(probability, 4), mixed=mixed)


def _maybe_mixed(text: str) -> bool:
    sample = text[:SAMPLE_CHARS]
    german, english = len(_GERMAN_WORDS.findall(sample)), len(_ENGLISH_WORDS.findall(sample))
    return german >= 1 and english >= 1 and german + english >= 3


def _is_mixed(text: str, languages: tuple[str, ...]) -> bool:
    """True when sentences in two different configured languages each carry real text."""
    seen: set[str] = set()
    checked = 0
    for segment in _SEGMENTS.findall(text):
        if _letters(segment) < 12:
            continue
        checked += 1
        if checked > MAX_MIXED_SEGMENTS:  # each check costs a classifier call
            break
        code, probability = _classify(segment)
        if code in languages and probability >= 0.9:
            seen.add(code)
            if len(seen) > 1:
                return True
    return False


def detect_languages(
    texts: list[str], *, languages: tuple[str, ...] = ("de", "en")
) -> list[LanguageResult]:
    return [detect_language(t, languages=languages) for t in texts]
