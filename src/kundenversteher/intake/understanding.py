"""The intelligence core as the pipeline uses it: one model bundle per process, loaded lazily."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from kundenversteher.intelligence import ModelBundle, Understanding, understand
from kundenversteher.intelligence.artefacts import load_default_bundle

_lock = threading.Lock()


@functools.cache
def _bundle(model_dir: str) -> ModelBundle:
    # Loading takes a second or two; a worker analyses thousands of messages with one bundle.
    return load_default_bundle(Path(model_dir))


def bundle_for(model_dir: Path) -> ModelBundle:
    with _lock:  # the first two threads of a process must not both load the models
        return _bundle(str(model_dir))


def reset_bundle() -> None:
    """Forget the loaded models (after ``promote`` put new ones in place, and in tests)."""
    _bundle.cache_clear()


def analyse(*, text: str, subject: str, channel: str, model_dir: Path) -> Understanding:
    return understand(text, subject=subject or None, channel=channel, models=bundle_for(model_dir))
