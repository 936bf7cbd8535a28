import pytest

from kundenversteher.customers.privacy import CustomersPrivacyProvider
from kundenversteher.privacy.registry import (
    register_provider,
    registered_providers,
    unregister_provider,
)


@pytest.fixture
def customers_provider():
    """Register the customers app's provider as wiring.py does, and restore the registry."""
    before = registered_providers()
    register_provider("customers", CustomersPrivacyProvider())
    yield
    unregister_provider("customers")
    for name, provider in before.items():
        register_provider(name, provider)
