"""Who holds personal data: every app that does registers a provider here (from ``wiring.py``).

The privacy app sits in the lowest layer and never imports the apps whose data it exports or
erases; they come to it through this registry.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class PrivacyProvider(Protocol):
    def export(self, customer_id: int) -> dict[str, Any]:
        """All personal data this app holds about the customer, JSON-serialisable."""
        ...

    def erase(self, customer_id: int) -> int:
        """Erase or anonymise it; return how many rows changed (0 when already erased).

        Runs inside the caller's transaction; must be safe to call twice.
        """
        ...


_PROVIDERS: dict[str, PrivacyProvider] = {}


def register_provider(name: str, provider: PrivacyProvider) -> None:
    """Register (or replace) the provider of app ``name``. Replacing keeps start-up idempotent."""
    if not isinstance(provider, PrivacyProvider):
        raise TypeError(f"{provider!r} does not implement PrivacyProvider (export, erase)")
    _PROVIDERS[name] = provider


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def registered_providers() -> dict[str, PrivacyProvider]:
    """Name → provider, in registration order (erasure runs in this order)."""
    return dict(_PROVIDERS)
