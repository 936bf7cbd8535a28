"""The two search indexes of the knowledge base.

Lexical: the services store each article's title and text as *stemmed* words in
``Article.search_title``/``search_body`` (Snowball, German or English by the article's
language); SQLite's FTS5 table ``knowledge_article_fts`` (external content, triggers, migration
0002) and PostgreSQL's GIN index over ``to_tsvector('simple', …)`` index those columns. Stemming
in Python rather than in the database gives both databases the same behaviour (FTS5 has no German
stemmer), and query words are stemmed the same way, so "entlüfte" finds "Entlüften".

Semantic: :func:`reindex_article` cuts an article into heading-sized chunks and stores one
embedding per chunk (``ArticleChunk``). It runs in the task ``knowledge.reindex_article``,
enqueued by every service that changes an article, and is idempotent: chunks that already belong
to the article's current version and embedder are left alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import snowballstemmer
from django.db import transaction
from django.db.models import Count, Max

from kundenversteher.intelligence.embeddings import USE, get_embedder
from kundenversteher.knowledge.models import Article, ArticleChunk
from kundenversteher.knowledge.types import Language

# USE, not e5: on the demo query set (knowledge/evaluation.py) hybrid search is as good with
# either (Recall@5 0.96, MRR 0.91), but USE indexes ~4x faster (5.6 s vs 22 s for 97 chunks on
# one core), embeds a query in ~3 ms instead of ~40 ms, and its cosine scale separates nonsense
# queries (e5 scores "asdfgh qwertz" 0.82 against our articles). KV_KB_EMBEDDER=e5 switches.
DEFAULT_EMBEDDER = USE

# Letters and digits; "_" is not part of a word (and never reaches a tsquery).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Chunks longer than this are split at paragraph boundaries: e5 reads at most 512 tokens, and a
# chunk about one thing matches a question about that thing better than a whole article does.
MAX_CHUNK_CHARS = 700

# Words that carry no topic. Dropping them keeps natural questions ("Wie entlüfte ich meine
# Heizung?") from matching every article on "ich" and "meine".
_STOP_WORDS_TEXT = """
a ab aber alle als also am an auch auf aus bei bin bis bitte da damit dann das dass dem den der
des dich die dies diese dieser dir do doch du durch ein eine einem einen einer eines er es etwas
euch euer für gibt hab habe haben hallo hat hatte ich ihr ihre ihnen im in ist ja kann kein keine
man mein meine meinem meinen meiner mich mir mit muss nach nicht noch nun nur ob oder sein seine
sich sie sind so soll über um und uns unser unsere vom von vor war was welche wenn wer werde
werden wie wir wird wo zu zum zur
about an and are as at be but by can could do does for from get has have how i if in is it me my
of on or our please the this to was what when where which who why will with would you your
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@functools.cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german" if language == Language.DE else "english")


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` without stop words (umlauts kept; the stemmer folds them)."""
    return [
        w
        for w in (m.group(0).lower() for m in _WORD.finditer(unicodedata.normalize("NFC", text)))
        # Lone short numbers ("1", "24") are noise; article and error numbers have 3+ digits.
        if w not in STOP_WORDS and (not w.isdigit() or len(w) >= 3)
    ]


@functools.lru_cache(maxsize=65536)
def _stem(word: str, language: str) -> str:
    # The pure-Python Snowball stemmer costs ~0.5 ms a word; vocabulary repeats, so a cache
    # makes snippets and re-saves cheap (65 536 words ≈ 10 MB).
    return str(_stemmer(language).stemWord(word))


def stems(text: str, *, language: str) -> list[str]:
    return [_stem(w, language) for w in words(text)]


def search_text(text: str, *, language: str) -> str:
    """The stemmed form stored for the full-text index."""
    return " ".join(stems(text, language=language))


def query_stems(query: str, *, language: str | None) -> list[str]:
    """Stems of a user's query, deduplicated, in order. Without a language both stemmers are
    asked: German and English stems of the same word often differ ("heating" → "heat")."""
    languages = [language] if language else [Language.DE.value, Language.EN.value]
    seen: dict[str, None] = {}
    for lang in languages:
        for stem in stems(query, language=lang):
            if len(stem) >= 2:
                seen.setdefault(stem, None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Chunk:
    position: int
    heading: str
    text: str


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def chunk_markdown(title: str, markdown: str) -> list[Chunk]:
    """Split at headings, then at blank lines when a section is longer than MAX_CHUNK_CHARS.

    The article title is prefixed to every chunk's text: "Schritt 3: Ventil schließen" alone does
    not say it is about bleeding radiators.
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            sections.append((match.group(2), []))
        else:
            sections[-1][1].append(line)
    chunks: list[Chunk] = []
    for heading, lines in sections:
        paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
        if not paragraphs:
            continue
        current: list[str] = []
        for paragraph in paragraphs:
            if current and sum(len(p) for p in current) + len(paragraph) > MAX_CHUNK_CHARS:
                chunks.append(_chunk(len(chunks), title, heading, current))
                current = []
            current.append(paragraph)
        chunks.append(_chunk(len(chunks), title, heading, current))
    if not chunks:
        chunks.append(Chunk(0, "", title))
    return chunks


_MARKUP = re.compile(r"[*_`>#|]+")
_SPACES = re.compile(r"[ \t]+")


def _chunk(position: int, title: str, heading: str, paragraphs: list[str]) -> Chunk:
    body = _SPACES.sub(" ", _MARKUP.sub(" ", "\n".join(paragraphs))).strip()
    lead = f"{title}. {heading}." if heading else f"{title}."
    return Chunk(position, heading[:200], f"{lead}\n{body}")


def reindex_article(*, article_id: int, embedder_name: str = DEFAULT_EMBEDDER) -> int:
    """Rebuild the semantic chunks of one article; returns the number of chunks written (0 when
    they were current or the article is gone). Embedding runs outside any transaction."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    current = ArticleChunk.objects.filter(
        article_id=article_id, embedder=embedder_name, article_version=article.version
    ).exists()
    if current:
        return 0
    chunks = chunk_markdown(article.title, article.body_markdown)
    vectors = get_embedder(embedder_name).embed([c.text for c in chunks], kind="passage")
    with transaction.atomic():
        # Re-read under lock: an edit while we were embedding makes our vectors stale, and the
        # task enqueued by that edit will write the right ones.
        locked = Article.objects.order_by().select_for_update().filter(pk=article_id).first()
        if locked is None or locked.version != article.version:
            return 0
        ArticleChunk.objects.filter(article_id=article_id, embedder=embedder_name).delete()
        ArticleChunk.objects.bulk_create(
            ArticleChunk(
                article_id=article_id,
                position=chunk.position,
                heading=chunk.heading,
                text=chunk.text,
                vector=np.asarray(vector, dtype=np.float32).tobytes(),
                embedder=embedder_name,
                article_version=article.version,
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        )
    return len(chunks)


def index_version(*, embedder_name: str = DEFAULT_EMBEDDER) -> tuple[int, int]:
    """A cheap fingerprint of the semantic index: chunks are deleted and inserted, never updated,
    so any change moves the count or the highest id."""
    agg = ArticleChunk.objects.filter(embedder=embedder_name).aggregate(
        n=Count("id"), top=Max("id")
    )
    return int(agg["n"] or 0), int(agg["top"] or 0)


def stale_article_ids(*, embedder_name: str = DEFAULT_EMBEDDER) -> list[int]:
    """Articles whose chunks are missing or belong to an older version (for a sweep/backfill)."""
    fresh = ArticleChunk.objects.filter(embedder=embedder_name).values_list(
        "article_id", "article_version"
    )
    current = set(fresh)
    return [
        pk
        for pk, version in Article.objects.values_list("pk", "version")
        if (pk, version) not in current
    ]
