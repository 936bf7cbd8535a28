"""Login rate limit: after N failed attempts for one username from one address, refuse further
attempts for a while. Small on purpose; state lives in the shared cache (database by default).

The window starts at the first failure and is stored explicitly: Django's cache ``incr``
re-sets the default timeout, which would keep extending (or shorten) the lockout.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    max_failures: int
    window_seconds: int

    def _key(self, *, username: str, ip: str) -> str:
        raw = f"{username.strip().casefold()}|{ip}".encode()
        # Hashed: usernames (personal data) do not appear in the cache table.
        return "kv:login-fail:" + hashlib.sha256(raw).hexdigest()

    def _state(self, key: str, now: float) -> tuple[int, float]:
        stored = cache.get(key)
        if not stored:
            return 0, now
        count, started = stored
        if now - started >= self.window_seconds:
            return 0, now
        return int(count), float(started)

    def is_locked(self, *, username: str, ip: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        count, _ = self._state(self._key(username=username, ip=ip), now)
        return count >= self.max_failures

    def record_failure(self, *, username: str, ip: str, now: float | None = None) -> int:
        """Count a failed attempt; returns the failures in the current window."""
        now = time.time() if now is None else now
        key = self._key(username=username, ip=ip)
        count, started = self._state(key, now)
        count += 1
        remaining = max(1, int(started + self.window_seconds - now))
        cache.set(key, (count, started), timeout=remaining)
        return count

    def reset(self, *, username: str, ip: str) -> None:
        cache.delete(self._key(username=username, ip=ip))
