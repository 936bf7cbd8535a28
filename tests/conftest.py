"""Suite-wide fixtures. The database is SQLite unless KV_DATABASE_URL points at PostgreSQL
(``make test`` runs the suite once on each)."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: object) -> None:
    """Attachments written by a test land in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined,operator]


def is_postgres() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))
