"""Demo knowledge base of Brenner Wärmetechnik GmbH: categories and the Markdown articles in
``demo/articles/`` (German and English, three internal ones), loaded through the import service.

Idempotent: an unchanged file adds no version, so loading the demo twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from kundenversteher.knowledge.services import ensure_category, import_files

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"

# (slug, German name, English name) in help-centre order.
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("bestellung-versand", "Bestellung und Versand", "Orders and shipping"),
    ("rechnung-zahlung", "Rechnung und Zahlung", "Invoices and payment"),
    ("konto-portal", "Kundenkonto und Portal", "Account and portal"),
    ("vertraege-wartung", "Wartungsverträge", "Maintenance contracts"),
    ("geraete-stoerungen", "Geräte und Störungen", "Devices and faults"),
    ("rueckgabe-garantie", "Rückgabe und Garantie", "Returns and warranty"),
    ("intern", "Intern", "Internal"),
)


def article_paths() -> list[Path]:
    return sorted(ARTICLES_DIR.glob("*.md"))


def load_articles(*, by: AbstractBaseUser | None = None) -> int:
    """Create the demo categories and articles; returns the number of articles created or
    changed (0 on a second run). Raises RuntimeError when a demo file does not import."""
    for position, (slug, name_de, name_en) in enumerate(CATEGORIES, start=1):
        ensure_category(slug=slug, name_de=name_de, name_en=name_en, position=position * 10)
    report = import_files(article_paths(), by=by)
    failed = [f"{f.path}: {f.message}" for f in report.files if not f.ok]
    if failed:
        raise RuntimeError("Demo-Artikel fehlerhaft: " + "; ".join(failed))
    return report.created + report.updated
