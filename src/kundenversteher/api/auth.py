"""Authentication for the API: bearer tokens with scopes, or the browser session (with CSRF).

Either way the request acts as a user and the domain's visibility rules (teams, roles) apply;
a token can only narrow what its user may do, never widen it. Usage per operation:
``@router.get("/", auth=requires(Scope.CASES_READ))``.
"""

from __future__ import annotations

import time
from functools import cache as memoize
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from kundenversteher.api import services
from kundenversteher.api.errors import RateLimitedError, ScopeMissingError
from kundenversteher.cases.access import is_staff_role, role_of
from kundenversteher.cases.errors import NotAllowed
from kundenversteher.cases.models import Role

_WINDOW_SECONDS = 60


def api_rate_limit() -> int:
    """Requests per minute per token or session user (``KV_API_RATE_LIMIT``, default 600)."""
    return int(getattr(settings, "KV_API_RATE_LIMIT", 600))


def consume_rate(client_key: str, *, limit: int, now: float | None = None) -> None:
    """Count one request of ``client_key`` (a token or a session user) in its fixed one-minute
    window; raise RateLimitedError beyond ``limit``.

    Fixed windows in the shared cache (the database cache by default) keep every web process
    on the same count. The database cache's incr is read-then-write, so under heavy
    concurrency a few extra requests may slip through: a limit against runaway scripts,
    not an exact quota.
    """
    now = time.time() if now is None else now
    window = int(now // _WINDOW_SECONDS)
    key = f"kv:api-rate:{client_key}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # first request of this window (incr first: one round-trip less)
        count = 1 if cache.add(key, 1, timeout=_WINDOW_SECONDS * 2) else cache.incr(key)
    if count > limit:
        raise RateLimitedError(retry_after=max(1, _WINDOW_SECONDS - int(now % _WINDOW_SECONDS)))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kv_…``. Unknown, expired or revoked tokens → 401."""

    def __init__(self, scope: str | None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = services.authenticate_token(secret=token)
        if api_token is None:
            return None
        if self.scope is not None and not api_token.has_scope(self.scope):
            raise ScopeMissingError(self.scope)
        consume_rate(f"token:{api_token.id}", limit=api_rate_limit())
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session; ninja checks the CSRF token on unsafe methods.

    A request that carries an Authorization header is judged by that header alone, so a bad
    token is a 401 even in a browser that is logged in.
    """

    def __call__(self, request: HttpRequest) -> Any:
        # Without a session there is nothing to protect: skip the CSRF check so an anonymous
        # POST is a 401 (not a confusing CSRF 403).
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active:
            # Same budget per user as per token: a runaway script in a browser tab is limited too.
            consume_rate(f"user:{user.pk}", limit=api_rate_limit())
            return user
        return None


@memoize
def requires(scope: str | None) -> list[TokenAuth | BrowserSessionAuth]:
    """The auth list for an operation needing ``scope`` (session users have every scope)."""
    return [TokenAuth(scope), BrowserSessionAuth()]


def acting_user(request: HttpRequest) -> AbstractBaseUser:
    """The authenticated user (token owner or session user) of an authenticated operation."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # ninja ran no auth: a wiring mistake
        raise NotAllowed(_("Nicht angemeldet."))
    return user


def ensure_staff(request: HttpRequest) -> AbstractBaseUser:
    """Staff-only resources (customers, orders, devices, events): portal customers are refused."""
    user = acting_user(request)
    if not is_staff_role(role_of(user)):
        raise NotAllowed(_("Dieser Zugang ist Mitarbeitenden vorbehalten."))
    return user


def ensure_admin(request: HttpRequest) -> AbstractBaseUser:
    user = acting_user(request)
    if role_of(user) != Role.ADMIN:
        raise NotAllowed(_("Dieser Zugang ist Administratoren vorbehalten."))
    return user
