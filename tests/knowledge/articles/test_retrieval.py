"""Hybrid search with real embeddings (USE, loaded once per process, ~2 s)."""

from __future__ import annotations

import pytest

from kundenversteher.knowledge.models import ArticleChunk
from kundenversteher.knowledge.retrieval import search
from kundenversteher.knowledge.tasks import reindex_article, reindex_stale_articles
from tests.knowledge.articles.factories import (
    DELIVERY_DE,
    INVOICE_DE,
    index_all,
    make_article,
    make_small_knowledge_base,
)

pytestmark = pytest.mark.django_db


def test_german_question_finds_the_german_article_first() -> None:
    make_small_knowledge_base()
    index_all()

    hits = search("Wie entlüfte ich meine Heizung?", language="de")

    assert (hits[0].translation_key, hits[0].language, hits[0].title) == (
        "heizung-entlueften",
        "de",
        "Heizung entlüften",
    )
    assert hits[0].lexical_rank == 1
    assert hits[0].semantic_rank == 1
    assert hits[0].slug == "heizung-entlueften"
    assert "Luft im System" in hits[0].snippet


def test_english_question_finds_a_german_only_article_cross_lingually() -> None:
    make_article()
    make_article("rechnungskopie", title="Rechnungskopie anfordern", body=INVOICE_DE)
    make_article("lieferzeiten", title="Lieferzeiten und Versand", body=DELIVERY_DE)
    index_all()

    hits = search("how do I bleed my radiators", language="en")

    assert hits[0].translation_key == "heizung-entlueften"
    assert hits[0].language == "de"
    assert hits[0].lexical_rank is None  # no shared word: only the embedding connects them
    assert hits[0].semantic_rank == 1


def test_translations_are_one_hit_in_the_asked_language() -> None:
    make_small_knowledge_base()
    index_all()

    english = search("Heizung entlüften", language="en")
    german = search("bleeding radiators", language="de")

    assert [h.translation_key for h in english].count("heizung-entlueften") == 1
    assert (english[0].translation_key, english[0].language) == ("heizung-entlueften", "en")
    assert (german[0].translation_key, german[0].language) == ("heizung-entlueften", "de")


def test_internal_articles_never_appear_in_public_search() -> None:
    make_small_knowledge_base()
    index_all()

    public = search("Kulanz Versandkosten Lieferverzug erstatten", audience="public", k=10)
    internal = search("Kulanz Versandkosten Lieferverzug erstatten", audience="internal", k=10)

    assert "intern-kulanz" not in [h.translation_key for h in public]
    assert internal[0].translation_key == "intern-kulanz"


def test_index_follows_an_edit_without_a_restart() -> None:
    make_article("lieferzeiten", title="Lieferzeiten und Versand", body=DELIVERY_DE)
    other = make_article("rechnungskopie", title="Rechnungskopie anfordern", body=INVOICE_DE)
    index_all()
    query = "Wie setze ich mein Passwort zurück?"
    assert "rechnungskopie" not in [h.translation_key for h in search(query, mode="semantic")]

    make_article(
        "rechnungskopie",
        title="Passwort zurücksetzen",
        body="Passwort vergessen? Über den Link in der E-Mail setzen Sie ein neues Passwort.\n",
    )
    assert reindex_article.call(other.pk) == 1

    # No cache clearing here: the matrix cache must notice the new chunks by itself.
    hits = search(query, mode="semantic")
    assert hits[0].translation_key == "rechnungskopie"
    versions = ArticleChunk.objects.filter(article=other).values_list("article_version", flat=True)
    assert set(versions) == {2}


def test_reindexing_is_idempotent() -> None:
    article = make_article()

    assert reindex_article.call(article.pk) == 2
    assert reindex_article.call(article.pk) == 0
    assert reindex_article.call(999_999) == 0


def test_chunks_follow_headings_and_carry_the_title() -> None:
    article = make_article()
    reindex_article.call(article.pk)

    chunks = list(ArticleChunk.objects.filter(article=article).order_by("position"))
    assert [c.heading for c in chunks] == ["", "So geht's"]
    assert chunks[1].text.startswith("Heizung entlüften. So geht's.\n")
    assert len(chunks[0].vector) == 512 * 4  # USE, float32


def test_unrelated_and_empty_queries_find_nothing() -> None:
    make_small_knowledge_base()
    index_all()

    assert search("Pizza Margherita Rezept") == []
    assert search("   ") == []


def test_backfill_reindexes_only_missing_or_stale_articles() -> None:
    first = make_article()
    make_article("rechnungskopie", title="Rechnungskopie anfordern", body=INVOICE_DE)
    reindex_article.call(first.pk)

    assert reindex_stale_articles.call() == 1
    make_article(body="Geänderter Text.\n")
    assert reindex_stale_articles.call() == 1
    assert reindex_stale_articles.call() == 0
