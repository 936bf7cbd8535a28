"""Portal URLs, composed from one module per area (each module owns its urlpatterns)."""

from kundenversteher.portal import account, contact

app_name = "portal"

urlpatterns = [*account.urlpatterns, *contact.urlpatterns]
