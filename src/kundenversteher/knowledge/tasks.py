"""Background work of the knowledge base: keeping the semantic index current."""

from __future__ import annotations

from django.conf import settings

from kundenversteher.knowledge import indexing
from kundenversteher.lib.tasks import durable_task


def configured_embedder() -> str:
    """``KV_KB_EMBEDDER`` ("e5" or "use"); the task is an entry point, so it reads settings."""
    return str(getattr(settings, "KV_KB_EMBEDDER", indexing.DEFAULT_EMBEDDER))


@durable_task(max_attempts=5, base_delay_seconds=30.0)
def reindex_article(article_id: int) -> int:
    """Re-embed one article's chunks if its version changed (safe to run twice)."""
    return indexing.reindex_article(article_id=article_id, embedder_name=configured_embedder())


@durable_task(queue_name="periodic", max_attempts=3, base_delay_seconds=60.0)
def reindex_stale_articles() -> int:
    """Backfill: re-embed every article whose chunks are missing or stale (after an embedder
    switch, a restore, or a lost task). Returns the number of articles re-embedded."""
    name = configured_embedder()
    done = 0
    for article_id in indexing.stale_article_ids(embedder_name=name):
        if indexing.reindex_article(article_id=article_id, embedder_name=name):
            done += 1
    return done
