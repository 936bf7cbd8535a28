"""Fast matching of many labelled cue patterns at word starts.

One big alternation tried at every position of a 500-character mail costs about a millisecond in
``re``. Bucketing the patterns by the characters they can start with and trying only the bucket of
each word's first letter costs a tenth of that. The first characters are read from the parsed
pattern (``re._parser``); a pattern whose first character cannot be determined goes into every
bucket, so bucketing never loses a match.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

# The public aliases sre_parse/sre_constants warn on import since 3.11; the project is 3.11-only.
_c: Any = importlib.import_module("re._constants")
_p: Any = importlib.import_module("re._parser")

_ANY = None  # "could start with anything"
_WORD = re.compile(r"\w+")


def _first_chars(items: object) -> set[str] | None:
    """Possible first characters of a parsed pattern, lower-cased; None if unknown."""
    for op, arg in items:  # type: ignore[attr-defined]
        if op is _c.AT:  # \b, ^ and the like consume nothing
            continue
        if op is _c.ASSERT_NOT or op is _c.ASSERT:
            continue
        if op is _c.LITERAL:
            return {chr(arg).lower()}
        if op is _c.IN:
            chars: set[str] = set()
            for sub_op, sub_arg in arg:
                if sub_op is _c.LITERAL:
                    chars.add(chr(sub_arg).lower())
                elif sub_op is _c.RANGE and sub_arg[1] - sub_arg[0] < 64:
                    chars.update(chr(x).lower() for x in range(sub_arg[0], sub_arg[1] + 1))
                elif sub_op is _c.CATEGORY and sub_arg is _c.CATEGORY_DIGIT:
                    chars.update("0123456789")
                else:
                    return _ANY
            return chars
        if op is _c.BRANCH:
            union: set[str] = set()
            for branch in arg[1]:
                first = _first_chars(branch)
                if first is _ANY:
                    return _ANY
                union |= first
            return union
        if op is _c.SUBPATTERN:
            return _first_chars(arg[-1])
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            return _first_chars(arg[2])
        return _ANY
    return _ANY


@dataclass(frozen=True, slots=True)
class CueMatch:
    label: str
    start: int
    end: int
    text: str


class CueMatcher:
    """Labelled regular expressions matched case-insensitively at word starts, left to right,
    without overlaps; at one position the first listed pattern that matches wins."""

    def __init__(self, patterns: Sequence[tuple[str, str]]) -> None:
        buckets: dict[str | None, list[tuple[int, str, str]]] = {}
        for index, (label, pattern) in enumerate(patterns):
            first = _first_chars(_p.parse(pattern, re.IGNORECASE))
            keys: set[str | None] = {_ANY} if first is _ANY else set(first)
            for key in keys:
                buckets.setdefault(key, []).append((index, label, pattern))
        wildcard = buckets.pop(_ANY, [])
        self._labels: dict[str, str] = {}
        self._buckets: dict[str, re.Pattern[str]] = {}
        for key, entries in buckets.items():
            if key is not None:
                self._buckets[key] = self._compile(sorted(entries + wildcard))
        self._wildcard = self._compile(sorted(wildcard)) if wildcard else None

    def _compile(self, entries: list[tuple[int, str, str]]) -> re.Pattern[str]:
        parts = []
        for index, label, pattern in entries:
            self._labels[f"c{index}"] = label
            parts.append(f"(?P<c{index}>{pattern})")
        return re.compile("|".join(parts), re.IGNORECASE)

    def finditer(self, text: str) -> Iterator[CueMatch]:
        last_end = 0
        for word in _WORD.finditer(text):
            start = word.start()
            if start < last_end:
                continue
            regex = self._buckets.get(text[start].lower(), self._wildcard)
            if regex is None:
                continue
            m = regex.match(text, start)
            if m is None or m.end() == start:
                continue
            last_end = m.end()
            yield CueMatch(self._labels[m.lastgroup or ""], start, m.end(), m.group(0))
