"""Suite-wide fixtures. The database is SQLite unless KV_DATABASE_URL points at PostgreSQL
(``make test`` runs the suite once on each)."""

from __future__ import annotations

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# Shared CI machines are loaded: time limits per example would make property tests flaky.
hypothesis_settings.register_profile("kv", deadline=None)
hypothesis_settings.load_profile("kv")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: object) -> None:
    """Attachments written by a test land in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined,operator]


def is_postgres() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))
