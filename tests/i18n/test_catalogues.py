"""Every marked German string has an English translation, and the catalogues agree with each other.

If one of these fails after you added or changed a string, refresh the catalogue and translate:
``cd src/kundenversteher/<app> && KV_DEBUG=1 ../../../.venv/bin/kundenversteher makemessages -l en
--no-location``; for the project level run it in src/kundenversteher with ``-i <app>`` for every app
directory and ``-i intelligence``, so that app strings stay in their own catalogues.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from tests.i18n.catalogues import (
    CATALOGUE,
    PACKAGE_DIR,
    catalogue_roots,
    catalogues,
    copy_sources,
    fuzzy_or_untranslated,
    merge,
    root_name,
    statistics,
)


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR))


def test_the_catalogues_of_the_core_apps_exist() -> None:
    names = {relative(po) for po in catalogues()}

    assert {
        f"{app}/{CATALOGUE}"
        for app in ("customers", "cases", "privacy", "events", "lib", "api", "workspace")
    } | {str(CATALOGUE)} <= names


@pytest.mark.parametrize("po", catalogues(), ids=relative)
def test_a_catalogue_has_no_untranslated_or_fuzzy_entry(po: Path) -> None:
    counts = statistics(po)

    assert (counts.fuzzy, counts.untranslated) == (0, 0), fuzzy_or_untranslated(po)
    assert counts.translated > 0
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")  # the header counts too


def test_a_msgid_has_the_same_translation_in_every_catalogue(tmp_path: Path) -> None:
    # Django merges all catalogues of a language into one: a second translation would be lost.
    merged = merge(catalogues(), tmp_path / "all.po")

    assert statistics(merged).fuzzy == 0, fuzzy_or_untranslated(merged)


@pytest.mark.parametrize("root", catalogue_roots(), ids=root_name)
def test_the_catalogue_covers_every_string_marked_in_the_sources(
    root: Path, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # makemessages on a copy: new strings come out untranslated (or fuzzy), removed ones obsolete.
    copy = copy_sources(root, tmp_path)
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["en"], no_location=True, verbosity=0)

    refreshed = copy / CATALOGUE
    if not refreshed.exists():
        assert not (root / CATALOGUE).exists(), "the sources mark no string any more"
        return
    assert (root / CATALOGUE).exists(), f"{root_name(root)} marks strings but has no catalogue"
    counts = statistics(refreshed)
    assert (counts.fuzzy, counts.untranslated) == (0, 0), fuzzy_or_untranslated(refreshed)
    assert "#~ msgid" not in refreshed.read_text(encoding="utf-8"), "obsolete entries"
