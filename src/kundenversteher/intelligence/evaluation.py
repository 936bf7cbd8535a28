"""Evaluation of intent and sentiment models: metrics and readable reports.

``intent_metrics`` / ``sentiment_metrics`` are pure functions over predictions (benchmarks and
training use them); ``evaluate_intents`` / ``evaluate_sentiment`` load an artefact and a CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from kundenversteher.intelligence.artefacts import load_artefact, read_labelled_csv
from kundenversteher.intelligence.types import IntentResult, SentimentResult


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class IntentMetrics:
    n: int
    accuracy: float
    macro_f1: float
    # Automation: messages the model answers on its own (not unsure) — their share and precision.
    coverage: float
    automation_precision: float
    out_of_scope_share: float  # predictions flagged out of scope
    per_intent: dict[str, ClassMetrics]
    confusion_pairs: tuple[
        tuple[str, str, int], ...
    ]  # (true, predicted, count), most frequent first
    cascade_share: float = 0.0  # messages the heavier model answered

    def summary(self) -> dict[str, float]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "coverage": self.coverage,
            "automation_precision": self.automation_precision,
        }


@dataclass(frozen=True, slots=True)
class SentimentMetrics:
    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, ClassMetrics]

    def summary(self) -> dict[str, float]:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1}


def _per_class(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, ClassMetrics]:
    labels = sorted(set(truth))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0.0)
    return {
        label: ClassMetrics(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
        for i, label in enumerate(labels)
    }


def intent_metrics(truth: Sequence[str], results: Sequence[IntentResult]) -> IntentMetrics:
    if len(truth) != len(results) or not truth:
        raise ValueError("need one prediction per true label, and at least one")
    predicted = [r.intent for r in results]
    answered = [i for i, r in enumerate(results) if not r.unsure]
    answered_correct = sum(1 for i in answered if predicted[i] == truth[i])
    pairs = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    labels = sorted(set(truth))
    return IntentMetrics(
        n=len(truth),
        accuracy=float(accuracy_score(truth, predicted)),
        # Macro-F1 over the true labels, so a label that is never predicted counts as 0.
        macro_f1=float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0.0)
        ),
        coverage=len(answered) / len(truth),
        automation_precision=answered_correct / len(answered) if answered else 0.0,
        out_of_scope_share=sum(r.out_of_scope for r in results) / len(results),
        per_intent=_per_class(truth, predicted),
        confusion_pairs=tuple((t, p, c) for (t, p), c in pairs.most_common(10)),
        cascade_share=sum(r.path == "cascade" for r in results) / len(results),
    )


def sentiment_metrics(truth: Sequence[str], results: Sequence[SentimentResult]) -> SentimentMetrics:
    if len(truth) != len(results) or not truth:
        raise ValueError("need one prediction per true label, and at least one")
    predicted = [r.label.value for r in results]
    labels = sorted(set(truth))
    return SentimentMetrics(
        n=len(truth),
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0.0)
        ),
        per_label=_per_class(truth, predicted),
    )


@dataclass(frozen=True, slots=True)
class EvalReport:
    kind: str  # "intent" or "sentiment"
    model_version: str
    data: str
    metrics: IntentMetrics | SentimentMetrics

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model_version": self.model_version,
            "data": self.data,
            "metrics": asdict(self.metrics),
        }

    def as_text(self) -> str:
        m = self.metrics
        lines = [
            f"Modell {self.model_version} ({self.kind}) auf {self.data}: {m.n} Nachrichten",
            f"  Genauigkeit {m.accuracy:.1%}   Makro-F1 {m.macro_f1:.3f}",
        ]
        per_class = m.per_intent if isinstance(m, IntentMetrics) else m.per_label
        if isinstance(m, IntentMetrics):
            lines.append(
                f"  Automatisierung: Abdeckung {m.coverage:.1%}, "
                f"Präzision {m.automation_precision:.1%}"
                f", außerhalb des Themenbereichs {m.out_of_scope_share:.1%}"
            )
        lines.append(f"  {'Klasse':<32} {'Präz.':>6} {'Recall':>6} {'F1':>6} {'Anzahl':>6}")
        lines.extend(
            f"  {label:<32} {c.precision:6.2f} {c.recall:6.2f} {c.f1:6.2f} {c.support:6d}"
            for label, c in sorted(per_class.items())
        )
        if isinstance(m, IntentMetrics) and m.confusion_pairs:
            lines.append("  Häufigste Verwechslungen (richtig → vorhergesagt):")
            lines.extend(f"    {t} → {p}: {c}" for t, p, c in m.confusion_pairs)
        return "\n".join(lines)


def evaluate_intents(
    model_dir: Path,
    csv_path: Path,
    *,
    text_col: str = "text",
    label_col: str = "intent",
    language_col: str | None = None,
) -> EvalReport:
    model, report = load_artefact(model_dir, kind="intent")
    texts, labels, languages = read_labelled_csv(
        csv_path, text_col=text_col, label_col=label_col, language_col=language_col
    )
    results = model.predict(texts, languages=languages)
    return EvalReport(
        kind="intent",
        model_version=str(report["version"]),
        data=str(csv_path),
        metrics=intent_metrics(labels, results),
    )


def evaluate_sentiment(
    model_dir: Path,
    csv_path: Path,
    *,
    text_col: str = "text",
    label_col: str = "sentiment",
    language_col: str | None = None,
) -> EvalReport:
    model, report = load_artefact(model_dir, kind="sentiment")
    texts, labels, languages = read_labelled_csv(
        csv_path, text_col=text_col, label_col=label_col, language_col=language_col
    )
    results = model.predict(texts, languages=languages)
    return EvalReport(
        kind="sentiment",
        model_version=str(report["version"]),
        data=str(csv_path),
        metrics=sentiment_metrics(labels, results),
    )
