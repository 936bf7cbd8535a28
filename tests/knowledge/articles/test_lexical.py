"""Full-text half of the search (mode="lexical"; no embeddings needed). Runs on SQLite (FTS5)
and on PostgreSQL (GIN + ts_rank) alike."""

from __future__ import annotations

import pytest
from django.db import connection

from kundenversteher.knowledge.retrieval import search
from kundenversteher.knowledge.services import archive_article
from tests.conftest import is_postgres
from tests.knowledge.articles.factories import make_article, make_small_knowledge_base

pytestmark = pytest.mark.django_db


def _keys(query: str, **kwargs: object) -> list[str]:
    return [h.translation_key for h in search(query, mode="lexical", **kwargs)]  # type: ignore[arg-type]


def test_full_text_index_exists_after_all_migrations() -> None:
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_article'")
            assert "knowledge_article_fts" in {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'knowledge_article_fts%'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert {"knowledge_article_fts_ai", "knowledge_article_fts_ad"} <= names
            assert "knowledge_article_fts_au" in names


def test_inflected_german_question_finds_the_article() -> None:
    make_small_knowledge_base()

    assert _keys("Wie entlüfte ich meine Heizung?", language="de")[0] == "heizung-entlueften"
    assert _keys("Heizkörper gluckern")[0] == "heizung-entlueften"
    assert _keys("Kopie einer Rechnung")[0] == "rechnungskopie"


def test_title_words_weigh_more_than_body_words() -> None:
    make_article("a", title="Versandkosten", body="Ab 150 € liefern wir frei.\n")
    make_article("b", title="Rücksendung", body="Die Versandkosten der Rücksendung tragen wir.\n")

    assert _keys("Versandkosten") == ["a", "b"]


def test_internal_articles_only_for_the_internal_audience() -> None:
    make_small_knowledge_base()

    assert "intern-kulanz" not in _keys("Kulanz Lieferverzug", audience="public")
    assert _keys("Kulanz Lieferverzug", audience="internal")[0] == "intern-kulanz"


def test_drafts_and_archived_articles_are_not_found() -> None:
    make_article(status="draft")
    archived = make_article("rechnungskopie", title="Rechnungskopie anfordern", body="PDF.\n")
    archive_article(article_id=archived.pk)

    assert _keys("Heizung entlüften") == []
    assert _keys("Rechnungskopie") == []


def test_edited_text_is_found_at_once() -> None:
    make_article(body="Alter Text über Ventile.\n")
    make_article(body="Neuer Text über den Anlagendruck.\n")

    assert _keys("Anlagendruck") == ["heizung-entlueften"]
    assert _keys("Ventile") == []
    assert _keys("Alter") == []


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "NEAR(a b)", "*", "x:*", "a & | !", "'; --"])
def test_search_syntax_in_queries_is_harmless(query: str) -> None:
    make_small_knowledge_base()

    assert isinstance(search(query, mode="lexical"), list)
