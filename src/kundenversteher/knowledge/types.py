"""Frozen value types of the knowledge base for other apps (answers, automation, suggestions,
portal, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Language(StrEnum):
    DE = "de"
    EN = "en"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """One search result. ``score`` is the fused reciprocal-rank score (higher is better);
    ``lexical_rank``/``semantic_rank`` are 1-based ranks in each list, None when absent there."""

    article_id: int
    translation_key: str
    language: str
    title: str
    slug: str
    snippet: str
    score: float
    lexical_rank: int | None
    semantic_rank: int | None


@dataclass(frozen=True, slots=True)
class CategoryView:
    slug: str
    name: str
    article_count: int


@dataclass(frozen=True, slots=True)
class ArticleLink:
    title: str
    slug: str
    language: str


@dataclass(frozen=True, slots=True)
class ArticleView:
    """A published article as the help centre shows it; ``body_html`` is already sanitised."""

    article_id: int
    translation_key: str
    language: str
    title: str
    slug: str
    body_html: str
    category_slug: str
    category_name: str
    visibility: str
    published_at: datetime | None
    updated_at: datetime
    translations: tuple[ArticleLink, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedFile:
    path: str
    ok: bool
    article_id: int | None
    created: bool
    changed: bool
    message: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: tuple[ImportedFile, ...] = field(default_factory=tuple)

    @property
    def created(self) -> int:
        return sum(1 for f in self.files if f.ok and f.created)

    @property
    def updated(self) -> int:
        return sum(1 for f in self.files if f.ok and f.changed and not f.created)

    @property
    def unchanged(self) -> int:
        return sum(1 for f in self.files if f.ok and not f.changed)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if not f.ok)
