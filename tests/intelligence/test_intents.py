from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from kundenversteher.intelligence.features import FeatureSpec, TextFeaturizer, fast_tfidf
from kundenversteher.intelligence.intents import (
    TFIDF_SPEC,
    IntentClassifier,
    IntentOptions,
    Validation,
    _choose_quick_gate,
    _choose_thresholds,
    _Thresholds,
)
from tests.intelligence.model_factories import OUT_OF_SCOPE, make_intent_examples


@pytest.fixture(scope="module")
def trained() -> IntentClassifier:
    texts, labels = make_intent_examples()
    return IntentClassifier().fit(texts, labels, languages=["de"] * len(texts))


def test_same_seed_trains_identical_models() -> None:
    texts, labels = make_intent_examples()
    probe = ["Wo ist mein Paket?", "Rechnung bitte nochmal schicken", "Passwort vergessen"]

    first = IntentClassifier().fit(texts, labels).predict_proba(probe)
    second = IntentClassifier().fit(texts, labels).predict_proba(probe)

    np.testing.assert_array_equal(first, second)


def test_unseen_messages_get_the_right_intent_with_top3_sorted(trained: IntentClassifier) -> None:
    results = trained.predict(
        ["Wo bleibt denn mein Paket?", "Ich habe mein Kennwort vergessen", "Wartungstermin bitte"],
        languages=["de", "de", "de"],
    )

    assert [r.intent for r in results] == [
        "order_status",
        "password_reset",
        "maintenance_appointment",
    ]
    for r in results:
        assert len(r.top) == 3
        assert r.top[0].intent == r.intent
        assert r.top[0].probability == r.probability
        assert r.top[0].probability >= r.top[1].probability >= r.top[2].probability
        assert r.path == "fast"


def test_probabilities_sum_to_one_and_temperature_was_fitted(trained: IntentClassifier) -> None:
    probs = trained.predict_proba(["Wo ist meine Rechnung?", "Hallo"])

    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0])
    assert trained.fast is not None
    assert trained.fast.temperature != 1.0


def test_calibration_makes_confidence_track_accuracy_on_held_out_data() -> None:
    texts, labels = make_intent_examples()
    held_out = list(range(0, len(texts), 4))
    train = [i for i in range(len(texts)) if i not in held_out]
    model = IntentClassifier().fit([texts[i] for i in train], [labels[i] for i in train])

    results = model.predict([texts[i] for i in held_out])
    accuracy = np.mean([r.intent == labels[i] for r, i in zip(results, held_out, strict=True)])
    confidence = np.mean([r.probability for r in results])

    # A raw softmax over SVM margins is near-uniform (about 0.3 for four classes); calibrated
    # confidence must be close to the observed accuracy instead.
    assert abs(confidence - accuracy) < 0.15


def test_automation_threshold_is_the_lowest_one_reaching_the_target_precision() -> None:
    labels = np.array(["a", "b"])
    # best probabilities 0.9 (right), 0.8 (right), 0.7 (wrong), 0.6 (right), 0.55 (wrong)
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.45, 0.55]])
    truth = ["a", "a", "a", "a", "a"]

    options = IntentOptions(target_precision=0.75, oos_quantile_without_oos_data=0.0)

    thresholds = _choose_thresholds(probs, labels, truth, options=options)

    # answering down to 0.6 gives 3/4 = 0.75 precision; down to 0.55 only 3/5
    assert thresholds.automation == 0.6


def test_out_of_scope_threshold_answers_at_most_two_percent_of_oos_validation() -> None:
    labels = np.array(["a", "b"])
    oos_best = np.linspace(0.5, 0.99, 100)
    probs = np.column_stack([oos_best, 1 - oos_best])
    thresholds = _choose_thresholds(
        probs, labels, ["oos"] * 100, options=IntentOptions(max_oos_answered=0.02, oos_safety=1.0)
    )

    assert int((oos_best >= thresholds.out_of_scope).sum()) == 2
    assert thresholds.automation >= thresholds.out_of_scope


def test_out_of_scope_threshold_keeps_the_safety_margin_on_validation() -> None:
    labels = np.array(["a", "b"])
    oos_best = np.linspace(0.5, 0.99, 100)
    probs = np.column_stack([oos_best, 1 - oos_best])
    thresholds = _choose_thresholds(
        probs, labels, ["oos"] * 100, options=IntentOptions(max_oos_answered=0.02, oos_safety=0.5)
    )

    # half of the 2 % allowed: one of the hundred OOS validation messages
    assert int((oos_best >= thresholds.out_of_scope).sum()) == 1


def test_similarity_threshold_rejects_oos_far_from_every_intent_without_losing_coverage() -> None:
    labels = np.array(["a", "b"])
    # 4 in-scope rows (all sure and similar to their centroids), 4 OOS rows: two of them sure
    # but far from every centroid, two unsure.
    probs = np.array([[0.99, 0.01]] * 4 + [[0.98, 0.02]] * 2 + [[0.6, 0.4]] * 2)
    similarity = np.array([0.9, 0.8, 0.85, 0.7, 0.2, 0.3, 0.9, 0.9])
    thresholds = _choose_thresholds(
        probs,
        labels,
        ["a"] * 4 + ["oos"] * 4,
        options=IntentOptions(max_oos_answered=0.0),
        similarity=similarity,
    )

    answered = (probs.max(axis=1) >= thresholds.out_of_scope) & (
        similarity >= thresholds.similarity
    )
    assert answered.tolist() == [True] * 4 + [False] * 4


def test_unrelated_messages_are_flagged_out_of_scope_when_oos_examples_exist() -> None:
    texts, labels = make_intent_examples()
    val_rows = list(range(1, len(texts), 5))
    train_rows = [i for i in range(len(texts)) if i not in val_rows]
    validation = Validation(
        texts=[texts[i] for i in val_rows] + list(OUT_OF_SCOPE[:6]),
        labels=[labels[i] for i in val_rows] + ["oos"] * 6,
    )
    model = IntentClassifier().fit(
        [texts[i] for i in train_rows], [labels[i] for i in train_rows], validation=validation
    )

    results = model.predict(list(OUT_OF_SCOPE[:6]))
    in_scope = model.predict(["Wo bleibt meine Bestellung 4711?"])

    assert [r.out_of_scope for r in results] == [True] * 6
    assert all(r.unsure for r in results)
    assert in_scope[0].intent == "order_status"
    assert in_scope[0].out_of_scope is False


def test_ngrams_are_switched_off_for_a_language_missing_from_training() -> None:
    featurizer = TextFeaturizer(FeatureSpec(use_tfidf=True, embedders=()))
    featurizer.fit(["Wo ist meine Bestellung", "Rechnung bitte"], languages=["de", "de"])

    x = featurizer.transform(["Bestellung", "Bestellung"], languages=["de", "en"])

    assert x[0].nnz > 0
    assert x[1].nnz == 0


def test_tfidf_baseline_needs_no_embedder() -> None:
    texts, labels = make_intent_examples()
    model = IntentClassifier(spec=TFIDF_SPEC).fit(texts, labels)

    assert model.predict(["Kopie der Rechnung bitte"])[0].intent == "invoice_copy"


@pytest.mark.slow
def test_cascade_asks_the_heavy_model_only_for_unsure_messages() -> None:
    texts, labels = make_intent_examples()
    model = IntentClassifier(options=IntentOptions(cascade=True)).fit(texts, labels)
    probe = ["Wo bleibt meine Bestellung 4711?", "Erzähl mir einen Witz über Katzen."]

    fast_only = model.predict(probe, use_cascade=False)
    cascaded = model.predict(probe)

    for fast, final in zip(fast_only, cascaded, strict=True):
        assert final.path == ("cascade" if fast.unsure else "fast")
    assert any(r.path == "cascade" for r in cascaded)
    assert model.heavy is not None


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        IntentClassifier().fit(["a", "b"], ["x"])


def test_out_of_scope_training_rows_are_learnt_as_a_class_but_never_answered() -> None:
    texts, labels = make_intent_examples()
    val_rows = list(range(2, len(texts), 5))
    train_rows = [i for i in range(len(texts)) if i not in val_rows]
    validation = Validation(
        [texts[i] for i in val_rows] + list(OUT_OF_SCOPE[5:]),
        [labels[i] for i in val_rows] + ["oos"] * 5,
    )

    model = IntentClassifier(options=IntentOptions(learn_oos=True)).fit(
        [texts[i] for i in train_rows] + list(OUT_OF_SCOPE[:5]),
        [labels[i] for i in train_rows] + ["oos"] * 5,
        validation=validation,
        oos_label="oos",
    )

    assert model.fast is not None
    assert "oos" in model.fast.labels.tolist()
    assert "oos" not in model.labels
    results = model.predict([*OUT_OF_SCOPE, "Wo bleibt meine Bestellung 4711?"])
    assert [r.out_of_scope for r in results] == [True] * 10 + [False]
    assert all(r.intent != "oos" for r in results)
    assert results[-1].intent == "order_status"


def test_out_of_scope_training_rows_are_not_learnt_but_tune_the_threshold() -> None:
    texts, labels = make_intent_examples()
    val_rows = list(range(2, len(texts), 5))
    train_rows = [i for i in range(len(texts)) if i not in val_rows]
    validation = Validation([texts[i] for i in val_rows], [labels[i] for i in val_rows])

    model = IntentClassifier(options=IntentOptions(learn_oos=False)).fit(
        [texts[i] for i in train_rows] + list(OUT_OF_SCOPE),
        [labels[i] for i in train_rows] + ["oos"] * len(OUT_OF_SCOPE),
        validation=validation,
        oos_label="oos",
    )

    assert "oos" not in model.labels
    # 10 unseen OOS examples, at most 2 % answered: none of them may be answered.
    assert [r.out_of_scope for r in model.predict(list(OUT_OF_SCOPE))] == [True] * 10


def test_fast_tfidf_equals_scikit_learns_transform() -> None:
    texts, _labels = make_intent_examples()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    vectorizer.fit(texts)
    probe = ["Wo bleibt meine Bestellung?", "", "Rechnung RE-2026-001234 bitte"]

    np.testing.assert_allclose(
        fast_tfidf(vectorizer, probe).toarray(), vectorizer.transform(probe).toarray(), atol=1e-12
    )


def test_stage1_gate_admits_only_the_prefix_where_tfidf_agrees_with_the_embedding_model() -> None:
    labels = np.array(["a", "b"])
    # Rows sorted by stage-1 confidence; the fourth is where stage 1 and the full model disagree.
    quick = np.array([[0.99, 0.01], [0.95, 0.05], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    fast = np.array([[0.99, 0.01], [0.97, 0.03], [0.9, 0.1], [0.1, 0.9], [0.9, 0.1]])
    truth = ["a", "a", "a", "b", "a"]

    gate = _choose_quick_gate(
        (quick, labels, _Thresholds()),
        (fast, labels, _Thresholds(), None),
        truth,
        oos_label=None,
        options=IntentOptions(quick_agreement=0.999),
    )

    assert gate == 0.9


def test_stage1_answers_without_embedding_and_agrees_with_the_full_fast_path() -> None:
    texts, labels = make_intent_examples()
    model = IntentClassifier().fit(texts, labels)
    probe = [
        "Wo bleibt meine Bestellung 4711?",
        "Ich brauche eine Kopie der Rechnung",
        "Erzähl mir einen Witz über Katzen.",
    ]

    answered_alone = model.stage1_answers(probe)
    with_stage1 = model.predict(probe)
    without = model.predict(probe, use_stage1=False)

    assert model.quick is not None
    assert answered_alone.tolist()[:2] == [True, True]
    for alone, a, b in zip(answered_alone, with_stage1, without, strict=True):
        if alone:
            assert (a.intent, a.unsure, a.out_of_scope) == (b.intent, b.unsure, b.out_of_scope)
