"""Project URLs: admin, the API (/api/, docs at /api/docs), login/logout, language switch,
health check and the workspace."""

from django.contrib import admin
from django.urls import include, path

from kundenversteher.api.health import healthz
from kundenversteher.api.urls import api
from kundenversteher.workspace import views as workspace_views

urlpatterns = [
    # The admin signs in through the same rate-limited login (its own form has no limit).
    # Not redirecting signed-in users here: a non-staff user would bounce back and forth.
    path(
        "admin/login/",
        workspace_views.LoginView.as_view(redirect_authenticated_user=False),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("login/", workspace_views.LoginView.as_view(), name="login"),
    path("logout/", workspace_views.LogoutView.as_view(), name="logout"),
    path("portal/", include("kundenversteher.portal.urls")),
    path("", include("kundenversteher.workspace.urls")),
]
