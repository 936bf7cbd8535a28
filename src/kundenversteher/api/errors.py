"""Errors of the API app, and the ONE place where domain errors become HTTP responses.

Every router raises domain errors (from ``cases.errors``, ``customers.errors`` or this module);
``install_error_handlers`` maps them to status codes with a JSON body
``{"detail": <message>, "code": <machine-readable code>}``. Validation errors keep ninja's shape
(422 with a list of ``{"loc", "msg", "type"}`` per field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from kundenversteher.cases import errors as case_errors
from kundenversteher.customers import errors as customer_errors


class ApiError(Exception):
    """Base of the API app's own domain errors."""


class InvalidInputError(ApiError):
    """Input that passes the schema but makes no sense (e.g. an expiry in the past)."""


class ResourceNotFoundError(ApiError):
    """A lookup by number or serial found nothing the caller may see."""


class ScopeMissingError(ApiError):
    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class RateLimitedError(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class InvalidScopeError(ApiError):
    def __init__(self, scopes: Sequence[str]) -> None:
        super().__init__(", ".join(scopes))
        self.scopes = list(scopes)


class OutboundNotAllowedError(ApiError):
    """A webhook URL the installation may not call (outbound calls are off by default)."""

    def __init__(self, *, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason

    def message(self) -> str:
        if self.reason == "scheme":
            return _("Nur http- und https-Adressen sind erlaubt.")
        return _(
            "Ausgehende Verbindungen sind in dieser Installation abgeschaltet "
            "(KV_OUTBOUND_ALLOWED ist nicht gesetzt); erlaubt sind nur Adressen auf "
            "diesem Rechner (127.0.0.1, ::1, localhost)."
        )


# Any: ninja's handler type is invariant in the exception parameter.
Handler = Callable[[HttpRequest, Any], HttpResponse]


def _json(api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


def _domain_error_table() -> list[tuple[type[Exception], int, str]]:
    """Domain error classes of the lower apps → (status, code). Most specific first."""
    table: list[tuple[type[Exception], int, str]] = []
    table.extend(_lower_app_errors())
    table.extend(
        [
            (ResourceNotFoundError, 404, "not_found"),
            (InvalidInputError, 400, "invalid_input"),
            (ObjectDoesNotExist, 404, "not_found"),
            (Http404, 404, "not_found"),
            (PermissionDenied, 403, "not_allowed"),
        ]
    )
    return table


def _lower_app_errors() -> list[tuple[type[Exception], int, str]]:
    # Handlers are looked up along the exception's MRO, so subclasses listed here win over
    # their app's base class (the fallback at the end of each block).
    return [
        (case_errors.CaseNotFound, 404, "not_found"),
        (case_errors.NotAllowed, 403, "not_allowed"),
        (case_errors.IllegalTransition, 409, "illegal_transition"),
        (case_errors.ConcurrentUpdate, 409, "concurrent_update"),
        (case_errors.CaseClosed, 409, "case_closed"),
        (case_errors.AttachmentRejected, 422, "attachment_rejected"),
        (case_errors.CaseError, 409, "case_error"),
        (customer_errors.CustomerNotFoundError, 404, "not_found"),
        (customer_errors.OrderNotFoundError, 404, "not_found"),
        (customer_errors.InvalidIdentityError, 422, "invalid_identity"),
        (customer_errors.InvalidCustomerDataError, 422, "invalid_customer_data"),
        (customer_errors.IdentityInUseError, 409, "identity_in_use"),
        (customer_errors.InvalidStatusTransitionError, 409, "illegal_transition"),
        (customer_errors.MergeNotAllowedError, 409, "merge_not_allowed"),
        (customer_errors.CustomerError, 400, "customer_error"),
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    def handle_auth(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = _json(
            api,
            request,
            401,
            "not_authenticated",
            _(
                "Nicht angemeldet: Token fehlt, ist ungültig, abgelaufen oder widerrufen. "
                "Erwartet wird der Kopf 'Authorization: Bearer <token>'."
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="kundenversteher"'
        return response

    def handle_scope(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ScopeMissingError)  # noqa: S101 - registered for this class only
        return _json(
            api,
            request,
            403,
            "scope_missing",
            _("Dem Token fehlt die Berechtigung „%(scope)s“ für diesen Aufruf.")
            % {"scope": exc.scope},
        )

    def handle_rate(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, RateLimitedError)  # noqa: S101
        response = _json(
            api,
            request,
            429,
            "rate_limited",
            _("Zu viele Anfragen. Bitte in %(seconds)d Sekunden erneut versuchen.")
            % {"seconds": exc.retry_after},
        )
        response["Retry-After"] = str(exc.retry_after)
        return response

    def handle_invalid_scope(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, InvalidScopeError)  # noqa: S101
        return _json(
            api,
            request,
            400,
            "invalid_scope",
            _("Unbekannte Berechtigung(en): %(scopes)s") % {"scopes": ", ".join(exc.scopes)},
        )

    def handle_outbound(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, OutboundNotAllowedError)  # noqa: S101
        return _json(api, request, 400, "outbound_not_allowed", exc.message())

    def handle_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _json(
            api,
            request,
            413,
            "request_too_large",
            _("Die Anfrage ist zu groß."),
        )

    handlers: dict[type[Exception], Handler] = {
        AuthenticationError: handle_auth,
        ScopeMissingError: handle_scope,
        RateLimitedError: handle_rate,
        InvalidScopeError: handle_invalid_scope,
        OutboundNotAllowedError: handle_outbound,
        RequestDataTooBig: handle_too_big,
        TooManyFieldsSent: handle_too_big,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)

    for exc_class, status, code in _domain_error_table():
        api.add_exception_handler(exc_class, _mapped(api, status, code))


def _mapped(api: NinjaAPI, status: int, code: str) -> Handler:
    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        body: dict[str, Any] = {"detail": _message_of(exc), "code": code}
        field_errors = getattr(exc, "errors", None)
        if isinstance(field_errors, dict):
            body["errors"] = field_errors
        return api.create_response(request, body, status=status)

    return handler


def _message_of(exc: Exception) -> str:
    """The domain error's own (translated) message, or a generic one per status.

    Not-found messages never echo what was looked up: a guessed id must not reveal whether the
    record exists for someone else.
    """
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return _("Nicht gefunden.")
    message: Any = getattr(exc, "message", None)
    if callable(message):
        message = message()
    if message:
        return str(message)
    return str(exc) or _("Aktion nicht möglich.")
