"""Training from a labelled CSV into a versioned artefact directory (see artefacts.py).

Every run holds back a stratified share of the data (fixed seed) that the model never sees while
learning; the report's metrics are measured on it and promotion compares models on it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split
from tqdm import tqdm

from kundenversteher.intelligence.artefacts import (
    HeldOut,
    data_hash,
    read_labelled_csv,
    save_artefact,
)
from kundenversteher.intelligence.evaluation import intent_metrics, sentiment_metrics
from kundenversteher.intelligence.features import FeatureSpec
from kundenversteher.intelligence.intents import FAST_SPEC, IntentClassifier, IntentOptions
from kundenversteher.intelligence.sentiment import TENANT_SPEC, SentimentClassifier


@dataclass(frozen=True, slots=True)
class TrainReport:
    kind: str
    out_dir: Path
    version: str
    n_train: int
    n_heldout: int
    labels: tuple[str, ...]
    metrics: dict[str, Any]
    seconds: float

    def as_text(self) -> str:
        lines = [
            f"{self.kind.capitalize()}-Modell {self.version} gespeichert in {self.out_dir}",
            f"  {self.n_train} Trainings- und {self.n_heldout} Testnachrichten, "
            f"{len(self.labels)} Klassen, {self.seconds:.1f} s",
            f"  Testdaten: Genauigkeit {self.metrics['accuracy']:.1%}, "
            f"Makro-F1 {self.metrics['macro_f1']:.3f}",
        ]
        if "coverage" in self.metrics:
            lines.append(
                f"  Automatisierung: Abdeckung {self.metrics['coverage']:.1%} bei Präzision "
                f"{self.metrics['automation_precision']:.1%}"
            )
        per_intent = self.metrics.get("intent_thresholds") or {}
        if per_intent:
            own = sum(1 for t in per_intent.values() if t["source"] == "intent")
            lines.append(
                f"  Schwellen: {own} von {len(per_intent)} Anliegen mit eigener Schwelle, "
                f"übrige global {self.metrics['automation_threshold']:.3f}"
            )
        return "\n".join(lines)


def split_heldout(
    labels: Sequence[str], *, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/held-out row indices; labels seen fewer than 3 times stay in training
    (they could not be both learnt and tested)."""
    counts = Counter(labels)
    rows = np.arange(len(labels))
    rare = rows[[counts[label] < 3 for label in labels]]
    common = rows[[counts[label] >= 3 for label in labels]]
    if len(common) == 0 or len({labels[i] for i in common}) < 2:
        raise ValueError("zu wenige Beispiele: mindestens zwei Klassen mit je 3 Beispielen nötig")
    n_test = max(round(fraction * len(common)), len({labels[i] for i in common}))
    train, test = train_test_split(
        common, test_size=n_test, stratify=[labels[i] for i in common], random_state=seed
    )
    return np.sort(np.concatenate([train, rare])), np.sort(test)


def _pick(values: Sequence[str] | None, rows: np.ndarray) -> list[str] | None:
    return None if values is None else [values[i] for i in rows]


def train_intents(
    csv_path: Path,
    *,
    text_col: str = "text",
    label_col: str = "intent",
    language_col: str | None = None,
    out_dir: Path,
    seed: int = 0,
    progress: bool = True,
    heldout_fraction: float = 0.2,
    cascade: bool = False,
    spec: FeatureSpec = FAST_SPEC,
) -> TrainReport:
    """Train an intent model from ``csv_path`` into the new directory ``out_dir``."""
    started = time.perf_counter()
    steps = tqdm(total=4, desc="Intent-Modell", disable=not progress, unit="Schritt")
    texts, labels, languages = read_labelled_csv(
        csv_path, text_col=text_col, label_col=label_col, language_col=language_col
    )
    train_rows, test_rows = split_heldout(labels, fraction=heldout_fraction, seed=seed)
    steps.update(1)
    model = IntentClassifier(spec=spec, options=IntentOptions(seed=seed, cascade=cascade))
    model.fit(
        [texts[i] for i in train_rows],
        [labels[i] for i in train_rows],
        languages=_pick(languages, train_rows),
    )
    steps.update(1)
    held = HeldOut(
        texts=[texts[i] for i in test_rows],
        labels=[labels[i] for i in test_rows],
        languages=_pick(languages, test_rows),
    )
    metrics = intent_metrics(held.labels, model.predict(held.texts, languages=held.languages))
    steps.update(1)
    summary: dict[str, Any] = {
        **metrics.summary(),
        # Rounded: the embedding encoder's float noise (~1e-9) would otherwise make two runs with
        # the same seed report different thresholds.
        "automation_threshold": round(model.fast_thresholds.automation, 6),
        "out_of_scope_threshold": round(model.fast_thresholds.out_of_scope, 6),
        # Per intent: automation threshold, validation support, precision and coverage; source
        # "global" = too few validation messages, the global threshold applies.
        "intent_thresholds": {
            intent: {**asdict(chosen), "threshold": round(chosen.threshold, 6)}
            for intent, chosen in model.intent_thresholds().items()
        },
        # Stage 1 (TF-IDF only) answers alone from this probability on; > 1: never.
        "stage1_gate": model.quick_gate,
        "stage1_share_heldout": float(
            model.stage1_answers(held.texts, languages=held.languages).mean()
        )
        if held.texts
        else 0.0,
    }
    report = save_artefact(
        model,
        out_dir,
        training_data_sha256=data_hash(zip(texts, labels, strict=True)),
        heldout=held,
        metrics=summary,
        sizes={"train": len(train_rows), "heldout": len(test_rows), "labels": len(model.labels)},
        options={
            "seed": seed,
            "cascade": cascade,
            "heldout_fraction": heldout_fraction,
            "embedders": list(spec.embedders),
            "tfidf": spec.use_tfidf,
        },
    )
    steps.update(1)
    steps.close()
    return TrainReport(
        kind="intent",
        out_dir=out_dir,
        version=str(report["version"]),
        n_train=len(train_rows),
        n_heldout=len(test_rows),
        labels=tuple(model.labels),
        metrics=summary,
        seconds=time.perf_counter() - started,
    )


def train_sentiment(
    csv_path: Path,
    *,
    text_col: str = "text",
    label_col: str = "sentiment",
    language_col: str | None = None,
    out_dir: Path,
    seed: int = 0,
    progress: bool = True,
    heldout_fraction: float = 0.2,
    spec: FeatureSpec = TENANT_SPEC,
) -> TrainReport:
    """Train a sentiment model (labels negative/neutral/positive) into ``out_dir``."""
    started = time.perf_counter()
    steps = tqdm(total=3, desc="Sentiment-Modell", disable=not progress, unit="Schritt")
    texts, labels, languages = read_labelled_csv(
        csv_path, text_col=text_col, label_col=label_col, language_col=language_col
    )
    train_rows, test_rows = split_heldout(labels, fraction=heldout_fraction, seed=seed)
    model = SentimentClassifier(spec=spec, seed=seed).fit(
        [texts[i] for i in train_rows],
        [labels[i] for i in train_rows],
        languages=_pick(languages, train_rows),
    )
    steps.update(1)
    held = HeldOut(
        texts=[texts[i] for i in test_rows],
        labels=[labels[i] for i in test_rows],
        languages=_pick(languages, test_rows),
    )
    metrics = sentiment_metrics(held.labels, model.predict(held.texts, languages=held.languages))
    steps.update(1)
    summary: dict[str, Any] = dict(metrics.summary())
    report = save_artefact(
        model,
        out_dir,
        training_data_sha256=data_hash(zip(texts, labels, strict=True)),
        heldout=held,
        metrics=summary,
        sizes={"train": len(train_rows), "heldout": len(test_rows), "labels": 3},
        options={
            "seed": seed,
            "heldout_fraction": heldout_fraction,
            "embedders": list(spec.embedders),
            "tfidf": spec.use_tfidf,
        },
    )
    steps.update(1)
    steps.close()
    return TrainReport(
        kind="sentiment",
        out_dir=out_dir,
        version=str(report["version"]),
        n_train=len(train_rows),
        n_heldout=len(test_rows),
        labels=("negative", "neutral", "positive"),
        metrics=summary,
        seconds=time.perf_counter() - started,
    )
