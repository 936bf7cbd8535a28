"""Portal URLs, composed from one module per area (each module owns its urlpatterns)."""

from kundenversteher.portal import account, contact, help_centre, not_helped

app_name = "portal"

urlpatterns = [
    *account.urlpatterns,
    *help_centre.urlpatterns,
    *contact.urlpatterns,
    *not_helped.urlpatterns,
]
