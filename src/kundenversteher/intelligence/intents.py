"""Intent classification: a calibrated linear model on TF-IDF ⊕ sentence embeddings, with an
automation threshold, an out-of-scope decision and an optional heavier second stage (cascade).

Why this shape (measured in MODELS.md and benchmarks/understanding.py):
- LinearSVC on [TF-IDF word 1–2 + char_wb 2–5 ⊕ USE] is the best accuracy/speed trade-off on one
  core; TF-IDF alone is the fast baseline.
- SVM margins are not probabilities: a single temperature fitted on validation data turns them into
  calibrated softmax probabilities (one parameter, so it cannot overfit small tenants' data and it
  keeps the ranking of the SVM).
- "Unsure" and "out of scope" are thresholds on that probability, chosen on validation data: the
  automation threshold for a target precision — per intent where the validation data holds
  enough messages predicted as that intent, else one global threshold — and the out-of-scope
  threshold so that at most 2 % of out-of-scope validation messages would still be answered.
- The cascade re-asks a heavier model (TF-IDF ⊕ USE ⊕ e5) only for unsure messages, so the average
  cost stays close to the fast path.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
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


# Label smoothing of the temperature fit (see _Stage.calibrate).
_SMOOTHING = 1e-3


@dataclass(frozen=True, slots=True)
class IntentOptions:
    seed: int = 0
    c: float = 0.5  # LinearSVC regularisation
    target_precision: float = 0.95  # of automatically handled messages, on validation data
    max_oos_answered: float = 0.02  # share of out-of-scope validation messages still answered
    # Without out-of-scope examples: flag as out of scope what is less sure than the least sure
    # 2 % of correctly classified validation messages.
    oos_quantile_without_oos_data: float = 0.02
    # Safety margin: thresholds aim at this share of max_oos_answered on validation, because
    # validation sets hold few out-of-scope messages (CLINC150: 100) and the estimate is noisy.
    oos_safety: float = 0.5
    # True: out-of-scope training rows are learnt as a class of their own (the thresholds still
    # apply on top). Off by default: on CLINC150 validation the rows were worth more as extra
    # threshold-tuning examples (coverage 80.9 vs 74.9 % at the same OOS rate, docs/models.md).
    learn_oos: bool = False
    # Also call out of scope what is far (cosine to the nearest in-scope class centroid of the
    # embeddings) from every known intent; the threshold is chosen together with the
    # probability threshold on validation data.
    oos_similarity: bool = True
    calibration_fraction: float = 0.15  # carved from training data when no validation is given
    # Per-intent automation thresholds: for each intent the lowest probability at which the
    # validation messages predicted as that intent reach target_precision. Intents with fewer
    # than intent_min_support such messages keep the global automation threshold.
    per_intent_thresholds: bool = True
    intent_min_support: int = 20
    # "out_of_scope": a per-intent threshold may go below the global automation threshold down
    # to the out-of-scope threshold; "global": it may only raise it (stricter, fewer answers).
    intent_floor: Literal["out_of_scope", "global"] = "out_of_scope"
    cascade: bool = False
    # Stage 1 (TF-IDF only, no embedding) answers alone where, on validation data, its decisions
    # agree with the embedding model's at least this often (and are at least as accurate).
    quick_stage: bool = True
    quick_agreement: float = 0.999


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
    oos_label: str | None = None  # a learnt out-of-scope class, if any
    featurizer: TextFeaturizer = field(init=False)
    svc: LinearSVC = field(init=False)
    temperature: float = 1.0
    # Unit-length mean embedding of each in-scope class: a message far from all of them is out
    # of scope even when the linear model is sure (linear scores grow without bound far away).
    centroids: FloatArray | None = None

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
        tfidf, dense = self.featurizer.parts(texts, languages=languages, embeddings=embeddings)
        blocks = [
            b for b in (tfidf, None if dense is None else sp.csr_matrix(dense)) if b is not None
        ]
        x = sp.hstack(blocks).tocsr()
        self.centroids = None
        if dense is not None:
            units = _unit(dense.astype(np.float64))
            in_scope = sorted({label for label in labels if label != self.oos_label})
            label_array = np.asarray(labels)
            self.centroids = _unit(
                np.stack([units[label_array == label].mean(axis=0) for label in in_scope])
            )
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
        return self.scores(texts, languages=languages, embeddings=embeddings)[0]

    def scores(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
    ) -> tuple[FloatArray, FloatArray | None]:
        """SVM margins and the cosine similarity to the nearest in-scope class centroid
        (None without embeddings)."""
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
        similarity = None
        centroids = getattr(self, "centroids", None)  # artefacts from before centroids existed
        if dense is not None and centroids is not None:
            similarity = (_unit(dense.astype(np.float64)) @ centroids.T).max(axis=1)
        return scores, similarity

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
        return self.evaluate(texts, languages=languages, embeddings=embeddings)[0]

    def evaluate(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None,
        embeddings: dict[str, FloatMatrix] | None,
    ) -> tuple[FloatArray, FloatArray | None]:
        """Calibrated probabilities and centroid similarity (see :meth:`scores`)."""
        margins, similarity = self.scores(texts, languages=languages, embeddings=embeddings)
        probs = np.asarray(softmax(margins / self.temperature, axis=1), dtype=np.float64)
        return probs, similarity

    def in_scope_columns(self) -> npt.NDArray[np.int_]:
        return np.array(
            [i for i, label in enumerate(self.labels) if label != self.oos_label], dtype=np.int_
        )

    def calibrate(self, margins: FloatArray, labels: Sequence[str]) -> None:
        index = {label: i for i, label in enumerate(self.labels)}
        rows = [i for i, label in enumerate(labels) if label in index]
        if not rows:
            return
        targets = np.array([index[labels[i]] for i in rows])
        m = margins[rows]

        def nll(log_t: float) -> float:
            # Cross-entropy against slightly smoothed targets: on data the model separates
            # perfectly (a tenant's templated mails, the demo company) plain log-loss drives the
            # temperature to its bound and every probability to exactly 1.0, so no threshold can
            # tell a sure answer from a lucky one. With 0.1 % smoothing the best temperature stays
            # finite; on real data (Banking77, CLINC150) the optimum hardly moves.
            logp = log_softmax(m / math.exp(log_t), axis=1)
            picked = logp[np.arange(len(targets)), targets]
            return float(-((1.0 - _SMOOTHING) * picked + _SMOOTHING * logp.mean(axis=1)).mean())

        best = minimize_scalar(nll, bounds=(math.log(1e-3), math.log(100.0)), method="bounded")
        self.temperature = float(math.exp(best.x))


@dataclass(frozen=True, slots=True)
class IntentThreshold:
    """The automation threshold of one intent and the validation figures it was chosen on."""

    threshold: float
    support: int  # in-scope validation messages predicted as this intent
    precision: float  # of those at or above the threshold (0.0 when none)
    coverage: float  # share of them at or above the threshold
    source: Literal["intent", "global"]  # "global": too little support, global threshold kept


@dataclass
class _Thresholds:
    automation: float = 0.0  # below: unsure (a person should look); fallback for all intents
    out_of_scope: float = 0.0  # below: none of the known intents
    similarity: float = -math.inf  # centroid similarity below: out of scope
    # Per-intent automation thresholds (absent in artefacts from before they existed).
    per_intent: dict[str, IntentThreshold] = field(default_factory=dict)

    def for_intent(self, intent: str) -> float:
        """The automation threshold that applies when ``intent`` is the best intent."""
        # Artefacts pickled before per-intent thresholds existed have no "per_intent" attribute:
        # they keep their global threshold.
        chosen = self.__dict__.get("per_intent", {}).get(intent)
        return self.automation if chosen is None else chosen.threshold


def _unit(matrix: FloatArray) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float64)


def _in_scope_view(
    probabilities: FloatArray, stage_labels: npt.NDArray[np.str_], oos_label: str | None
) -> tuple[FloatArray, npt.NDArray[np.str_], npt.NDArray[np.bool_]]:
    """Best in-scope probability, best in-scope label, and whether a learnt out-of-scope class
    won the argmax, per row."""
    in_cols = np.array([i for i, lbl in enumerate(stage_labels) if lbl != oos_label], dtype=int)
    inner = probabilities[:, in_cols]
    best = inner.max(axis=1)
    predicted = stage_labels[in_cols][inner.argmax(axis=1)]
    if len(in_cols) == len(stage_labels):
        oos_won = np.zeros(len(best), dtype=bool)
    else:
        oos_won = probabilities.argmax(axis=1) == int(np.flatnonzero(stage_labels == oos_label)[0])
    return best, predicted, oos_won


def _choose_thresholds(
    probabilities: FloatArray,
    stage_labels: npt.NDArray[np.str_],
    labels: Sequence[str],
    *,
    options: IntentOptions,
    oos_label: str | None = None,
    similarity: FloatArray | None = None,
) -> _Thresholds:
    known = set(stage_labels.tolist()) - {oos_label}
    best, predicted, oos_won = _in_scope_view(probabilities, stage_labels, oos_label)
    in_scope = np.array([label in known for label in labels])
    correct = np.array([p == t for p, t in zip(predicted, labels, strict=True)]) & ~oos_won
    sim = similarity if similarity is not None else np.zeros(len(best))

    oos_threshold, sim_threshold = 0.0, -math.inf
    if (~in_scope).any():
        # Out of scope: at most max_oos_answered * oos_safety of the OOS validation messages are
        # answered; among such (probability, similarity) threshold pairs the one that answers
        # the most in-scope messages wins.
        allowed = math.floor(options.max_oos_answered * options.oos_safety * (~in_scope).sum())
        candidates = np.unique(np.concatenate([[0.0], best[~in_scope & ~oos_won]]))
        best_coverage = -1
        for a in candidates:
            a_ok = (best >= a) & ~oos_won
            oos_sims = np.sort(sim[a_ok & ~in_scope])[::-1]
            if similarity is None:
                if len(oos_sims) > allowed:
                    continue
                b = -math.inf
            elif allowed < len(oos_sims):
                # Midway to the next in-scope similarity above the last rejected OOS message:
                # same validation result, but not on a knife's edge for near-identical texts.
                edge = float(oos_sims[allowed])
                above = sim[a_ok & in_scope & (sim > edge)]
                b = (
                    (edge + float(above.min())) / 2
                    if len(above)
                    else float(np.nextafter(edge, math.inf))
                )
            else:
                b = -math.inf
            coverage = int((a_ok & in_scope & (sim >= b)).sum())
            if coverage > best_coverage:
                best_coverage, oos_threshold, sim_threshold = coverage, float(a), b
        if best_coverage < 0:  # nothing keeps enough OOS out: answer nothing automatically
            oos_threshold = float(np.nextafter(best.max(), math.inf))
    elif correct.any():
        oos_threshold = float(np.quantile(best[correct], options.oos_quantile_without_oos_data))

    # Automation: the lowest threshold whose answered in-scope messages reach target precision.
    order = np.argsort(-best[in_scope], kind="stable")
    sorted_best = best[in_scope][order]
    sorted_correct = correct[in_scope][order]
    precision = np.cumsum(sorted_correct) / np.arange(1, len(sorted_correct) + 1)
    ok = np.nonzero(precision >= options.target_precision)[0]
    automation = max(float(sorted_best[ok[-1]]) if len(ok) else 1.0, oos_threshold)
    per_intent: dict[str, IntentThreshold] = {}
    if options.per_intent_thresholds:
        floor = automation if options.intent_floor == "global" else oos_threshold
        rows = in_scope & ~oos_won
        for intent in sorted(known):
            mine = rows & (predicted == intent)
            per_intent[intent] = _intent_threshold(
                best[mine], correct[mine], global_threshold=automation, floor=floor, options=options
            )
    return _Thresholds(
        automation=automation,
        out_of_scope=oos_threshold,
        similarity=sim_threshold,
        per_intent=per_intent,
    )


def _intent_threshold(
    best: FloatArray,
    correct: npt.NDArray[np.bool_],
    *,
    global_threshold: float,
    floor: float,
    options: IntentOptions,
) -> IntentThreshold:
    """The lowest threshold at which this intent's validation predictions reach the target
    precision, never below ``floor``; the global threshold when there are too few of them to
    estimate a precision of 95 % (one error in 20 already moves it by five points)."""
    support = len(best)
    if support < options.intent_min_support:
        threshold, source = global_threshold, "global"
    else:
        order = np.argsort(-best, kind="stable")
        sorted_best = best[order]
        precision = np.cumsum(correct[order]) / np.arange(1, support + 1)
        ok = np.nonzero(precision >= options.target_precision)[0]
        threshold = max(float(sorted_best[ok[-1]]) if len(ok) else 1.0, floor)
        source = "intent"
    answered = best >= threshold
    n_answered = int(answered.sum())
    return IntentThreshold(
        threshold=threshold,
        support=support,
        precision=float(correct[answered].sum() / n_answered) if n_answered else 0.0,
        coverage=n_answered / support if support else 0.0,
        source=source,  # type: ignore[arg-type]  # one of the two literals above
    )


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
    # Stage 1 of the fast path: TF-IDF only; answers alone when its probability >= quick_gate.
    quick: _Stage | None = field(default=None, repr=False)
    quick_gate: float = 2.0  # > 1: stage 1 never answers alone
    # Intents stage 1 may answer alone: those whose per-intent threshold in the embedding stage
    # is not stricter than its global one. None (also artefacts from before): every intent.
    quick_intents: frozenset[str] | None = None
    oos_label: str | None = None  # the learnt out-of-scope class, if any

    @property
    def labels(self) -> list[str]:
        """The intents the model can answer (a learnt out-of-scope class is not one of them)."""
        if self.fast is None:
            raise RuntimeError("IntentClassifier.fit() must run first")
        oos = getattr(self, "oos_label", None)
        return [str(label) for label in self.fast.labels if label != oos]

    def intent_thresholds(self) -> dict[str, IntentThreshold]:
        """Per intent: the automation threshold of the embedding stage and the validation
        figures it was chosen on. Empty for artefacts from before per-intent thresholds (and
        with ``per_intent_thresholds`` off): then the global threshold applies to every intent."""
        return dict(self.fast_thresholds.__dict__.get("per_intent", {}))

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
        """Train. Rows labelled ``oos_label`` are learnt as an out-of-scope class (with
        ``options.learn_oos``; otherwise they only tune the out-of-scope thresholds). Without
        ``validation`` a stratified share of ``texts`` is held back for calibration and
        thresholds, then the model is refitted on everything."""
        if len(texts) != len(labels) or (languages is not None and len(languages) != len(texts)):
            raise ValueError("texts, labels and languages must have the same length")
        rows = np.arange(len(texts))
        learnt_oos = (
            oos_label
            if oos_label is not None and self.options.learn_oos and oos_label in set(labels)
            else None
        )
        self.oos_label = learnt_oos
        specs = [("fast", self.spec)]
        if self.options.quick_stage and self.spec.embedders:
            specs.append(("quick", TFIDF_SPEC))
        if self.options.cascade:
            specs.append(("heavy", HEAVY_SPEC))
        self.quick, self.quick_gate, self.quick_intents = None, 2.0, None
        fast_val: tuple[FloatArray, FloatArray | None] | None = None
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
        if learnt_oos is None:
            validation = _with_unlearnt_oos(
                validation, texts, labels, languages, embeddings, fit_rows, oos_label
            )
        skip = None if learnt_oos is not None else oos_label

        for name, spec in specs:
            stage = _Stage(
                spec=spec, c=self.options.c, seed=self.options.seed, oos_label=learnt_oos
            )
            self._fit_stage(stage, texts, labels, languages, embeddings, fit_rows, skip)
            margins, similarity = stage.scores(
                validation.texts,
                languages=validation.languages,
                embeddings=validation.embeddings,
            )
            stage.calibrate(margins, validation.labels)
            probs = np.asarray(softmax(margins / stage.temperature, axis=1), dtype=np.float64)
            thresholds = _choose_thresholds(
                probs,
                stage.labels,
                validation.labels,
                options=self.options,
                oos_label=learnt_oos,
                similarity=similarity if self.options.oos_similarity else None,
            )
            if refit:
                temperature = stage.temperature
                self._fit_stage(stage, texts, labels, languages, embeddings, rows, skip)
                stage.temperature = temperature
            if name == "fast":
                self.fast, self.fast_thresholds = stage, thresholds
                fast_val = (probs, similarity)
            elif name == "quick":
                if self.fast is None or fast_val is None:  # "fast" is always the first stage
                    raise RuntimeError("fast stage missing")
                self.quick = stage
                self.quick_intents = _quick_intents(self.fast_thresholds, self.fast.labels)
                self.quick_gate = _choose_quick_gate(
                    (probs, stage.labels, thresholds),
                    (fast_val[0], self.fast.labels, self.fast_thresholds, fast_val[1]),
                    validation.labels,
                    oos_label=learnt_oos,
                    options=self.options,
                    intents=self.quick_intents,
                )
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
        skip_label: str | None,
    ) -> None:
        chosen = np.array([i for i in rows if labels[i] != skip_label], dtype=np.int_)
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
        """Probabilities of one stage (no stage 1), columns in the stage's label order, which
        includes a learnt out-of-scope class."""
        stage = self.heavy if heavy else self.fast
        if stage is None:
            raise RuntimeError("not fitted (the heavy stage needs cascade=True)")
        return stage.probabilities(texts, languages=languages, embeddings=embeddings)

    def stage1_answers(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> npt.NDArray[np.bool_]:
        """Which texts stage 1 (TF-IDF only) answers without computing an embedding."""
        quick = getattr(self, "quick", None)  # artefacts pickled before stage 1 existed
        if quick is None or self.quick_gate > 1.0 or not texts:
            return np.zeros(len(texts), dtype=bool)
        probs = quick.probabilities(texts, languages=languages, embeddings=None)
        best, predicted, oos_won = _in_scope_view(probs, quick.labels, quick.oos_label)
        return np.asarray(
            (best >= self.quick_gate) & ~oos_won & self._quick_may_answer(predicted), dtype=bool
        )

    def _quick_may_answer(self, predicted: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
        intents = getattr(self, "quick_intents", None)  # artefacts from before per-intent ones
        if intents is None:
            return np.ones(len(predicted), dtype=bool)
        return np.array([str(label) in intents for label in predicted], dtype=bool)

    def predict(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
        use_cascade: bool = True,
        use_stage1: bool = True,
    ) -> list[IntentResult]:
        """Stage 1 (TF-IDF only) answers what it is sure about, the embedding model the rest,
        and with ``cascade`` the heavy model re-asks what is still unsure."""
        if not texts:
            return []
        if self.fast is None:
            raise RuntimeError("IntentClassifier.fit() must run before predict()")
        results: list[IntentResult | None] = [None] * len(texts)
        rest = list(range(len(texts)))
        quick = getattr(self, "quick", None)  # artefacts pickled before stage 1 existed
        if use_stage1 and quick is not None and self.quick_gate <= 1.0:
            # Stage 1: n-grams only; sure answers need no embedding at all.
            quick_probs = quick.probabilities(texts, languages=languages, embeddings=None)
            best, predicted, oos_won = _in_scope_view(quick_probs, quick.labels, quick.oos_label)
            may_answer = self._quick_may_answer(predicted)
            rest = []
            # Stage-1 answers are, by construction of the gate, above every threshold of
            # stage 1; the gate is the threshold that applied to them.
            sure = _Thresholds(automation=self.quick_gate)
            for i, p in enumerate(quick_probs):
                if best[i] >= self.quick_gate and not oos_won[i] and may_answer[i]:
                    results[i] = _result(p, None, quick, sure, self.version, "fast")
                else:
                    rest.append(i)
        if rest:
            probs, similarity = self.fast.evaluate(
                [texts[i] for i in rest],
                languages=None if languages is None else [languages[i] for i in rest],
                embeddings=_take(embeddings, np.array(rest, dtype=np.int_)),
            )
            for k, i in enumerate(rest):
                results[i] = _result(
                    probs[k],
                    None if similarity is None else float(similarity[k]),
                    self.fast,
                    self.fast_thresholds,
                    self.version,
                    "fast",
                )
        done = [r for r in results if r is not None]
        if self.heavy is None or not use_cascade:
            return done
        unsure = [i for i, r in enumerate(done) if r.unsure]
        if unsure:
            heavy_probs, heavy_sims = self.heavy.evaluate(
                [texts[i] for i in unsure],
                languages=None if languages is None else [languages[i] for i in unsure],
                embeddings=_take(embeddings, np.array(unsure, dtype=np.int_)),
            )
            for k, i in enumerate(unsure):
                done[i] = _result(
                    heavy_probs[k],
                    None if heavy_sims is None else float(heavy_sims[k]),
                    self.heavy,
                    self.heavy_thresholds,
                    self.version,
                    "cascade",
                )
        return done


def _choose_quick_gate(
    quick: tuple[FloatArray, npt.NDArray[np.str_], _Thresholds],
    fast: tuple[FloatArray, npt.NDArray[np.str_], _Thresholds, FloatArray | None],
    labels: Sequence[str],
    *,
    oos_label: str | None,
    options: IntentOptions,
    intents: frozenset[str] | None = None,
) -> float:
    """The lowest stage-1 probability from which on, on validation data, stage 1's answers agree
    with the embedding model's decision (same intent, answered, not out of scope) at least
    ``quick_agreement`` of the time and are at least as often right. Never below stage 1's own
    thresholds, so what stage 1 answers alone is never "unsure" or "out of scope" for stage 1
    either. Returns 2.0 (stage 1 never answers alone) when no such gate exists."""
    quick_probs, quick_labels, quick_thresholds = quick
    fast_probs, fast_labels, fast_thresholds, fast_sims = fast
    q_best, q_pred, q_oos = _in_scope_view(quick_probs, quick_labels, oos_label)
    f_best, f_pred, f_oos = _in_scope_view(fast_probs, fast_labels, oos_label)
    f_needed = np.array([fast_thresholds.for_intent(str(label)) for label in f_pred])
    f_answered = (f_best >= f_needed) & ~f_oos
    if fast_sims is not None:
        f_answered &= fast_sims >= fast_thresholds.similarity
    truth = np.asarray(labels)
    q_best = np.where(q_oos, -1.0, q_best)  # stage 1 never answers what it calls out of scope
    if intents is not None:  # nor an intent the embedding stage holds to a stricter threshold
        q_best = np.where(np.isin(q_pred, sorted(intents)), q_best, -1.0)
    agree = (q_pred == f_pred) & f_answered
    order = np.argsort(-q_best, kind="stable")
    n = np.arange(1, len(order) + 1)
    agreement = np.cumsum(agree[order]) / n
    # Right answers of stage 1 vs. right answers of the full fast path on the same rows.
    quick_correct = np.cumsum((q_pred == truth)[order])
    fast_correct = np.cumsum(((f_pred == truth) & f_answered)[order])
    ok = np.nonzero(
        (agreement >= options.quick_agreement)
        & (quick_correct >= fast_correct)
        & (q_best[order] > 0.0)
    )[0]
    if len(ok) == 0:
        return 2.0
    last = int(ok[-1])
    # Ties: the gate must not admit rows below the chosen prefix with the same probability.
    gate = float(q_best[order][last])
    if last + 1 < len(order) and float(q_best[order][last + 1]) == gate:
        gate = float(np.nextafter(gate, 2.0))
    return max(gate, quick_thresholds.automation, quick_thresholds.out_of_scope)


def _quick_intents(thresholds: _Thresholds, labels: npt.NDArray[np.str_]) -> frozenset[str]:
    """Intents stage 1 may answer alone: those the embedding stage does not hold to a stricter
    threshold than its global one. For the stricter ones the embedding stage often stays unsure
    where stage 1 is sure; letting them through would push the one gate up for every intent
    (Banking77: stage 1 answered 21 % instead of 78 %)."""
    return frozenset(
        str(label) for label in labels if thresholds.for_intent(str(label)) <= thresholds.automation
    )


def _result(
    probs: FloatArray,
    similarity: float | None,
    stage: _Stage,
    thresholds: _Thresholds,
    version: str,
    path: str,
) -> IntentResult:
    """The in-scope intents ranked; a learnt out-of-scope class only decides ``out_of_scope``."""
    oos_label = getattr(stage, "oos_label", None)
    labels = stage.labels
    columns = [i for i in np.argsort(-probs, kind="stable") if labels[i] != oos_label]
    top = columns[:3]
    best = float(probs[top[0]])
    intent = str(labels[top[0]])
    threshold = thresholds.for_intent(intent)
    out_of_scope = (
        best < thresholds.out_of_scope
        or (oos_label is not None and labels[int(np.argmax(probs))] == oos_label)
        or (similarity is not None and similarity < getattr(thresholds, "similarity", -math.inf))
    )
    return IntentResult(
        intent=intent,
        probability=best,
        top=tuple(IntentScore(intent=str(labels[i]), probability=float(probs[i])) for i in top),
        unsure=best < threshold or out_of_scope,
        out_of_scope=out_of_scope,
        model_version=version,
        path=path,
        threshold=threshold,
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
