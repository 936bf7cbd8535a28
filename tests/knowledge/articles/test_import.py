from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kundenversteher.demo.knowledge import article_paths, load_articles
from kundenversteher.knowledge.models import Article, ArticleVersion, Category
from kundenversteher.knowledge.services import import_files

pytestmark = pytest.mark.django_db

MARKDOWN = """---
key: heizung-entlueften
language: de
title: Heizung entlüften
category: geraete-stoerungen
visibility: public
---
# Heizung entlüften

Gluckert es im Heizkörper, ist Luft im System.
"""

HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Bleeding your radiators</title>
<script>steal()</script><style>p{}</style></head>
<body><h1>Bleeding your radiators</h1>
<p onclick="evil()">Open the <strong>bleed valve</strong> until water comes out.</p>
<ul><li>Check the pressure</li></ul>
<a href="javascript:alert(1)">x</a></body></html>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_file_with_front_matter_becomes_an_article(tmp_path: Path) -> None:
    report = import_files([_write(tmp_path, "x.md", MARKDOWN)])

    article = Article.objects.get()
    assert (report.created, report.updated, report.failed) == (1, 0, 0)
    assert (article.translation_key, article.language, article.title) == (
        "heizung-entlueften",
        "de",
        "Heizung entlüften",
    )
    assert article.category is not None
    assert article.category.slug == "geraete-stoerungen"
    # The leading "# Title" is the title, not a second heading in the body.
    assert article.body_markdown == "Gluckert es im Heizkörper, ist Luft im System.\n"


def test_importing_the_same_file_twice_adds_no_version(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.md", MARKDOWN)
    import_files([path])

    report = import_files([path])

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert ArticleVersion.objects.count() == 1


def test_changed_file_adds_a_version(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.md", MARKDOWN)
    import_files([path])
    path.write_text(MARKDOWN + "\nNeuer Absatz.\n", encoding="utf-8")

    report = import_files([path])

    assert report.updated == 1
    assert Article.objects.get().version == 2


def test_html_file_is_sanitised_and_converted_to_markdown(tmp_path: Path) -> None:
    import_files([_write(tmp_path, "bleeding-radiators.html", HTML)])

    article = Article.objects.get()
    assert (article.translation_key, article.language, article.title) == (
        "bleeding-radiators",
        "en",
        "Bleeding your radiators",
    )
    assert "steal" not in article.body_markdown
    assert "evil" not in article.body_markdown
    assert "javascript" not in article.body_html
    assert "Open the **bleed valve** until water comes out." in article.body_markdown
    assert "- Check the pressure" in article.body_markdown


def test_file_name_gives_key_and_language_when_front_matter_is_missing(tmp_path: Path) -> None:
    import_files([_write(tmp_path, "Rückgabe.en.md", "# Returns\n\nWithin 14 days.\n")])

    article = Article.objects.get()
    assert (article.translation_key, article.language, article.title) == (
        "rueckgabe",
        "en",
        "Returns",
    )


def test_broken_files_are_reported_and_the_rest_is_imported(tmp_path: Path) -> None:
    good = _write(tmp_path, "gut.md", MARKDOWN)
    no_title = _write(tmp_path, "ohne-titel.md", "Nur Text.\n")
    bad_header = _write(tmp_path, "kopf.md", "---\nautor: Anna\n---\n# T\n")
    binary = tmp_path / "kaputt.md"
    binary.write_bytes(b"\xff\xfe\x00 kein utf-8")
    other = _write(tmp_path, "bild.png", "x")

    report = import_files([no_title, good, bad_header, binary, other])

    assert [(Path(f.path).name, f.ok) for f in report.files] == [
        ("ohne-titel.md", False),
        ("gut.md", True),
        ("kopf.md", False),
        ("kaputt.md", False),
        ("bild.png", False),
    ]
    assert report.files[2].message == "Unbekannte Kopfzeile: autor: Anna"
    assert Article.objects.count() == 1


def test_import_command_reports_progress_and_summary(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", MARKDOWN)
    _write(tmp_path, "b.en.md", "# Bleeding\n\nOpen the valve.\n")
    out = StringIO()

    call_command("kv_kb_import", str(tmp_path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/2] ok ")
    assert lines[-1] == "2 Dateien: 2 neu, 0 geändert, 0 unverändert, 0 fehlerhaft."


def test_import_command_fails_when_a_file_fails(tmp_path: Path) -> None:
    _write(tmp_path, "ohne-titel.md", "Nur Text.\n")

    with pytest.raises(CommandError, match="1 Datei"):
        call_command("kv_kb_import", str(tmp_path), stdout=StringIO())


def test_demo_articles_load_once_and_include_internal_ones() -> None:
    first = load_articles()
    second = load_articles()

    assert first == len(article_paths())
    assert second == 0
    assert Article.objects.filter(visibility="internal").count() >= 3
    assert Article.objects.filter(language="de").count() >= 12
    assert Article.objects.filter(language="en").count() >= 12
    assert Category.objects.filter(slug="geraete-stoerungen").get().name_en == "Devices and faults"
