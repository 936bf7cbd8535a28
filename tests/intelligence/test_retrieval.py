from __future__ import annotations

import pytest

from kundenversteher.intelligence.retrieval import (
    mean_reciprocal_rank,
    recall_at_k,
    reciprocal_rank,
    rrf,
)


def test_rrf_sums_reciprocal_ranks_over_rankings() -> None:
    fused = rrf([["a", "b", "c"], ["b", "c", "d"]], k=60)

    assert [key for key, _ in fused] == ["b", "c", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[2][1] == pytest.approx(1 / 61)


def test_rrf_breaks_ties_in_first_seen_order_and_counts_duplicates_once() -> None:
    fused = rrf([["x", "y", "x"], ["y", "x"]], k=0)

    assert fused == [("x", 1.5), ("y", 1.5)]


def test_rrf_rejects_negative_k() -> None:
    with pytest.raises(ValueError, match="negative"):
        rrf([["a"]], k=-1)


def test_reciprocal_rank_is_zero_when_nothing_relevant_was_found() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"c"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a", "b"], {"z"}) == 0.0


def test_recall_at_k_counts_only_the_top_k() -> None:
    rankings = [["a", "b", "c"], ["x", "y", "z"]]
    relevant = [{"c"}, {"x", "q"}]

    assert recall_at_k(rankings, relevant, k=2) == pytest.approx((0.0 + 0.5) / 2)
    assert recall_at_k(rankings, relevant, k=3) == pytest.approx((1.0 + 0.5) / 2)


def test_mean_reciprocal_rank_averages_over_queries() -> None:
    assert mean_reciprocal_rank([[1, 2], [3, 4], [5]], [{2}, {3}, {9}]) == pytest.approx(0.5)


def test_metrics_refuse_queries_without_relevant_documents() -> None:
    with pytest.raises(ValueError, match="relevant"):
        recall_at_k([["a"]], [set()])
    with pytest.raises(ValueError, match="one set"):
        mean_reciprocal_rank([["a"]], [])
