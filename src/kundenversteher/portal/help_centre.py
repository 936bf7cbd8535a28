"""The help centre page. The knowledge issue fills ``{% block help %}`` with articles; until then
the page says where the help will appear and how to reach the service team."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path


def help_centre(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html", {"nav": "help"})


urlpatterns: list[URLPattern] = [path("hilfe/", help_centre, name="help")]
