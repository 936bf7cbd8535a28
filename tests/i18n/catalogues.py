"""Finding, checking and compiling the gettext catalogues under src/kundenversteher.

German is the source language; every catalogue is ``<root>/locale/en/LC_MESSAGES/django.po``, where
``<root>`` is an app directory (it has an ``apps.py``) or the project package itself (settings.py,
project templates). The GNU gettext tools do the parsing, so no hand-written .po parser is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import kundenversteher

PACKAGE_DIR = Path(kundenversteher.__file__).resolve().parent
CATALOGUE = Path("locale") / "en" / "LC_MESSAGES" / "django.po"
# msgfmt translates its own report; the C locale keeps it parseable.
_C_LOCALE = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}


@dataclass(frozen=True, slots=True)
class Statistics:
    translated: int
    fuzzy: int
    untranslated: int


def app_dirs() -> list[Path]:
    """Every app of the project, installed or not, sorted by name."""
    return sorted(path.parent for path in PACKAGE_DIR.glob("*/apps.py"))


def catalogue_roots() -> list[Path]:
    """The project package first, then every app: each owns (or ought to own) one catalogue."""
    return [PACKAGE_DIR, *app_dirs()]


def root_name(root: Path) -> str:
    return "project" if root == PACKAGE_DIR else root.name


def catalogues() -> list[Path]:
    """Every English catalogue that exists under the package."""
    return sorted(PACKAGE_DIR.glob(f"**/{CATALOGUE}"))


def copy_sources(root: Path, into: Path) -> Path:
    """Copy what makemessages reads for ``root`` (the project level: everything but the apps)."""
    skip = {path.name for path in app_dirs()} if root == PACKAGE_DIR else set()

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(shutil.ignore_patterns("__pycache__", "*.mo")(directory, names))
        if Path(directory) == root:
            ignored |= skip & set(names)
        return ignored

    target = into / root_name(root)
    shutil.copytree(root, target, ignore=ignore)
    (target / "locale").mkdir(exist_ok=True)
    return target


def msgfmt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", *args], capture_output=True, text=True, env=_C_LOCALE, check=False
    )


def statistics(po: Path) -> Statistics:
    """Counts from ``msgfmt --statistics``; a format error (placeholders changed) raises."""
    result = msgfmt("--check-format", "--statistics", "-o", os.devnull, str(po))
    if result.returncode != 0:
        raise AssertionError(f"msgfmt rejects {po}:\n{result.stderr}")
    return Statistics(*(_count(result.stderr, word) for word in _WORDS))


_WORDS = ("translated message", "fuzzy translation", "untranslated message")


def _count(report: str, words: str) -> int:
    match = re.search(rf"(\d+) {words}", report)
    return int(match.group(1)) if match else 0


def fuzzy_or_untranslated(po: Path) -> str:
    """The offending entries of ``po`` as text (for a readable failure)."""
    result = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        env=_C_LOCALE,
        check=True,
    )
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        env=_C_LOCALE,
        check=True,
    )
    return result.stdout + untranslated.stdout


def merge(pos: list[Path], into: Path) -> Path:
    """One catalogue of all; a msgid translated differently in two files comes out fuzzy."""
    subprocess.run(
        ["msgcat", "--no-wrap", "-o", str(into), *map(str, pos)],
        capture_output=True,
        text=True,
        env=_C_LOCALE,
        check=True,
    )
    return into


def compile_into(directory: Path) -> list[Path]:
    """Compile every catalogue into ``directory``; returns locale paths, project level first.

    Compiling from the .po sources (not the build output of ``make messages``) lets the tests run
    on a fresh checkout and never see a stale .mo file.
    """
    paths: list[Path] = []
    for root in catalogue_roots():
        po = root / CATALOGUE
        if not po.exists():
            continue
        locale = directory / root_name(root) / "locale"
        (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
        result = msgfmt("--check-format", "-o", str(locale / "en/LC_MESSAGES/django.mo"), str(po))
        if result.returncode != 0:
            raise AssertionError(f"msgfmt rejects {po}:\n{result.stderr}")
        paths.append(locale)
    return paths
