from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kundenversteher.intelligence.artefacts import (
    INTENTS_DIR,
    IncompatibleArtefactError,
    PromotionRefusedError,
    load_artefact,
    load_default_bundle,
    promote,
    read_report,
)
from kundenversteher.intelligence.intents import IntentClassifier
from kundenversteher.intelligence.sentiment import default_sentiment_model
from kundenversteher.intelligence.training import train_intents
from tests.intelligence.model_factories import make_intent_csv


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("artefact")
    csv_path = make_intent_csv(base / "intents.csv")
    train_intents(csv_path, language_col="language", out_dir=base / "model", progress=False)
    return base / "model"


def _set_metric(model_dir: Path, value: float) -> None:
    report = read_report(model_dir)
    report["metrics"]["macro_f1"] = value
    (model_dir / "report.json").write_text(json.dumps(report), encoding="utf-8")


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_saved_model_loads_back_and_predicts_identically(artefact: Path) -> None:
    model, report = load_artefact(artefact, kind="intent")
    again, _ = load_artefact(artefact, kind="intent")
    probe = ["Wo ist meine Bestellung?", "Rechnungskopie bitte"]

    assert isinstance(model, IntentClassifier)
    assert report["version"] == model.version
    np.testing.assert_array_equal(model.predict_proba(probe), again.predict_proba(probe))
    assert [r.model_version for r in model.predict(probe)] == [report["version"]] * 2


def test_report_records_version_data_hash_sizes_metrics_and_libraries(artefact: Path) -> None:
    report = read_report(artefact)

    assert report["kind"] == "intent"
    assert len(report["training_data_sha256"]) == 64
    assert report["sizes"] == {"train": 64, "heldout": 16, "labels": 4}
    assert set(report["metrics"]) >= {"accuracy", "macro_f1", "coverage"}
    assert report["libraries"]["scikit-learn"] == "1.9.1"
    assert (artefact / "heldout.csv").read_text(encoding="utf-8").count("\n") == 17


def test_loader_rejects_an_artefact_from_another_scikit_learn_release(
    artefact: Path, tmp_path: Path
) -> None:
    old = _copy(artefact, tmp_path / "old")
    report = read_report(old)
    report["libraries"]["scikit-learn"] = "1.5.2"
    (old / "report.json").write_text(json.dumps(report), encoding="utf-8")

    with pytest.raises(IncompatibleArtefactError, match=r"scikit-learn 1\.5\.2 erstellt"):
        load_artefact(old)


def test_first_promotion_installs_the_candidate(artefact: Path, tmp_path: Path) -> None:
    result = promote(artefact, tmp_path / INTENTS_DIR)

    assert result.promoted
    assert result.current_score is None
    assert read_report(tmp_path / INTENTS_DIR)["version"] == read_report(artefact)["version"]


def test_promotion_refuses_a_worse_candidate_on_the_same_split(
    artefact: Path, tmp_path: Path
) -> None:
    current = _copy(artefact, tmp_path / "current")
    candidate = _copy(artefact, tmp_path / "candidate")
    _set_metric(current, 0.9)
    _set_metric(candidate, 0.8)

    with pytest.raises(PromotionRefusedError, match="schlechter"):
        promote(candidate, current)

    assert read_report(current)["metrics"]["macro_f1"] == 0.9


def test_forced_promotion_replaces_and_keeps_the_previous_model(
    artefact: Path, tmp_path: Path
) -> None:
    current = _copy(artefact, tmp_path / "current")
    candidate = _copy(artefact, tmp_path / "candidate")
    _set_metric(current, 0.9)
    _set_metric(candidate, 0.8)

    result = promote(candidate, current, force=True)

    assert result.promoted
    assert read_report(current)["metrics"]["macro_f1"] == 0.8
    assert read_report(tmp_path / "current.previous")["metrics"]["macro_f1"] == 0.9


def test_current_model_is_re_measured_on_the_candidates_split_when_splits_differ(
    artefact: Path, tmp_path: Path
) -> None:
    current = _copy(artefact, tmp_path / "current")
    candidate = _copy(artefact, tmp_path / "candidate")
    report = read_report(current)
    report["heldout_sha256"] = "another split"
    report["metrics"]["macro_f1"] = 0.0  # must be ignored: measured on other data
    (current / "report.json").write_text(json.dumps(report), encoding="utf-8")
    _set_metric(candidate, 0.0)

    with pytest.raises(PromotionRefusedError, match=r"0\.0000 < 1\.0000"):
        promote(candidate, current)


def test_default_bundle_without_models_has_no_intent_model_and_the_seed_sentiment(
    tmp_path: Path,
) -> None:
    bundle = load_default_bundle(tmp_path)

    assert bundle.intent is None
    assert bundle.sentiment is default_sentiment_model()


def test_default_bundle_loads_promoted_intent_model(artefact: Path, tmp_path: Path) -> None:
    promote(artefact, tmp_path / INTENTS_DIR)

    bundle = load_default_bundle(tmp_path)

    assert bundle.intent is not None
    assert bundle.intent.version == read_report(artefact)["version"]


def test_default_bundle_skips_an_incompatible_intent_model_and_logs_it(
    artefact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    current = _copy(artefact, tmp_path / INTENTS_DIR)
    report = read_report(current)
    report["libraries"]["scikit-learn"] = "0.24.2"
    (current / "report.json").write_text(json.dumps(report), encoding="utf-8")

    bundle = load_default_bundle(tmp_path)

    assert bundle.intent is None
    assert "Intent-Modell" in caplog.text
    assert "scikit-learn 0.24.2" in caplog.text
