from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kundenversteher.intelligence.artefacts import ArtefactError, load_artefact, read_report
from kundenversteher.intelligence.training import split_heldout, train_intents, train_sentiment
from tests.intelligence.model_factories import make_intent_csv, make_sentiment_csv


def test_held_out_split_is_stratified_and_keeps_rare_labels_in_training() -> None:
    labels = ["a"] * 10 + ["b"] * 10 + ["c"] * 2

    train, test = split_heldout(labels, fraction=0.2, seed=0)

    assert sorted([labels[i] for i in test]) == ["a", "a", "b", "b"]
    assert [labels[i] for i in train].count("c") == 2
    assert set(train).isdisjoint(test)


def test_same_seed_gives_the_same_held_out_metrics(tmp_path: Path) -> None:
    csv_path = make_intent_csv(tmp_path / "d.csv")

    first = train_intents(csv_path, out_dir=tmp_path / "one", progress=False)
    second = train_intents(csv_path, out_dir=tmp_path / "two", progress=False)

    assert first.metrics == second.metrics
    assert first.n_heldout == 16


def test_training_refuses_to_overwrite_an_artefact(tmp_path: Path) -> None:
    csv_path = make_intent_csv(tmp_path / "d.csv")
    train_intents(csv_path, out_dir=tmp_path / "m", progress=False)

    with pytest.raises(ArtefactError, match="nicht leer"):
        train_intents(csv_path, out_dir=tmp_path / "m", progress=False)


def test_missing_column_is_reported_by_name(tmp_path: Path) -> None:
    csv_path = make_intent_csv(tmp_path / "d.csv")

    with pytest.raises(ArtefactError, match="Spalte\\(n\\) category fehlen"):
        train_intents(csv_path, label_col="category", out_dir=tmp_path / "m", progress=False)


def test_train_sentiment_writes_a_sentiment_artefact(tmp_path: Path) -> None:
    report = train_sentiment(
        make_sentiment_csv(tmp_path / "s.csv"), out_dir=tmp_path / "s", progress=False
    )

    model, saved = load_artefact(tmp_path / "s", kind="sentiment")
    assert saved["version"] == report.version
    assert report.n_heldout == 5  # round(0.2 * 24)
    assert model.predict(["Vielen Dank, super!"])[0].label.value == "positive"


def test_train_command_promotes_and_evaluate_command_reports(
    tmp_path: Path, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.KV_MODEL_DIR = tmp_path / "models"  # type: ignore[attr-defined]
    csv_path = make_intent_csv(tmp_path / "d.csv")

    call_command(
        "kv_train",
        "intents",
        "--data",
        str(csv_path),
        "--language-col",
        "language",
        "--promote",
        verbosity=0,
    )
    call_command("kv_evaluate", "intents", "--data", str(csv_path), "--language-col", "language")

    out = capsys.readouterr().out
    assert "ist jetzt das aktuelle Modell" in out
    assert "auf " + str(csv_path) + ": 80 Nachrichten" in out
    assert "Genauigkeit" in out
    assert read_report(tmp_path / "models" / "intents")["sizes"]["train"] == 64


def test_train_command_refuses_to_promote_a_worse_model(tmp_path: Path, settings: object) -> None:
    settings.KV_MODEL_DIR = tmp_path / "models"  # type: ignore[attr-defined]
    csv_path = make_intent_csv(tmp_path / "d.csv")
    call_command("kv_train", "intents", "--data", str(csv_path), "--promote", verbosity=0)
    current = tmp_path / "models" / "intents"
    report = json.loads((current / "report.json").read_text(encoding="utf-8"))
    report["metrics"]["macro_f1"] = 1.5  # a current model no retraining on this split can beat
    (current / "report.json").write_text(json.dumps(report), encoding="utf-8")

    with pytest.raises(CommandError, match="schlechter"):
        call_command("kv_train", "intents", "--data", str(csv_path), "--promote", verbosity=0)

    assert json.loads((current / "report.json").read_text(encoding="utf-8")) == report


def test_report_records_the_stage1_gate_and_the_share_it_answers(tmp_path: Path) -> None:
    csv_path = make_intent_csv(tmp_path / "d.csv")

    trained = train_intents(csv_path, out_dir=tmp_path / "m", progress=False)
    model, _report = load_artefact(tmp_path / "m", kind="intent")
    metrics = read_report(tmp_path / "m")["metrics"]

    assert metrics["stage1_gate"] == model.quick_gate
    assert 0.0 <= metrics["stage1_share_heldout"] <= 1.0
    assert trained.metrics["stage1_gate"] == metrics["stage1_gate"]
