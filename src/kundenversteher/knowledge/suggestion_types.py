"""Frozen result types of :mod:`kundenversteher.knowledge.suggestions` for the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SuggestionKind = Literal["draft", "similar_case", "article"]


@dataclass(frozen=True, slots=True)
class ReplySuggestion:
    """One reply an agent can insert with one click.

    ``score`` is on one scale for all kinds (0..1, see the module docstring of ``suggestions``);
    ``body`` is ready to insert: answers of other customers' cases have that customer's personal
    data replaced by bracketed placeholders (listed in ``placeholders``) the agent fills in.
    Exactly one of ``case_number`` (kind similar_case) and ``article_slug`` (kind article) is set
    for the source link; a draft comes from this very case's automation decision.
    """

    kind: SuggestionKind
    title: str
    body: str
    score: float
    source_label: str
    language: str
    case_number: str = ""
    article_slug: str = ""
    placeholders: tuple[str, ...] = ()
