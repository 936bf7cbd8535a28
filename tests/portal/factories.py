"""Typed builders for the portal tests (personas from tests/cases/factories.py)."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import Case, Message
from kundenversteher.customers.models import Customer, CustomerIdentity
from tests.cases.factories import make_customer, make_user

LINK_RE = re.compile(r"https?://\S+/portal/anmelden/([A-Za-z0-9_\-]+)/")


def make_portal_customer(
    username: str = "clara",
    *,
    email: str = "clara.schmidt@example.de",
    first_name: str = "Clara",
    last_name: str = "Schmidt",
    language: str = "de",
) -> tuple[Any, Customer]:
    user = make_user(username, first_name=first_name)
    user.email = email
    user.save(update_fields=["email"])
    customer = make_customer(last_name, first_name=first_name, user=user)
    customer.preferred_language = language
    customer.save(update_fields=["preferred_language"])
    return user, customer


def add_email_identity(customer: Customer, email: str) -> CustomerIdentity:
    return CustomerIdentity.objects.create(
        customer=customer, kind=CustomerIdentity.Kind.EMAIL, value=email.lower(), verified=True
    )


def make_customer_case(
    customer: Customer | None,
    *,
    subject: str = "Wärmepumpe brummt",
    body_text: str = "Guten Tag, meine Wärmepumpe brummt seit gestern sehr laut.",
    channel: str = "email",
    **kwargs: Any,
) -> Case:
    return case_services.open_case(
        subject=subject,
        channel=channel,
        customer_id=customer.pk if customer is not None else None,
        body_text=body_text,
        route=False,
        **kwargs,
    )


def agent_reply(case: Case, *, by: Any, text: str) -> Message:
    return case_services.add_message(
        case_id=case.pk, direction=Message.Direction.OUTBOUND, body_text=text, by=by
    )


def last_link_token() -> str:
    """The token of the newest login link in Django's test mail outbox."""
    assert mail.outbox, "no mail sent"
    match = LINK_RE.search(mail.outbox[-1].body)
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


def portal_login(client: Client, email: str) -> None:
    """Log a client in through the real magic-link flow."""
    client.post("/portal/anmelden/", {"email": email})
    token = last_link_token()
    response = client.post(f"/portal/anmelden/{token}/")
    assert response.status_code == 302, response.content
