import json

import pytest
from django.test import RequestFactory

from kundenversteher.api.urls import api
from kundenversteher.cases import errors as case_errors
from kundenversteher.customers import errors as customer_errors


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (case_errors.NotAllowed("nein"), 403, "not_allowed"),
        (case_errors.CaseNotFound("weg"), 404, "not_found"),
        (case_errors.IllegalTransition("new", "closed"), 409, "illegal_transition"),
        (case_errors.ConcurrentUpdate("zu spät"), 409, "concurrent_update"),
        (case_errors.CaseClosed("zu"), 409, "case_closed"),
        (case_errors.AttachmentRejected("zu groß"), 422, "attachment_rejected"),
        (case_errors.CaseError("sonstiges"), 409, "case_error"),
        (customer_errors.CustomerNotFoundError("weg"), 404, "not_found"),
        (customer_errors.IdentityInUseError("belegt", owner_id=1), 409, "identity_in_use"),
        (customer_errors.MergeNotAllowedError("nein"), 409, "merge_not_allowed"),
        (customer_errors.CustomerError("sonstiges"), 400, "customer_error"),
    ],
)
def test_domain_errors_map_to_one_status_each(exc, status, code):
    response = api.on_exception(RequestFactory().get("/api/v1/x"), exc)

    assert response.status_code == status
    assert json.loads(response.content)["code"] == code


def test_field_errors_of_the_domain_are_passed_on():
    exc = customer_errors.InvalidCustomerDataError(
        "Ungültig", errors={"postcode": ["5 Ziffern erwartet"]}
    )

    response = api.on_exception(RequestFactory().post("/api/v1/customers/"), exc)

    assert response.status_code == 422
    assert json.loads(response.content) == {
        "detail": "Ungültig",
        "code": "invalid_customer_data",
        "errors": {"postcode": ["5 Ziffern erwartet"]},
    }
