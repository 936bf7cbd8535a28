"""Workspace URLs, composed from one module per screen (each module owns its urlpatterns)."""

from django.urls import path

from kundenversteher.workspace import (
    case_view,
    documents,
    inbox,
    intake_monitor,
    supervisor,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    *inbox.urlpatterns,
    *case_view.urlpatterns,
    *supervisor.urlpatterns,
    *documents.urlpatterns,
    *intake_monitor.urlpatterns,
]
