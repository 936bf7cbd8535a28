"""A fixed-window request counter in the shared cache (database cache by default).

Used to limit login-link requests per e-mail address and per client address. The window starts
with the first hit and is stored with the count: Django's ``incr`` would re-set the timeout.
Keys are hashed so that e-mail addresses (personal data) never appear in the cache table.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True, slots=True)
class WindowLimit:
    scope: str
    max_hits: int
    window_seconds: int

    def _key(self, value: str) -> str:
        digest = hashlib.sha256(f"{self.scope}|{value.strip().casefold()}".encode()).hexdigest()
        return f"kv:portal:{self.scope}:{digest}"

    def _state(self, key: str, now: float) -> tuple[int, float]:
        stored = cache.get(key)
        if not stored:
            return 0, now
        count, started = stored
        if now - started >= self.window_seconds:
            return 0, now
        return int(count), float(started)

    def hit(self, value: str, *, now: float | None = None) -> bool:
        """Count one request; False when it exceeds the limit (the request must be refused)."""
        now = time.time() if now is None else now
        key = self._key(value)
        count, started = self._state(key, now)
        if count >= self.max_hits:
            return False
        remaining = max(1, int(started + self.window_seconds - now))
        cache.set(key, (count + 1, started), timeout=remaining)
        return True
