"""Domain errors of the knowledge base (mapped to HTTP by the entry points)."""

# Domain names read better than an Error suffix (as in cases.errors).
# ruff: noqa: N818

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class: a knowledge-base operation was refused."""


class ArticleNotFound(KnowledgeError):
    pass


class InvalidArticle(KnowledgeError):
    """The input cannot become an article (unknown language, empty title, slug taken …)."""


class ImportFailed(KnowledgeError):
    """One file could not be imported (the import report lists it; other files go on)."""
