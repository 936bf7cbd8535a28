"""Fixtures of the automation tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from kundenversteher.demo import services as demo_services
from kundenversteher.intake.understanding import reset_bundle
from tests.knowledge.answers.factories import COMPANY


@pytest.fixture(autouse=True)
def _company(settings):
    """Answer templates sign with the company name."""
    settings.KV_COMPANY_NAME = COMPANY


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's intent model, trained once per session as ``make run`` trains it
    (``kundenversteher demo``: 2 000 examples, seed 2026)."""
    root = tmp_path_factory.mktemp("automation-model")
    data = root / "demo-intents.csv"
    demo_services.export_training(data, count=2_000, seed=2026)
    with override_settings(KV_MODEL_DIR=root / "models"):
        call_command(
            "kv_train", "intents", "--data", str(data), "--language-col", "language",
            "--seed", "2026", "--promote",
        )  # fmt: skip
    return root / "models"


@pytest.fixture
def demo_model(demo_model_dir: Path, settings) -> Path:
    settings.KV_MODEL_DIR = demo_model_dir
    reset_bundle()
    yield demo_model_dir
    reset_bundle()
