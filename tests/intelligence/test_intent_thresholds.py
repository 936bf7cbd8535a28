"""Per-intent automation thresholds: chosen on validation data, stored, applied, reported."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest

from kundenversteher.intelligence.artefacts import load_artefact, read_report
from kundenversteher.intelligence.intents import (
    IntentClassifier,
    IntentOptions,
    IntentThreshold,
    _choose_quick_gate,
    _choose_thresholds,
    _Thresholds,
)
from kundenversteher.intelligence.training import train_intents
from tests.intelligence.model_factories import make_intent_csv, make_intent_examples

LABELS = np.array(["a", "b"])
# (predicted intent, its probability, right?) — intent "a" is reliable down to 0.62, intent "b"
# only at 0.95; pooled, the global threshold for 75 % precision is 0.82.
ROWS = [
    ("a", 0.92, True),
    ("a", 0.82, True),
    ("a", 0.72, False),
    ("a", 0.62, True),
    ("a", 0.55, False),
    ("b", 0.95, True),
    ("b", 0.90, False),
    ("b", 0.85, True),
    ("b", 0.80, False),
    ("b", 0.75, True),
]


def _validation() -> tuple[np.ndarray, list[str]]:
    probs = np.array([[p, 1 - p] if label == "a" else [1 - p, p] for label, p, _ in ROWS])
    other = {"a": "b", "b": "a"}
    truth = [label if right else other[label] for label, _, right in ROWS]
    return probs, truth


def _options(**changes: object) -> IntentOptions:
    base: dict[str, object] = {
        "target_precision": 0.75,
        "oos_quantile_without_oos_data": 0.0,
        "intent_min_support": 5,
    }
    return IntentOptions(**{**base, **changes})  # type: ignore[arg-type]


def test_each_intent_gets_the_lowest_threshold_reaching_the_target_precision() -> None:
    probs, truth = _validation()

    thresholds = _choose_thresholds(probs, LABELS, truth, options=_options())

    assert thresholds.automation == 0.82
    assert thresholds.per_intent["a"] == IntentThreshold(
        threshold=0.62, support=5, precision=0.75, coverage=0.8, source="intent"
    )
    assert thresholds.per_intent["b"] == IntentThreshold(
        threshold=0.95, support=5, precision=1.0, coverage=0.2, source="intent"
    )
    assert thresholds.for_intent("a") == 0.62
    assert thresholds.for_intent("b") == 0.95


def test_intents_with_too_little_validation_support_keep_the_global_threshold() -> None:
    probs, truth = _validation()

    thresholds = _choose_thresholds(probs, LABELS, truth, options=_options(intent_min_support=6))

    assert {i: (t.threshold, t.source) for i, t in thresholds.per_intent.items()} == {
        "a": (0.82, "global"),
        "b": (0.82, "global"),
    }


def test_global_floor_only_ever_raises_the_threshold() -> None:
    probs, truth = _validation()

    thresholds = _choose_thresholds(probs, LABELS, truth, options=_options(intent_floor="global"))

    assert thresholds.for_intent("a") == 0.82
    assert thresholds.for_intent("b") == 0.95


def test_per_intent_thresholds_never_go_below_the_out_of_scope_threshold() -> None:
    probs, truth = _validation()

    # The median of the correctly classified probabilities is the out-of-scope threshold here.
    thresholds = _choose_thresholds(
        probs, LABELS, truth, options=_options(oos_quantile_without_oos_data=0.5)
    )

    assert thresholds.out_of_scope == pytest.approx(0.835)
    assert thresholds.for_intent("a") == thresholds.out_of_scope
    assert thresholds.for_intent("b") == 0.95


def test_switched_off_every_intent_uses_the_global_threshold() -> None:
    probs, truth = _validation()

    thresholds = _choose_thresholds(
        probs, LABELS, truth, options=_options(per_intent_thresholds=False)
    )

    assert thresholds.per_intent == {}
    assert thresholds.for_intent("a") == thresholds.for_intent("b") == 0.82


def test_stage1_gate_respects_the_embedding_models_per_intent_threshold() -> None:
    quick = np.array([[0.99, 0.01], [0.95, 0.05], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    fast = np.array([[0.99, 0.01], [0.97, 0.03], [0.9, 0.1], [0.1, 0.9], [0.9, 0.1]])
    truth = ["a", "a", "a", "b", "a"]
    strict_a = _Thresholds(
        per_intent={"a": IntentThreshold(0.98, 20, 1.0, 0.5, "intent")},
    )

    gate = _choose_quick_gate(
        (quick, LABELS, _Thresholds()),
        (fast, LABELS, strict_a, None),
        truth,
        oos_label=None,
        options=IntentOptions(quick_agreement=0.999),
    )

    # Only the first row is answered by the embedding model at a's threshold of 0.98.
    assert gate == 0.99


@pytest.fixture(scope="module")
def model() -> IntentClassifier:
    texts, labels = make_intent_examples()
    return IntentClassifier(options=IntentOptions(intent_min_support=1)).fit(texts, labels)


PROBE = [
    "Wo bleibt meine Bestellung 4711?",
    "Ich brauche eine Kopie der Rechnung",
    "Passwort vergessen, bitte helfen",
    "Erzähl mir einen Witz über Katzen.",
]


def test_results_carry_the_threshold_that_applied_and_unsure_follows_it(
    model: IntentClassifier,
) -> None:
    results = model.predict(PROBE, use_stage1=False)

    assert set(model.intent_thresholds()) == set(model.labels)
    for r in results:
        assert r.threshold == model.fast_thresholds.for_intent(r.intent)
        assert r.unsure == (r.probability < r.threshold or r.out_of_scope)


def _familiar_probe() -> list[str]:
    """Training texts: the only ones a tiny, honestly calibrated model is sure enough of for
    stage 1 to answer alone."""
    texts, _labels = make_intent_examples()
    return [*PROBE, *texts[::3]]


def test_stage1_answers_report_the_gate_as_their_threshold(model: IntentClassifier) -> None:
    probe = _familiar_probe()
    alone = model.stage1_answers(probe)
    results = model.predict(probe)

    assert alone.any()
    for answered_alone, r in zip(alone, results, strict=True):
        if answered_alone:
            assert r.threshold == model.quick_gate
            assert r.probability >= r.threshold
            assert r.unsure is False


def test_models_saved_before_per_intent_thresholds_load_with_the_global_threshold(
    model: IntentClassifier, tmp_path: Path
) -> None:
    joblib.dump(model, tmp_path / "m.joblib")
    old = joblib.load(tmp_path / "m.joblib")
    # An artefact from before: its pickled _Thresholds has no per_intent attribute at all.
    del old.fast_thresholds.__dict__["per_intent"]

    results = old.predict(PROBE, use_stage1=False)

    assert old.intent_thresholds() == {}
    assert [r.threshold for r in results] == [old.fast_thresholds.automation] * len(PROBE)
    for r in results:
        assert r.unsure == (r.probability < old.fast_thresholds.automation or r.out_of_scope)


def test_training_report_lists_threshold_support_precision_and_coverage_per_intent(
    tmp_path: Path,
) -> None:
    csv_path = make_intent_csv(tmp_path / "d.csv")

    train_intents(csv_path, out_dir=tmp_path / "m", progress=False)
    loaded, _report = load_artefact(tmp_path / "m", kind="intent")
    per_intent = read_report(tmp_path / "m")["metrics"]["intent_thresholds"]

    assert set(per_intent) == set(loaded.labels)
    for intent, row in per_intent.items():
        assert set(row) == {"threshold", "support", "precision", "coverage", "source"}
        # The report rounds to 6 decimals (float noise of the encoder between runs).
        assert row["threshold"] == round(loaded.fast_thresholds.for_intent(intent), 6)
        assert row["threshold"] >= round(loaded.fast_thresholds.out_of_scope, 6)


def test_stage1_gate_ignores_intents_the_embedding_model_holds_to_a_stricter_threshold() -> None:
    quick = np.array([[0.99, 0.01], [0.02, 0.98], [0.95, 0.05], [0.9, 0.1]])
    fast = np.array([[0.97, 0.03], [0.2, 0.8], [0.96, 0.04], [0.9, 0.1]])
    truth = ["a", "b", "a", "a"]
    # "b" needs 0.9 in the embedding model, more than its global 0.5: the second row (stage 1
    # sure of "b", the embedding model unsure) would otherwise force the gate above 0.98.
    fast_thresholds = _Thresholds(
        automation=0.5, per_intent={"b": IntentThreshold(0.9, 20, 0.95, 0.5, "intent")}
    )

    options = IntentOptions(quick_agreement=0.999)
    without = _choose_quick_gate(
        (quick, LABELS, _Thresholds()),
        (fast, LABELS, fast_thresholds, None),
        truth,
        oos_label=None,
        options=options,
    )
    gate = _choose_quick_gate(
        (quick, LABELS, _Thresholds()),
        (fast, LABELS, fast_thresholds, None),
        truth,
        oos_label=None,
        options=options,
        intents=frozenset({"a"}),
    )

    assert without == 0.99
    assert gate == 0.9


def test_stage1_never_answers_an_intent_outside_its_allowed_set(model: IntentClassifier) -> None:
    probe = _familiar_probe()
    alone = model.stage1_answers(probe)
    intents = [r.intent for r in model.predict(probe, use_stage1=False)]
    restricted = IntentClassifier(
        spec=model.spec,
        options=model.options,
        fast=model.fast,
        fast_thresholds=model.fast_thresholds,
        quick=model.quick,
        quick_gate=model.quick_gate,
        quick_intents=frozenset(),
    )

    assert alone.any()
    assert not restricted.stage1_answers(probe).any()
    assert [r.intent for r in restricted.predict(probe)] == intents
    assert model.quick_intents == frozenset(
        label
        for label in model.labels
        if model.fast_thresholds.for_intent(label) <= model.fast_thresholds.automation
    )
