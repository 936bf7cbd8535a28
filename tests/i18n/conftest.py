from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from tests.i18n.catalogues import compile_into


@pytest.fixture(scope="session")
def compiled_locale_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return compile_into(tmp_path_factory.mktemp("locale"))


@pytest.fixture
def catalogues(settings: Settings, compiled_locale_paths: list[Path]) -> None:
    """Django reads the freshly compiled catalogues (changing the setting resets its cache).

    LOCALE_PATHS take precedence over the apps' own locale folders, so a stale .mo left there by
    ``make messages`` cannot hide a changed translation; a translation deleted from a .po file is
    caught by test_catalogues instead.
    """
    settings.LOCALE_PATHS = compiled_locale_paths
