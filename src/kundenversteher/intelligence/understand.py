"""``understand``: one customer message in, one ``Understanding`` out. Never raises on a str.

Rule-based parts (language, entities, urgency, emotions, PII) run here; intent and sentiment come
from the models in the bundle when present. ``understand_many`` batches the model calls.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from kundenversteher.intelligence.bundle import ModelBundle
from kundenversteher.intelligence.emotions import FALLBACK_VERSION, analyse_emotions
from kundenversteher.intelligence.entities import berlin_today, extract_entities
from kundenversteher.intelligence.language import detect_language
from kundenversteher.intelligence.pii import find_pii
from kundenversteher.intelligence.types import (
    Emotion,
    Entity,
    IntentResult,
    LanguageResult,
    PiiSpan,
    Sentiment,
    SentimentResult,
    Understanding,
    UrgencyLevel,
    UrgencyResult,
)
from kundenversteher.intelligence.urgency import assess_urgency

logger = logging.getLogger(__name__)

UNKNOWN_INTENT = IntentResult(
    intent="unknown", probability=0.0, top=(), unsure=True, out_of_scope=True, model_version=""
)
MODEL_BATCH_SIZE = 64

# Control characters other than tab and newline, and lone surrogates (they break encoders later).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

T = TypeVar("T")


def prepare_text(text: str, *, subject: str | None = None, max_chars: int) -> tuple[str, bool]:
    """Subject and body joined, normalised (NFC, no control characters), truncated."""
    body = text if isinstance(text, str) else str(text)
    if subject and subject.strip():
        body = f"{subject.strip()}\n\n{body}"
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    # Cut before the heavier steps so a 1 MB paste costs no more than max_chars; leave room,
    # because NFC may shorten the text.
    cut_early = len(body) > max_chars + 1000
    if cut_early:
        body = body[: max_chars + 1000]
    body = _CONTROL.sub(" ", body)
    body = unicodedata.normalize("NFC", body)
    truncated = cut_early or len(body) > max_chars
    return body[:max_chars], truncated


@dataclass(frozen=True, slots=True)
class _RuleParts:
    text: str
    truncated: bool
    language: LanguageResult
    entities: tuple[Entity, ...]
    urgency: UrgencyResult
    pii: tuple[PiiSpan, ...]
    emotions: tuple[Emotion, ...]
    fallback_sentiment: SentimentResult
    warnings: tuple[str, ...]


def _guarded(step: str, warnings: list[str], default: T, call: Callable[[], T]) -> T:
    """Run one analysis step; a bug in one step costs that step, not the whole message."""
    try:
        return call()
    except Exception:
        logger.exception("understand: step %s failed", step)
        warnings.append(f"{step}_failed")
        return default


def _rule_parts(
    text: str,
    *,
    subject: str | None,
    prior_contacts: int,
    models: ModelBundle,
    today: date | None,
) -> _RuleParts:
    config = models.config
    warnings: list[str] = []
    prepared, truncated = _guarded(
        "prepare",
        warnings,
        ("", False),
        lambda: prepare_text(text, subject=subject, max_chars=config.max_chars),
    )
    if truncated:
        warnings.append(f"truncated_to_{config.max_chars}_chars")
    if not prepared.strip():
        warnings.append("empty_text")
    reference = today or berlin_today()
    language = _guarded(
        "language",
        warnings,
        LanguageResult(code=config.languages[0] if config.languages else "other", confidence=0.0),
        lambda: detect_language(prepared, languages=config.languages),
    )
    if language.code == "other":
        warnings.append("unsupported_language")
    elif language.confidence < 0.5 and prepared.strip():
        warnings.append("language_uncertain")
    no_entities: tuple[Entity, ...] = ()
    entities = _guarded(
        "entities",
        warnings,
        no_entities,
        lambda: extract_entities(prepared, config=config, today=reference),
    )
    urgency = _guarded(
        "urgency",
        warnings,
        UrgencyResult(level=UrgencyLevel.NORMAL, score=0.2),
        lambda: assess_urgency(
            prepared, entities=entities, prior_contacts=prior_contacts, today=reference
        ),
    )
    neutral = SentimentResult(label=Sentiment.NEUTRAL, score=0.0, model_version=FALLBACK_VERSION)
    analysis = _guarded("emotions", warnings, None, lambda: analyse_emotions(prepared))
    no_pii: tuple[PiiSpan, ...] = ()
    pii = _guarded(
        "pii", warnings, no_pii, lambda: find_pii(prepared, entities=entities, config=config)
    )
    return _RuleParts(
        text=prepared,
        truncated=truncated,
        language=language,
        entities=entities,
        urgency=urgency,
        pii=pii,
        emotions=analysis.emotions if analysis else (),
        fallback_sentiment=analysis.sentiment if analysis else neutral,
        warnings=tuple(warnings),
    )


def _combine_sentiment(parts: _RuleParts, model_result: SentimentResult | None) -> SentimentResult:
    if model_result is None:
        return parts.fallback_sentiment
    # Label and score from the model; emotions from our cues plus whatever the model adds.
    emotions = tuple(dict.fromkeys((*parts.emotions, *model_result.emotions)))
    return SentimentResult(
        label=model_result.label,
        score=model_result.score,
        emotions=emotions,
        model_version=model_result.model_version,
    )


def _predict_chunk(
    predict: Callable[..., Sequence[T]],
    texts: list[str],
    languages: list[str],
    warnings: list[str],
    step: str,
) -> Sequence[T | None]:
    try:
        predicted = list(predict(texts, languages=languages))
        if len(predicted) != len(texts):
            raise ValueError(f"{step} model returned {len(predicted)} for {len(texts)} texts")
        return predicted
    except Exception:
        logger.exception("understand: %s model failed", step)
        warnings.append(f"{step}_model_failed")
        return [None] * len(texts)


def _predict_models(
    models: ModelBundle, texts: list[str], languages: list[str], warnings: list[str]
) -> tuple[list[IntentResult | None], list[SentimentResult | None]]:
    """Both models, chunk by chunk. understand.py never embeds anything itself: each model
    embeds what it needs, and the embedder keeps its last batch. Asking both models about one
    chunk before the next is what lets the second reuse the first one's vectors (all intent
    chunks before all sentiment chunks embedded every text twice: ~1 ms of ~2.3 ms per message).
    Sentiment goes first because the shipped sentiment head embeds every text of the chunk, while
    the intent model's fast stage may embed only the messages it is unsure about: those are rows
    of the sentiment model's batch, not the other way round."""
    intents: list[IntentResult | None] = []
    sentiments: list[SentimentResult | None] = []
    for start in range(0, len(texts), MODEL_BATCH_SIZE):
        chunk = texts[start : start + MODEL_BATCH_SIZE]
        langs = languages[start : start + MODEL_BATCH_SIZE]
        if models.sentiment is not None:
            sentiments.extend(
                _predict_chunk(models.sentiment.predict, chunk, langs, warnings, "sentiment")
            )
        else:
            sentiments.extend([None] * len(chunk))
        if models.intent is not None:
            intents.extend(_predict_chunk(models.intent.predict, chunk, langs, warnings, "intent"))
        else:
            intents.extend([None] * len(chunk))
    return intents, sentiments


def understand_many(
    texts: Sequence[str],
    *,
    subjects: Sequence[str | None] | None = None,
    channel: str | None = None,
    prior_contacts: Sequence[int] | int = 0,
    models: ModelBundle,
    today: date | None = None,
) -> list[Understanding]:
    """``understand`` for many messages; the models see them in batches of ``MODEL_BATCH_SIZE``."""
    n = len(texts)
    subject_list = list(subjects) if subjects is not None else [None] * n
    contacts = [prior_contacts] * n if isinstance(prior_contacts, int) else list(prior_contacts)
    if len(subject_list) != n or len(contacts) != n:
        raise ValueError("subjects and prior_contacts must have one entry per text")
    reference = today or berlin_today()
    parts = [
        _rule_parts(t, subject=s, prior_contacts=c, models=models, today=reference)
        for t, s, c in zip(texts, subject_list, contacts, strict=True)
    ]
    model_texts = [p.text for p in parts]
    languages = [p.language.code for p in parts]
    batch_warnings: list[str] = []
    intents, sentiments = _predict_models(models, model_texts, languages, batch_warnings)
    results = []
    for p, intent, sentiment in zip(parts, intents, sentiments, strict=True):
        warnings = list(p.warnings)
        if models.intent is None:
            warnings.append("no_intent_model")
        elif intent is None:
            warnings.extend(w for w in batch_warnings if w.startswith("intent"))
        if models.sentiment is not None and sentiment is None:
            warnings.extend(w for w in batch_warnings if w.startswith("sentiment"))
        results.append(
            Understanding(
                text=p.text,
                truncated=p.truncated,
                language=p.language,
                intent=intent or UNKNOWN_INTENT,
                sentiment=_combine_sentiment(p, sentiment),
                urgency=p.urgency,
                entities=p.entities,
                pii=p.pii,
                warnings=tuple(dict.fromkeys(warnings)),
            )
        )
    return results


def understand(
    text: str,
    *,
    subject: str | None = None,
    channel: str | None = None,
    prior_contacts: int = 0,
    models: ModelBundle,
    today: date | None = None,
) -> Understanding:
    """Analyse one message (subject and text together). ``channel`` is accepted for the callers'
    convenience and reserved for channel-specific rules; it does not change the result yet.
    ``today`` (default: today in Europe/Berlin) resolves relative dates such as "morgen"."""
    return understand_many(
        [text],
        subjects=[subject],
        channel=channel,
        prior_contacts=prior_contacts,
        models=models,
        today=today,
    )[0]
