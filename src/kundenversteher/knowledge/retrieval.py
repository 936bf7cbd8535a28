"""Hybrid article search: full-text (stemmed words, BM25 / ts_rank) and semantic (multilingual
sentence embeddings per chunk), fused by reciprocal rank.

Why both: the full-text index finds exact terms (error codes like "E101", "Wartungsvertrag",
serial formats) that embeddings blur; embeddings find paraphrases ("Heizkörper gluckert" →
"Heizung entlüften") and the other language ("bleed radiator" → the German article) that no
stemmer connects. Reciprocal-rank fusion (k=60, Cormack et al. 2009) needs no score calibration
between the two lists. German and English versions of one article (same ``translation_key``) are
one result: the version in the asked language is shown, the other one's ranks count for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Q

from kundenversteher.intelligence.embeddings import get_embedder
from kundenversteher.knowledge import indexing
from kundenversteher.knowledge.models import Article, ArticleChunk
from kundenversteher.knowledge.tasks import configured_embedder
from kundenversteher.knowledge.types import ArticleHit, ArticleStatus, Visibility

RRF_K = 60
# Each list contributes its best CANDIDATES; deeper ranks add almost nothing to a 1/(60+rank) sum.
CANDIDATES = 50
# Results in the other language (no translation in the asked one) count a little less.
OTHER_LANGUAGE_FACTOR = 0.8
# Cosine similarity below which a chunk is not a semantic hit at all. e5 scores unrelated German
# texts around 0.75-0.80; without a floor a nonsense query would still "find" five articles.
SEMANTIC_FLOOR = {"e5": 0.80, "use": 0.15}
# Prefix matching for longer stems only: "ab*" would match half the index.
MIN_PREFIX = 4
SNIPPET_CHARS = 220
MAX_QUERY_CHARS = 500

AUDIENCES = ("public", "internal")

POSTGRES_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'B'))"
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    article_id: int
    translation_key: str
    language: str
    title: str
    slug: str


def _allowed(audience: str) -> dict[int, _Candidate]:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if audience == "public":
        articles = articles.filter(visibility=Visibility.PUBLIC)
    return {
        row[0]: _Candidate(*row)
        # No body texts here: only the k shown hits need one (for the snippet).
        for row in articles.values_list("pk", "translation_key", "language", "title", "slug")
    }


# --- lexical ----------------------------------------------------------------------------------


def _sqlite_match(stems: list[str]) -> str:
    # Stems are [^\W_]+ only and quoted: no FTS5 syntax gets in.
    return " OR ".join(f'"{s}"*' if len(s) >= MIN_PREFIX else f'"{s}"' for s in stems)


def _postgres_tsquery(stems: list[str]) -> str:
    return " | ".join(f"{s}:*" if len(s) >= MIN_PREFIX else s for s in stems)


def lexical_ranking(query: str, *, language: str | None, audience: str) -> list[int]:
    """Article ids by full-text relevance (best first), published and visible to ``audience``."""
    stems = indexing.query_stems(query[:MAX_QUERY_CHARS], language=language)
    if not stems:
        return []
    visibility = "" if audience == "internal" else "AND a.visibility = 'public' "
    published = ArticleStatus.PUBLISHED.value
    # Raw SQL: table and column names are constants; the user's words travel as parameters.
    if connection.vendor == "sqlite":
        sql = (
            "SELECT a.id FROM knowledge_article_fts f JOIN knowledge_article a ON a.id = f.rowid "  # noqa: S608
            "WHERE knowledge_article_fts MATCH %s AND a.status = %s "
            f"{visibility}ORDER BY bm25(knowledge_article_fts, 3.0, 1.0), a.id LIMIT %s"
        )
        params: list[str | int] = [_sqlite_match(stems), published, CANDIDATES]
    elif connection.vendor == "postgresql":
        sql = (
            f"SELECT a.id FROM knowledge_article a, to_tsquery('simple'::regconfig, %s) q "  # noqa: S608
            f"WHERE {POSTGRES_VECTOR} @@ q AND a.status = %s {visibility}"
            f"ORDER BY ts_rank({POSTGRES_VECTOR}, q) DESC, a.id LIMIT %s"
        )
        params = [_postgres_tsquery(stems), published, CANDIDATES]
    else:  # not supported, but not broken: substring match on the stems
        condition = Q()
        for stem in stems:
            condition |= Q(search_title__contains=stem) | Q(search_body__contains=stem)
        ids = Article.objects.filter(condition, status=published)
        if audience == "public":
            ids = ids.filter(visibility=Visibility.PUBLIC)
        return list(ids.order_by("pk").values_list("pk", flat=True)[:CANDIDATES])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# --- semantic ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Matrix:
    version: tuple[int, int]
    article_ids: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]


class _MatrixCache:
    """All chunk vectors of one embedder in one matrix, per process. Rebuilt when the index
    version (chunk count, highest chunk id) moves; checking costs one aggregate query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_embedder: dict[str, _Matrix] = {}

    def get(self, embedder_name: str) -> _Matrix:
        version = indexing.index_version(embedder_name=embedder_name)
        with self._lock:
            cached = self._by_embedder.get(embedder_name)
            if cached is not None and cached.version == version:
                return cached
        rows = list(
            ArticleChunk.objects.filter(embedder=embedder_name).values_list("article_id", "vector")
        )
        dim = get_embedder(embedder_name).dim
        vectors = (
            np.vstack([np.frombuffer(bytes(v), dtype=np.float32) for _a, v in rows])
            if rows
            else np.zeros((0, dim), dtype=np.float32)
        )
        matrix = _Matrix(version, np.array([a for a, _v in rows], dtype=np.int64), vectors)
        with self._lock:
            self._by_embedder[embedder_name] = matrix
        return matrix

    def clear(self) -> None:
        with self._lock:
            self._by_embedder.clear()


matrix_cache = _MatrixCache()


def semantic_ranking(
    query: str, *, allowed: Iterable[int], embedder_name: str | None = None
) -> list[tuple[int, float]]:
    """(article id, best chunk similarity) by similarity, best first, above the floor."""
    name = embedder_name or configured_embedder()
    matrix = matrix_cache.get(name)
    if matrix.vectors.shape[0] == 0 or not query.strip():
        return []
    vector = get_embedder(name).embed([query[:MAX_QUERY_CHARS]], kind="query")[0]
    similarities = matrix.vectors @ vector
    allowed_ids = np.fromiter(allowed, dtype=np.int64)
    keep = np.isin(matrix.article_ids, allowed_ids) & (
        similarities >= SEMANTIC_FLOOR.get(name, 0.0)
    )
    best: dict[int, float] = {}
    # Chunks are few per article: the Python loop only visits chunks above the floor.
    for article_id, similarity in zip(
        matrix.article_ids[keep].tolist(), similarities[keep].tolist(), strict=True
    ):
        if similarity > best.get(article_id, -1.0):
            best[article_id] = similarity
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:CANDIDATES]


# --- fusion -----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def snippet(body_text: str, query: str, *, language: str) -> str:
    """The paragraph that shares most stems with the query, cut to SNIPPET_CHARS."""
    wanted = set(indexing.query_stems(query, language=language))
    paragraphs = [p.strip() for p in body_text.split("\n") if len(p.strip()) >= 20]
    if not paragraphs:
        return body_text[:SNIPPET_CHARS]
    best = max(
        paragraphs,
        key=lambda p: (
            len(wanted & set(indexing.stems(p, language=language))),
            -paragraphs.index(p),
        ),
    )
    if len(best) <= SNIPPET_CHARS:
        return best
    cut = best[:SNIPPET_CHARS]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end > SNIPPET_CHARS // 2:
        return cut[: sentence_end + 1]
    return cut.rsplit(" ", 1)[0] + " …"


def search(
    query: str,
    *,
    language: str | None = None,
    audience: str = "public",
    k: int = 5,
    mode: str = "hybrid",
) -> list[ArticleHit]:
    """The ``k`` best published articles for ``query`` visible to ``audience``.

    ``audience`` "public" searches public articles only, "internal" all. ``language`` prefers
    that language's version of each article (others appear when no translation exists).
    ``mode`` "lexical"/"semantic" switch one list off (for evaluation).
    """
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query or k <= 0:
        return []
    allowed = _allowed(audience)
    lexical = (
        lexical_ranking(query, language=language, audience=audience) if mode != "semantic" else []
    )
    semantic = (
        [a for a, _s in semantic_ranking(query, allowed=allowed)] if mode != "lexical" else []
    )
    lexical_rank = {a: i + 1 for i, a in enumerate(lexical) if a in allowed}
    semantic_rank = {a: i + 1 for i, a in enumerate(semantic)}

    # Group translations: one entry per translation_key.
    groups: dict[str, list[int]] = {}
    for article_id, candidate in allowed.items():
        groups.setdefault(candidate.translation_key, []).append(article_id)
    scored: list[tuple[float, str, int, int | None, int | None]] = []
    for key, ids in groups.items():
        score = 0.0
        best_lex: int | None = None
        best_sem: int | None = None
        for article_id in ids:
            if article_id in lexical_rank:
                rank = lexical_rank[article_id]
                best_lex = rank if best_lex is None else min(best_lex, rank)
            if article_id in semantic_rank:
                rank = semantic_rank[article_id]
                best_sem = rank if best_sem is None else min(best_sem, rank)
        if best_lex is not None:
            score += 1.0 / (RRF_K + best_lex)
        if best_sem is not None:
            score += 1.0 / (RRF_K + best_sem)
        if score == 0.0:
            continue
        shown = _pick_version(ids, allowed, language, lexical_rank, semantic_rank)
        if language and allowed[shown].language != language:
            score *= OTHER_LANGUAGE_FACTOR
        scored.append((score, key, shown, best_lex, best_sem))
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:k]
    bodies = dict(
        Article.objects.filter(pk__in=[item[2] for item in top]).values_list("pk", "body_text")
    )
    hits = []
    for score, key, article_id, lex, sem in top:
        candidate = allowed[article_id]
        hits.append(
            ArticleHit(
                article_id=article_id,
                translation_key=key,
                language=candidate.language,
                title=candidate.title,
                slug=candidate.slug,
                snippet=snippet(bodies.get(article_id, ""), query, language=candidate.language),
                score=round(score, 6),
                lexical_rank=lex,
                semantic_rank=sem,
            )
        )
    return hits


def _pick_version(
    ids: list[int],
    allowed: dict[int, _Candidate],
    language: str | None,
    lexical_rank: dict[int, int],
    semantic_rank: dict[int, int],
) -> int:
    if language:
        for article_id in ids:
            if allowed[article_id].language == language:
                return article_id

    def own(article_id: int) -> float:
        lex = lexical_rank.get(article_id)
        sem = semantic_rank.get(article_id)
        return (1.0 / (RRF_K + lex) if lex else 0.0) + (1.0 / (RRF_K + sem) if sem else 0.0)

    return max(ids, key=lambda a: (own(a), -a))
