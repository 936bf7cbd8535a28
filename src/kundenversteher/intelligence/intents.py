"""Intent classification: a calibrated linear model on TF-IDF ⊕ sentence embeddings, with an
automation threshold, an out-of-scope decision and an optional heavier second stage (cascade).

Why this shape (measured in MODELS.md and benchmarks/understanding.py):
- LinearSVC on [TF-IDF word 1–2 + char_wb 2–5 ⊕ USE] is the best accuracy/speed trade-off on one
  core; TF-IDF alone is the fast baseline.
- SVM margins are not probabilities: a single temperature fitted on validation data turns them into
  calibrated softmax probabilities (one parameter, so it cannot overfit small tenants' data and it
  keeps the ranking of the SVM).
- "Unsure" and "out of scope" are thresholds on that probability, chosen on validation data: the
  automation threshold for a target precision, the out-of-scope threshold so that at most 2 % of
  out-of-scope validation messages would still be answered.
- The cascade re-asks a heavier model (TF-IDF ⊕ USE ⊕ e5) only for unsure messages, so the average
  cost stays close to the fast path.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import sklearn
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from kundenversteher.intelligence.embeddings import FloatMatrix
from kundenversteher.intelligence.features import FeatureSpec, TextFeaturizer
from kundenversteher.intelligence.types import IntentResult, IntentScore

FloatArray = npt.NDArray[np.float64]

# Embedding weight 1.5 and C 0.5: best of a 2x2 grid (weight 1.0/1.5, C 0.5/1.0) on Banking77 —
# all four within 0.35 points, so the choice is not critical.
FAST_SPEC = FeatureSpec(use_tfidf=True, embedders=("use",), embedding_weight=1.5)
HEAVY_SPEC = FeatureSpec(use_tfidf=True, embedders=("use", "e5"), embedding_weight=1.5)
TFIDF_SPEC = FeatureSpec(use_tfidf=True, embedders=())


@dataclass(frozen=True, slots=True)
class IntentOptions:
    seed: int = 0
    c: float = 0.5  # LinearSVC regularisation
    target_precision: float = 0.95  # of automatically handled messages, on validation data
    max_oos_answered: float = 0.02  # share of out-of-scope validation messages still answered
    # Without out-of-scope examples: flag as out of scope what is less sure than the least sure
    # 2 % of correctly classified validation messages.
    oos_quantile_without_oos_data: float = 0.02
    calibration_fraction: float = 0.15  # carved from training data when no validation is given
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class Validation:
    texts: Sequence[str]
    labels: Sequence[str]
    languages: Sequence[str] | None = None
    embeddings: dict[str, FloatMatrix] | None = None


@dataclass
class _Stage:
    """One featurizer + LinearSVC + softmax temperature."""

    spec: FeatureSpec
    c: float
    seed: int
    featurizer: TextFeaturizer = field(init=False)
    svc: LinearSVC = field(init=False)
    temperature: float = 1.0

    def __post_init__(self) -> None:
        self.featurizer = TextFeaturizer(self.spec)

    @property
    def labels(self) -> npt.NDArray[np.str_]:
        return np.asarray(self.svc.classes_)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
    ) -> None:
        self.featurizer = TextFeaturizer(self.spec)
        self.featurizer.fit(texts, languages=languages)
        x = self.featurizer.transform(texts, languages=languages, embeddings=embeddings)
        self.__dict__.pop("_weight_cache", None)
        self.svc = LinearSVC(C=self.c, random_state=self.seed, max_iter=5000)
        with warnings.catch_warnings():
            # A few hard tenants' data sets do not converge fully; the margins are still useful
            # and the thresholds below are chosen on what the model actually does.
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.svc.fit(x, list(labels))

    def margins(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
    ) -> FloatArray:
        # Skipping scikit-learn's input validation: the matrix is our own, and validation was
        # half of the single-message latency.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            tfidf, dense = self.featurizer.parts(texts, languages=languages, embeddings=embeddings)
        # The blocks are multiplied separately: building one sparse matrix from the dense
        # embedding costs more than the product itself.
        w_sparse, w_dense = self._weights(0 if tfidf is None else tfidf.shape[1])
        scores = np.tile(np.asarray(self.svc.intercept_, dtype=np.float64), (len(texts), 1))
        if tfidf is not None:
            scores += np.asarray(tfidf @ w_sparse)
        if dense is not None:
            scores += dense.astype(np.float64) @ w_dense
        if scores.ndim == 1:  # binary problem: sklearn returns the positive class margin only
            scores = np.column_stack([-scores, scores])
        return scores

    def _weights(self, n_sparse: int) -> tuple[FloatArray, FloatArray]:
        """Contiguous transposed weight blocks, built once (slicing per call copied 60 MB)."""
        cached = self.__dict__.get("_weight_cache")
        if cached is None or cached[0] != n_sparse:
            coef = np.asarray(self.svc.coef_, dtype=np.float64)
            cached = (
                n_sparse,
                np.ascontiguousarray(coef[:, :n_sparse].T),
                np.ascontiguousarray(coef[:, n_sparse:].T),
            )
            self.__dict__["_weight_cache"] = cached
        return cached[1], cached[2]

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_weight_cache", None)  # derived; keeps artefacts small
        return state

    def probabilities(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
    ) -> FloatArray:
        margins = self.margins(texts, languages=languages, embeddings=embeddings)
        return np.asarray(softmax(margins / self.temperature, axis=1), dtype=np.float64)

    def calibrate(self, margins: FloatArray, labels: Sequence[str]) -> None:
        index = {label: i for i, label in enumerate(self.labels)}
        rows = [i for i, label in enumerate(labels) if label in index]
        if not rows:
            return
        targets = np.array([index[labels[i]] for i in rows])
        m = margins[rows]

        def nll(log_t: float) -> float:
            logp = log_softmax(m / math.exp(log_t), axis=1)
            return float(-logp[np.arange(len(targets)), targets].mean())

        best = minimize_scalar(nll, bounds=(math.log(1e-3), math.log(100.0)), method="bounded")
        self.temperature = float(math.exp(best.x))


@dataclass
class _Thresholds:
    automation: float = 0.0  # below: unsure (a person should look)
    out_of_scope: float = 0.0  # below: none of the known intents


def _choose_thresholds(
    probabilities: FloatArray,
    stage_labels: npt.NDArray[np.str_],
    labels: Sequence[str],
    *,
    options: IntentOptions,
) -> _Thresholds:
    known = set(stage_labels.tolist())
    best = probabilities.max(axis=1)
    predicted = stage_labels[probabilities.argmax(axis=1)]
    in_scope = np.array([label in known for label in labels])
    correct = np.array([p == t for p, t in zip(predicted, labels, strict=True)])

    # Out of scope: at most max_oos_answered of the OOS validation messages reach the threshold.
    oos_probs = np.sort(best[~in_scope])[::-1]
    if len(oos_probs):
        allowed = math.floor(options.max_oos_answered * len(oos_probs))
        oos_threshold = (
            float(np.nextafter(oos_probs[allowed], 1.0)) if allowed < len(oos_probs) else 0.0
        )
    elif correct.any():
        oos_threshold = float(np.quantile(best[correct], options.oos_quantile_without_oos_data))
    else:
        oos_threshold = 0.0

    # Automation: the lowest threshold whose answered in-scope messages reach target precision.
    order = np.argsort(-best[in_scope], kind="stable")
    sorted_best = best[in_scope][order]
    sorted_correct = correct[in_scope][order]
    precision = np.cumsum(sorted_correct) / np.arange(1, len(sorted_correct) + 1)
    ok = np.nonzero(precision >= options.target_precision)[0]
    automation = float(sorted_best[ok[-1]]) if len(ok) else 1.0
    return _Thresholds(automation=max(automation, oos_threshold), out_of_scope=oos_threshold)


@dataclass
class IntentClassifier:
    """Implements ``bundle.IntentModel``. Train with :meth:`fit`, then :meth:`predict`."""

    spec: FeatureSpec = field(default_factory=lambda: FAST_SPEC)
    options: IntentOptions = field(default_factory=IntentOptions)
    version: str = ""
    fast: _Stage | None = field(default=None, repr=False)
    heavy: _Stage | None = field(default=None, repr=False)
    fast_thresholds: _Thresholds = field(default_factory=_Thresholds)
    heavy_thresholds: _Thresholds = field(default_factory=_Thresholds)

    @property
    def labels(self) -> list[str]:
        if self.fast is None:
            raise RuntimeError("IntentClassifier.fit() must run first")
        return [str(label) for label in self.fast.labels]

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
        validation: Validation | None = None,
        oos_label: str | None = None,
    ) -> IntentClassifier:
        """Train. Rows labelled ``oos_label`` are never learnt as a class; they only tune the
        out-of-scope threshold. Without ``validation`` a stratified share of ``texts`` is held
        back for calibration and thresholds, then the model is refitted on everything."""
        if len(texts) != len(labels) or (languages is not None and len(languages) != len(texts)):
            raise ValueError("texts, labels and languages must have the same length")
        rows = np.arange(len(texts))
        specs = [("fast", self.spec)]
        if self.options.cascade:
            specs.append(("heavy", HEAVY_SPEC))
        if validation is None:
            fit_rows, val_rows = _carve(rows, labels, self.options)
            validation = Validation(
                texts=[texts[i] for i in val_rows],
                labels=[labels[i] for i in val_rows],
                languages=None if languages is None else [languages[i] for i in val_rows],
                embeddings=_take(embeddings, val_rows),
            )
            refit = True
        else:
            fit_rows, refit = rows, False
        validation = _with_unlearnt_oos(
            validation, texts, labels, languages, embeddings, fit_rows, oos_label
        )

        for name, spec in specs:
            stage = _Stage(spec=spec, c=self.options.c, seed=self.options.seed)
            self._fit_stage(stage, texts, labels, languages, embeddings, fit_rows, oos_label)
            margins = stage.margins(
                validation.texts,
                languages=validation.languages,
                embeddings=validation.embeddings,
            )
            stage.calibrate(margins, validation.labels)
            probs = np.asarray(softmax(margins / stage.temperature, axis=1), dtype=np.float64)
            thresholds = _choose_thresholds(
                probs, stage.labels, validation.labels, options=self.options
            )
            if refit:
                temperature = stage.temperature
                self._fit_stage(stage, texts, labels, languages, embeddings, rows, oos_label)
                stage.temperature = temperature
            if name == "fast":
                self.fast, self.fast_thresholds = stage, thresholds
            else:
                self.heavy, self.heavy_thresholds = stage, thresholds
        return self

    @staticmethod
    def _fit_stage(
        stage: _Stage,
        texts: Sequence[str],
        labels: Sequence[str],
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
        rows: npt.NDArray[np.int_],
        oos_label: str | None,
    ) -> None:
        chosen = np.array([i for i in rows if labels[i] != oos_label], dtype=np.int_)
        stage.fit(
            [texts[i] for i in chosen],
            [labels[i] for i in chosen],
            languages=None if languages is None else [languages[i] for i in chosen],
            embeddings=_take(embeddings, chosen),
        )

    def predict_proba(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
        heavy: bool = False,
    ) -> FloatArray:
        stage = self.heavy if heavy else self.fast
        if stage is None:
            raise RuntimeError("not fitted (the heavy stage needs cascade=True)")
        return stage.probabilities(texts, languages=languages, embeddings=embeddings)

    def predict(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
        use_cascade: bool = True,
    ) -> list[IntentResult]:
        if not texts:
            return []
        if self.fast is None:
            raise RuntimeError("IntentClassifier.fit() must run before predict()")
        probs = self.fast.probabilities(texts, languages=languages, embeddings=embeddings)
        results = [
            _result(p, self.fast.labels, self.fast_thresholds, self.version, "fast") for p in probs
        ]
        if self.heavy is None or not use_cascade:
            return results
        unsure = [i for i, r in enumerate(results) if r.unsure]
        if unsure:
            heavy_probs = self.heavy.probabilities(
                [texts[i] for i in unsure],
                languages=None if languages is None else [languages[i] for i in unsure],
                embeddings=_take(embeddings, np.array(unsure, dtype=np.int_)),
            )
            for i, p in zip(unsure, heavy_probs, strict=True):
                results[i] = _result(
                    p, self.heavy.labels, self.heavy_thresholds, self.version, "cascade"
                )
        return results


def _result(
    probs: FloatArray,
    labels: npt.NDArray[np.str_],
    thresholds: _Thresholds,
    version: str,
    path: str,
) -> IntentResult:
    top = np.argsort(-probs, kind="stable")[:3]
    best = float(probs[top[0]])
    return IntentResult(
        intent=str(labels[top[0]]),
        probability=best,
        top=tuple(IntentScore(intent=str(labels[i]), probability=float(probs[i])) for i in top),
        unsure=best < thresholds.automation,
        out_of_scope=best < thresholds.out_of_scope,
        model_version=version,
        path=path,
    )


def _with_unlearnt_oos(
    validation: Validation,
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str] | None,
    embeddings: dict[str, FloatMatrix] | None,
    fit_rows: npt.NDArray[np.int_],
    oos_label: str | None,
) -> Validation:
    """Out-of-scope training rows are never learnt, so they are unseen examples: add them to the
    validation data, where the out-of-scope threshold needs every example it can get (with only
    100 examples, "at most 2 % answered" rests on 2 messages)."""
    if oos_label is None:
        return validation
    extra = np.array([i for i in fit_rows if labels[i] == oos_label], dtype=np.int_)
    if len(extra) == 0:
        return validation
    if (validation.languages is None) != (languages is None) or (
        (validation.embeddings is None) != (embeddings is None)
    ):
        return validation  # cannot combine consistently; keep the validation data as given
    merged_embeddings = None
    if validation.embeddings is not None and embeddings is not None:
        if set(validation.embeddings) != set(embeddings):
            return validation
        merged_embeddings = {
            name: np.vstack([validation.embeddings[name], embeddings[name][extra]])
            for name in embeddings
        }
    return Validation(
        texts=[*validation.texts, *(texts[i] for i in extra)],
        labels=[*validation.labels, *(labels[i] for i in extra)],
        languages=None
        if validation.languages is None or languages is None
        else [*validation.languages, *(languages[i] for i in extra)],
        embeddings=merged_embeddings,
    )


def _take(
    embeddings: dict[str, FloatMatrix] | None, rows: npt.NDArray[np.int_]
) -> dict[str, FloatMatrix] | None:
    if embeddings is None:
        return None
    return {name: matrix[rows] for name, matrix in embeddings.items()}


def _carve(
    rows: npt.NDArray[np.int_], labels: Sequence[str], options: IntentOptions
) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]:
    """Stratified calibration split; classes with a single example stay in the training part."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    splittable = np.array([counts[labels[i]] >= 2 for i in rows])
    single = rows[~splittable]
    candidates = rows[splittable]
    n_classes = len({labels[i] for i in candidates})
    n_val = max(round(options.calibration_fraction * len(candidates)), n_classes)
    if n_classes < 2 or n_val >= len(candidates) - n_classes + 1:
        # Too little data to hold anything back: calibrate on the training data itself.
        return rows, rows
    fit_rows, val_rows = train_test_split(
        candidates,
        test_size=n_val,
        stratify=[labels[i] for i in candidates],
        random_state=options.seed,
    )
    return np.sort(np.concatenate([fit_rows, single])), np.sort(val_rows)
