"""The public help centre in the portal: no login, public published articles only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.knowledge.articles.factories import index_all, make_article, make_small_knowledge_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge() -> None:
    make_small_knowledge_base()
    make_article("entwurf", title="Geheimer Entwurf", body="Noch nicht fertig.\n", status="draft")


def test_start_page_lists_categories_and_german_articles(client: Client, knowledge: None) -> None:
    make_article("garantie", title="Garantie", body="Fünf Jahre.\n", category="rueckgabe-garantie")

    response = client.get("/portal/hilfe/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert "Hilfe-Center" in html
    assert '<a href="/portal/hilfe/heizung-entlueften/">Heizung entlüften</a>' in html
    assert "Rueckgabe garantie" in html  # provisional name of a category created by an import
    assert "Bleeding your radiators" not in html
    assert "Kulanzregeln" not in html
    assert "Geheimer Entwurf" not in html


def test_start_page_in_english_with_lang_parameter(client: Client, knowledge: None) -> None:
    response = client.get("/portal/hilfe/?lang=en")

    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert 'href="/portal/hilfe/bleeding-your-radiators/?lang=en">Bleeding your radiators' in html
    assert "/portal/hilfe/heizung-entlueften/" not in html


def test_search_finds_the_article_for_a_german_question(client: Client, knowledge: None) -> None:
    index_all()

    response = client.get("/portal/hilfe/suche/", {"q": "Wie entlüfte ich meine Heizung?"})

    html = response.content.decode()
    assert response.status_code == 200
    first = html.index('<ol class="help-results">')
    assert html.index("Heizung entlüften", first) < html.index("</li>", first)
    assert "Luft im System" in html
    assert "Kulanz" not in html


def test_search_in_english_shows_english_versions(client: Client, knowledge: None) -> None:
    index_all()

    response = client.get("/portal/hilfe/suche/", {"q": "bleed radiator", "lang": "en"})

    html = response.content.decode()
    assert 'href="/portal/hilfe/bleeding-your-radiators/?lang=en">Bleeding your radiators' in html
    assert response["Content-Language"] == "en"


def test_internal_article_search_words_find_nothing_public(client: Client, knowledge: None) -> None:
    index_all()

    response = client.get("/portal/hilfe/suche/", {"q": "Kulanzregeln"})

    html = response.content.decode()
    assert "0 Artikel gefunden." in html
    assert "/portal/hilfe/kulanzregeln" not in html


def test_search_escapes_the_query(client: Client, knowledge: None) -> None:
    response = client.get("/portal/hilfe/suche/", {"q": "<script>alert(1)</script>"})

    assert "<script>alert(1)" not in response.content.decode()


def test_search_is_rate_limited_per_address(
    client: Client, knowledge: None, settings: object
) -> None:
    settings.KV_HELP_SEARCH_PER_MINUTE = 2  # type: ignore[attr-defined]

    statuses = [client.get("/portal/hilfe/suche/", {"q": "Rechnung"}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert (
        "Zu viele Suchanfragen" in client.get("/portal/hilfe/suche/", {"q": "x"}).content.decode()
    )


def test_article_page_renders_sanitised_body_and_translation_link(
    client: Client, knowledge: None
) -> None:
    response = client.get("/portal/hilfe/heizung-entlueften/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Heizung entlüften</h1>" in html
    assert "<h2>So geht&#x27;s</h2>" in html or "<h2>So geht's</h2>" in html
    assert 'href="/portal/hilfe/bleeding-your-radiators/?lang=en"' in html


def test_english_article_page_is_rendered_in_english(client: Client, knowledge: None) -> None:
    response = client.get("/portal/hilfe/bleeding-your-radiators/")

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_german_link_opened_in_english_redirects_to_the_translation(
    client: Client, knowledge: None
) -> None:
    response = client.get("/portal/hilfe/heizung-entlueften/?lang=en")

    assert response.status_code == 302
    assert response["Location"] == "/portal/hilfe/bleeding-your-radiators/?lang=en"


@pytest.mark.parametrize(
    "slug", ["kulanzregeln-bei-lieferverzug-intern", "geheimer-entwurf", "gibt-es-nicht"]
)
def test_internal_draft_and_unknown_articles_are_not_found(
    client: Client, knowledge: None, slug: str
) -> None:
    assert client.get(f"/portal/hilfe/{slug}/").status_code == 404
