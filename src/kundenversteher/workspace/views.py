"""Login/logout and the start page (staff go to the inbox, customers to the portal)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from kundenversteher.cases.access import CUSTOMER_ROLE, is_staff_role, role_of
from kundenversteher.workspace.login_throttle import LoginThrottle

logger = logging.getLogger(__name__)

ROLE_LABELS = {
    "admin": _("Administrator"),
    "supervisor": _("Teamleitung"),
    "agent": _("Sachbearbeitung"),
    "customer": _("Kunde"),
}


def login_throttle() -> LoginThrottle:
    return LoginThrottle(
        max_failures=int(getattr(settings, "KV_LOGIN_MAX_FAILURES", 5)),
        window_seconds=int(getattr(settings, "KV_LOGIN_LOCKOUT_SECONDS", 15 * 60)),
    )


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return str(request.META.get("REMOTE_ADDR", ""))


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        throttle = login_throttle()
        if throttle.is_locked(username=username, ip=client_ip(request)):
            logger.warning("login locked for a username from %s", client_ip(request))
            # The password is not even checked while locked: guessing gains nothing.
            form = AuthenticationForm(request, initial={"username": username})
            context = self.get_context_data(form=form, locked=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        login_throttle().record_failure(
            username=str(self.request.POST.get("username", "")), ip=client_ip(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_throttle().reset(username=form.get_user().get_username(), ip=client_ip(self.request))
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        throttle = login_throttle()
        context.setdefault("locked", False)
        context["lockout_minutes"] = max(1, throttle.window_seconds // 60)
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or an image tag cannot log anyone out."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff start in their inbox, customers in the portal; users without a role see their role."""
    role = role_of(request.user)
    if is_staff_role(role):
        return redirect("workspace:inbox")
    if role == CUSTOMER_ROLE:
        return redirect("portal:home")
    return render(
        request,
        "workspace/home.html",
        {
            "role": role,
            "role_label": ROLE_LABELS.get(role or "", _("ohne Rolle")),
            "can_use_admin": bool(getattr(request.user, "is_staff", False)),
        },
    )
