"""Pure helpers for ranked retrieval: reciprocal rank fusion and the usual ranking metrics.

Shared by the knowledge base's search (fusing the lexical and the semantic ranking) and by the
benchmarks, so that what is measured is what ships. No Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

# k = 60 is the constant of Cormack, Clarke & Büttcher (SIGIR 2009); it damps the influence of
# the very first ranks so that one ranking alone cannot dominate the fused list.
RRF_K = 60


def rrf(rankings: Iterable[Sequence[Key]], *, k: int = RRF_K) -> list[tuple[Key, float]]:
    """Reciprocal rank fusion: each ranking (best first) gives a document ``1 / (k + rank)``
    (rank from 1); the fused list is sorted by the summed score, best first. Ties keep the order
    in which the documents were first seen, so the result is deterministic."""
    if k < 0:
        raise ValueError("k must not be negative")
    scores: dict[Key, float] = {}
    for ranking in rankings:
        seen: set[Key] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:  # a document counts once per ranking, at its best rank
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    # sorted() is stable and dicts keep insertion order: ties stay in first-seen order.
    return sorted(scores.items(), key=lambda item: -item[1])


def reciprocal_rank(ranking: Sequence[Key], relevant: Collection[Key]) -> float:
    """1 / rank of the first relevant document, 0 when none is in the ranking."""
    for rank, key in enumerate(ranking, start=1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def recall_at_k(
    rankings: Sequence[Sequence[Key]], relevant: Sequence[Collection[Key]], *, k: int = 5
) -> float:
    """Mean over queries of the share of each query's relevant documents found in its top k.
    Queries without any relevant document are an error (they would silently count as 0 or 1)."""
    _check(rankings, relevant)
    total = 0.0
    for ranking, wanted in zip(rankings, relevant, strict=True):
        top = set(ranking[:k])
        total += sum(1 for key in wanted if key in top) / len(wanted)
    return total / len(rankings)


def mean_reciprocal_rank(
    rankings: Sequence[Sequence[Key]], relevant: Sequence[Collection[Key]]
) -> float:
    """Mean over queries of 1 / rank of the first relevant document (0 when not found)."""
    _check(rankings, relevant)
    return sum(
        reciprocal_rank(ranking, wanted) for ranking, wanted in zip(rankings, relevant, strict=True)
    ) / len(rankings)


def _check(rankings: Sequence[Sequence[Key]], relevant: Sequence[Collection[Key]]) -> None:
    if len(rankings) != len(relevant):
        raise ValueError("need one set of relevant documents per ranking")
    if not rankings:
        raise ValueError("need at least one query")
    if any(len(wanted) == 0 for wanted in relevant):
        raise ValueError("every query needs at least one relevant document")
