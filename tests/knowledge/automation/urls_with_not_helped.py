"""The project's URLs with the portal's "did not help" link (until ``portal/urls.py`` has it)."""

from django.urls import URLPattern, URLResolver, include, path

from kundenversteher import urls as project
from kundenversteher.portal import not_helped
from kundenversteher.portal import urls as portal

urlpatterns: list[URLPattern | URLResolver] = [
    *(p for p in project.urlpatterns if str(p.pattern) != "portal/"),
    path("portal/", include(([*portal.urlpatterns, *not_helped.urlpatterns], "portal"))),
]
