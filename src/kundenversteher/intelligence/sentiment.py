"""Sentiment (negative / neutral / positive, score in [-1, 1]) as a logistic head on multilingual
sentence embeddings.

The shipped default is trained on first use from ``data/sentiment_seed.csv``: a few hundred German
and English customer-service sentences written for this project (no NC lexicon, no tweets; see
docs/models.md). Training takes well under a second after the encoder has loaded and is
deterministic, so no binary artefact has to be shipped or kept compatible. Tenants retrain on their
own labelled messages or survey answers (``kundenversteher train sentiment``); with in-language
data TF-IDF features can be switched on as well.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from kundenversteher.intelligence.embeddings import FloatMatrix
from kundenversteher.intelligence.features import FeatureSpec, TextFeaturizer
from kundenversteher.intelligence.types import Sentiment, SentimentResult

SEED_SPEC = FeatureSpec(use_tfidf=False, embedders=("use",))
# Tenant data is in the tenant's own language(s): n-grams help there (SB10k: +0.17 macro-F1).
TENANT_SPEC = FeatureSpec(use_tfidf=True, embedders=("use",))
LABELS = tuple(s.value for s in Sentiment)


@dataclass
class SentimentClassifier:
    """Implements ``bundle.SentimentModel``."""

    spec: FeatureSpec = field(default_factory=lambda: SEED_SPEC)
    c: float = 1.0
    seed: int = 0
    version: str = ""
    featurizer: TextFeaturizer | None = field(default=None, repr=False)
    model: LogisticRegression | None = field(default=None, repr=False)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
    ) -> SentimentClassifier:
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"Unbekannte Sentiment-Labels {unknown}; erlaubt: {list(LABELS)}")
        self.featurizer = TextFeaturizer(self.spec)
        self.featurizer.fit(texts, languages=languages)
        x = self.featurizer.transform(texts, languages=languages, embeddings=embeddings)
        # Balanced weights: real messages are mostly neutral, and missing the angry ones costs most.
        self.model = LogisticRegression(
            C=self.c, class_weight="balanced", max_iter=2000, random_state=self.seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(x, list(labels))
        return self

    def predict_proba(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
    ) -> np.ndarray:
        """Probabilities with columns in ``LABELS`` order (negative, neutral, positive)."""
        if self.featurizer is None or self.model is None:
            raise RuntimeError("SentimentClassifier.fit() must run before predict()")
        x = self.featurizer.transform(texts, languages=languages, embeddings=embeddings)
        probs = self.model.predict_proba(x)
        order = [list(self.model.classes_).index(label) for label in LABELS]
        return np.asarray(probs[:, order], dtype=np.float64)

    def predict(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
    ) -> list[SentimentResult]:
        if not texts:
            return []
        probs = self.predict_proba(texts, languages=languages, embeddings=embeddings)
        return [
            SentimentResult(
                label=Sentiment(LABELS[int(np.argmax(p))]),
                score=float(np.clip(p[2] - p[0], -1.0, 1.0)),
                model_version=self.version,
            )
            for p in probs
        ]


def seed_examples() -> tuple[list[str], list[str], list[str]]:
    """The committed seed sentences: (texts, labels, languages)."""
    source = resources.files("kundenversteher.intelligence") / "data" / "sentiment_seed.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    return [r["text"] for r in rows], [r["label"] for r in rows], [r["language"] for r in rows]


@functools.cache
def default_sentiment_model() -> SentimentClassifier:
    """The shipped default, trained once per process from the seed sentences."""
    texts, labels, _languages = seed_examples()
    digest = hashlib.sha256(
        "\n".join(f"{t}\t{lbl}" for t, lbl in zip(texts, labels, strict=True)).encode()
    ).hexdigest()[:8]
    # Languages are not passed: the seed model must transfer to any language USE knows.
    return SentimentClassifier(version=f"seed-{digest}").fit(texts, labels)
