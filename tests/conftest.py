"""Suite-wide fixtures. The database is SQLite unless KV_DATABASE_URL points at PostgreSQL
(``make test`` runs the suite once on each)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

# Shared CI machines are loaded: time limits per example would make property tests flaky.
hypothesis_settings.register_profile("kv", deadline=None)
hypothesis_settings.load_profile("kv")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: object) -> None:
    """Attachments written by a test land in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined,operator]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language (German).

    Django keeps the language LocaleMiddleware activated for a request in the thread after the
    response, so an earlier test's English request would otherwise leak into the next test.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def is_postgres() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))
