from __future__ import annotations

import pytest

from kundenversteher.demo.knowledge import load_articles
from kundenversteher.knowledge.evaluation import DEMO_QUERIES, evaluate_retrieval
from tests.knowledge.articles.factories import index_all

pytestmark = pytest.mark.django_db


def test_evaluation_counts_recall_and_reciprocal_rank() -> None:
    load_articles()

    result = evaluate_retrieval(
        [("Rechnungskopie", "rechnungskopie"), ("Rechnungskopie", "garantie")],
        modes=("lexical",),
    )

    assert result["lexical"]["n"] == 2.0
    assert result["lexical"]["recall_at_k"] == 0.5
    assert result["lexical"]["mrr"] == 0.5


@pytest.mark.slow
def test_hybrid_search_on_the_demo_articles_meets_the_bar() -> None:
    load_articles()
    index_all()

    result = evaluate_retrieval(DEMO_QUERIES)

    assert len(DEMO_QUERIES) >= 30
    assert result["hybrid"]["recall_at_k"] >= 0.94
    assert result["hybrid"]["mrr"] >= 0.88
    assert result["hybrid"]["mrr"] >= result["lexical"]["mrr"]
