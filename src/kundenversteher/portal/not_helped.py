""" "Das hat nicht geholfen": the one-click link in an automatic answer (signed, no login).

GET only shows a button (mail scanners fetch links and must not reopen cases); the POST hands
the case to a person with priority (``knowledge.automation.services.report_not_helped``).
The lead adds ``*not_helped.urlpatterns`` to ``portal/urls.py``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.errors import InvalidFeedbackLinkError


def not_helped(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            services.report_not_helped(token=token)
            return render(request, "portal/not_helped.html", {"state": "done"})
        services.decision_for_feedback(token=token)
    except InvalidFeedbackLinkError:
        return render(request, "portal/not_helped.html", {"state": "invalid"}, status=400)
    return render(request, "portal/not_helped.html", {"state": "confirm"})


urlpatterns = [path("nicht-geholfen/<str:token>/", not_helped, name="not_helped")]
