"""Magic-link login: no account enumeration, single use, hashed, short-lived, rate limited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kundenversteher.cases.models import AgentProfile, Role
from kundenversteher.events.models import Event
from kundenversteher.portal import services
from kundenversteher.portal.errors import InvalidLoginLink
from kundenversteher.portal.models import PortalLoginToken
from tests.portal.factories import (
    add_email_identity,
    last_link_token,
    make_portal_customer,
)


def without_csrf(html: bytes) -> str:
    # The CSRF token is masked differently on every response; everything else must match.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


SAME_ANSWER = "Wenn die Adresse bei uns bekannt ist, haben wir Ihnen einen Link geschickt."


def test_login_page_asks_for_the_address_with_a_label(db: None, client: Client) -> None:
    html = client.get("/portal/anmelden/").content.decode()

    assert '<label for="id_email">E-Mail-Adresse</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_known_and_unknown_address_get_the_same_answer_and_only_the_known_a_mail(
    db: None, client: Client
) -> None:
    make_portal_customer(email="clara.schmidt@example.de")

    known = client.post("/portal/anmelden/", {"email": "Clara.Schmidt@example.de"})
    unknown = client.post("/portal/anmelden/", {"email": "niemand@example.de"})

    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.content.decode()
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert [m.to for m in mail.outbox] == [["clara.schmidt@example.de"]]
    assert mail.outbox[0].subject == "Ihr Anmeldelink für den Brenner Wärmetechnik Kundenservice"
    assert "15 Minuten gültig" in mail.outbox[0].body


def test_the_mail_is_in_the_customers_language(db: None, client: Client) -> None:
    make_portal_customer(email="john@example.co.uk", first_name="John", language="en")

    client.post("/portal/anmelden/", {"email": "john@example.co.uk"})

    assert mail.outbox[0].subject == "Your sign-in link for Brenner Wärmetechnik customer service"
    assert mail.outbox[0].body.startswith("Hello John Schmidt,")


def test_a_verified_customer_identity_address_also_gets_a_link(db: None, client: Client) -> None:
    _user, customer = make_portal_customer(email="clara.schmidt@example.de")
    add_email_identity(customer, "clara@privat.example")

    client.post("/portal/anmelden/", {"email": "clara@privat.example"})

    assert [m.to for m in mail.outbox] == [["clara.schmidt@example.de"]]


def test_staff_users_get_no_link(db: None, client: Client) -> None:
    user, _customer = make_portal_customer(username="anna", email="anna@brenner.example")
    AgentProfile.objects.create(user=user, role=Role.AGENT)

    response = client.post("/portal/anmelden/", {"email": "anna@brenner.example"})

    assert SAME_ANSWER in response.content.decode()
    assert mail.outbox == []
    assert PortalLoginToken.objects.count() == 0


def test_only_the_hash_of_the_token_is_stored(db: None, client: Client) -> None:
    make_portal_customer()

    client.post("/portal/anmelden/", {"email": "clara.schmidt@example.de"})
    token = last_link_token()

    stored = PortalLoginToken.objects.get()
    assert stored.token_hash == services.hash_token(token)
    assert token not in stored.token_hash
    assert len(token) >= 43  # 32 random bytes, URL-safe base64


def test_opening_the_link_shows_a_button_and_does_not_consume_it(db: None, client: Client) -> None:
    make_portal_customer()
    client.post("/portal/anmelden/", {"email": "clara.schmidt@example.de"})
    token = last_link_token()

    first = client.get(f"/portal/anmelden/{token}/")
    second = client.get(f"/portal/anmelden/{token}/")

    assert first.status_code == second.status_code == 200
    assert "Jetzt anmelden" in second.content.decode()
    assert PortalLoginToken.objects.get().used_at is None
    assert "_auth_user_id" not in client.session


def test_confirming_logs_in_and_leads_to_my_cases(db: None, client: Client) -> None:
    user, customer = make_portal_customer()
    client.post("/portal/anmelden/", {"email": "clara.schmidt@example.de"})

    response = client.post(f"/portal/anmelden/{last_link_token()}/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/anliegen/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert PortalLoginToken.objects.get().used_at is not None
    assert Event.objects.filter(kind="portal.logged_in", customer_id=customer.pk).count() == 1


def test_a_link_works_only_once(db: None, client: Client) -> None:
    make_portal_customer()
    client.post("/portal/anmelden/", {"email": "clara.schmidt@example.de"})
    token = last_link_token()
    client.post(f"/portal/anmelden/{token}/")

    other = Client()
    again = other.post(f"/portal/anmelden/{token}/")

    assert again.status_code == 400
    assert "nicht mehr gültig" in again.content.decode()
    assert "_auth_user_id" not in other.session


def test_an_expired_link_is_refused(db: None) -> None:
    make_portal_customer()
    then = timezone.now() - timedelta(minutes=16)
    [link] = services.request_login_link(
        email="clara.schmidt@example.de",
        link_base="http://x/portal/anmelden/",
        valid_minutes=15,
        now=then,
    )
    token = link.url.rstrip("/").rsplit("/", 1)[1]

    with pytest.raises(InvalidLoginLink):
        services.redeem_login_token(raw_token=token)
    assert PortalLoginToken.objects.get().used_at is None


def test_an_unknown_token_is_refused_without_logging_in(db: None, client: Client) -> None:
    response = client.post("/portal/anmelden/erfunden-1234567890/")

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_link_of_a_user_who_became_staff_is_burnt_without_login(db: None) -> None:
    user, _customer = make_portal_customer()
    [link] = services.request_login_link(
        email="clara.schmidt@example.de", link_base="http://x/portal/anmelden/", valid_minutes=15
    )
    AgentProfile.objects.create(user=user, role=Role.AGENT)
    token = link.url.rstrip("/").rsplit("/", 1)[1]

    with pytest.raises(InvalidLoginLink):
        services.redeem_login_token(raw_token=token)
    assert PortalLoginToken.objects.get().used_at is not None


def test_requests_per_address_are_limited_for_known_and_unknown_alike(
    db: None, client: Client, settings: object
) -> None:
    settings.KV_PORTAL_LINKS_PER_ADDRESS = 2  # type: ignore[attr-defined]
    make_portal_customer()

    known = [
        client.post("/portal/anmelden/", {"email": "clara.schmidt@example.de"}).status_code
        for _ in range(3)
    ]
    unknown = [
        client.post("/portal/anmelden/", {"email": "nobody@example.de"}).status_code
        for _ in range(3)
    ]

    assert known == unknown == [200, 200, 429]
    assert len(mail.outbox) == 2
    assert (
        "Zu viele Anfragen"
        in client.post("/portal/anmelden/", {"email": "nobody@example.de"}).content.decode()
    )


def test_requests_per_network_address_are_limited(
    db: None, client: Client, settings: object
) -> None:
    settings.KV_PORTAL_LINKS_PER_IP = 3  # type: ignore[attr-defined]

    codes = [
        client.post("/portal/anmelden/", {"email": f"person{i}@example.de"}).status_code
        for i in range(4)
    ]
    from_elsewhere = client.post(
        "/portal/anmelden/", {"email": "person9@example.de"}, REMOTE_ADDR="10.0.0.9"
    )

    assert codes == [200, 200, 200, 429]
    assert from_elsewhere.status_code == 200


def test_an_invalid_address_is_reported_at_the_field(db: None, client: Client) -> None:
    response = client.post("/portal/anmelden/", {"email": "kein-at-zeichen"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert mail.outbox == []


def test_logout_is_post_only_and_ends_the_session(db: None, client: Client) -> None:
    from tests.portal.factories import portal_login

    make_portal_customer()
    portal_login(client, "clara.schmidt@example.de")

    assert client.get("/portal/abmelden/").status_code == 405
    response = client.post("/portal/abmelden/")

    assert response["Location"] == "/portal/anmelden/"
    assert "_auth_user_id" not in client.session


def test_the_admin_lists_links_read_only_without_the_hash(db: None, client: Client) -> None:
    from tests.cases.factories import make_user

    make_portal_customer()
    services.request_login_link(
        email="clara.schmidt@example.de", link_base="http://x/portal/anmelden/", valid_minutes=15
    )
    token = PortalLoginToken.objects.get()
    client.force_login(make_user("admin", is_superuser=True))

    listing = client.get("/admin/portal/portallogintoken/")
    detail = client.get(f"/admin/portal/portallogintoken/{token.pk}/change/")

    assert listing.status_code == 200
    assert "clara" in listing.content.decode()
    assert detail.status_code == 200
    assert token.token_hash not in detail.content.decode()
    assert client.get("/admin/portal/portallogintoken/add/").status_code == 403
