"""The help centre and the article editor in Chromium under the project's CSP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.cases.factories import Personas
from tests.knowledge.articles.factories import index_all, make_small_knowledge_base

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_german_question_in_the_help_centre_finds_the_article(
    page: Any, live_url: str, console: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    make_small_knowledge_base()
    index_all()

    page.goto(f"{live_url}/portal/hilfe/")
    page.fill("#help-q", "Wie entlüfte ich meine Heizung?")
    with page.expect_navigation():
        page.click("form.help-search button[type=submit]")

    first = page.locator("ol.help-results > li").first
    expect(first.locator("a")).to_have_text("Heizung entlüften")
    first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Heizung entlüften")
    screenshot(page, "help-centre-article")
    console.assert_clean()


def test_the_article_editor_previews_markdown_as_you_type(
    page: Any, live_url: str, personas: Personas, console: Any
) -> None:
    page.goto(f"{live_url}/admin/login/?next=/admin/knowledge/article/add/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/login/'] button[type=submit]")

    page.fill("textarea.kb-markdown", "## Schritt 1\n\n**Pumpe** aus <script>x()</script>")

    preview = page.locator("#kb-preview")
    expect(preview.locator("h2")).to_have_text("Schritt 1")
    expect(preview.locator("strong")).to_have_text("Pumpe")
    expect(preview.locator("script")).to_have_count(0)
    console.assert_clean()
