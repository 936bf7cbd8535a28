from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundenversteher.api.errors import InvalidScopeError
from kundenversteher.api.models import ApiToken, Scope
from kundenversteher.api.services import hash_secret, revoke_token
from kundenversteher.events.models import Event
from tests.api.factories import bearer, make_admin, make_token

URL = "/api/v1/events/"


def test_a_valid_token_authenticates_and_marks_last_use(db, client):
    user = make_admin()
    token, secret = make_token(user, scopes=[Scope.EVENTS_READ])

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_the_secret_is_stored(db):
    token, secret = make_token(make_admin())

    stored = ApiToken.objects.get(id=token.id)
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert secret.startswith(stored.prefix)
    assert Event.objects.filter(kind="api.token_created").count() == 1


def test_missing_header_is_401_with_bearer_challenge(db, client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="kundenversteher"'


def test_unknown_token_is_401(db, client):
    make_token(make_admin())

    response = client.get(URL, headers=bearer("kv_not-a-real-secret"))

    assert response.status_code == 401


def test_expired_token_is_401(db, client):
    _, secret = make_token(make_admin(), expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(URL, headers=bearer(secret)).status_code == 401


def test_revoked_token_is_401(db, client):
    user = make_admin()
    token, secret = make_token(user)
    assert client.get(URL, headers=bearer(secret)).status_code == 200

    revoke_token(token_id=token.id, by=user)

    assert client.get(URL, headers=bearer(secret)).status_code == 401


def test_token_of_a_deactivated_user_is_401(db, client):
    user = make_admin()
    _, secret = make_token(user)
    user.is_active = False
    user.save()

    assert client.get(URL, headers=bearer(secret)).status_code == 401


def test_missing_scope_is_403_naming_the_scope(db, client):
    _, secret = make_token(make_admin(), scopes=[Scope.CASES_READ])

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert "events:read" in response.json()["detail"]


def test_a_bad_token_is_401_even_with_a_logged_in_session(db, client):
    user = make_admin()
    client.force_login(user)

    assert client.get(URL).status_code == 200
    assert client.get(URL, headers=bearer("kv_wrong")).status_code == 401


def test_unknown_scope_is_refused_on_creation(db):
    with pytest.raises(InvalidScopeError):
        make_token(make_admin(), scopes=["cases:read", "everything"])
    assert not ApiToken.objects.exists()


def test_rate_limit_per_token_answers_429_with_retry_after(db, client, settings):
    settings.KV_API_RATE_LIMIT = 3
    user = make_admin()
    _, secret = make_token(user)
    _, other_secret = make_token(user)

    statuses = [client.get(URL, headers=bearer(secret)).status_code for _ in range(4)]
    limited = client.get(URL, headers=bearer(secret))

    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "rate_limited"
    assert client.get(URL, headers=bearer(other_secret)).status_code == 200


def test_management_command_prints_a_working_secret_once(db, client, capsys):
    make_admin("chef")

    call_command("kv_create_token", user="chef", scopes="events:read,cases:read", name="ERP")

    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.name, token.scopes) == ("ERP", ["events:read", "cases:read"])
    assert token.secret_hash == hash_secret(secret)
    assert client.get(URL, headers=bearer(secret)).status_code == 200


def test_error_messages_follow_the_accept_language_header(db, client):
    german = client.get(URL)
    english = client.get(URL, headers={"Accept-Language": "en"})

    assert german.json()["detail"].startswith("Nicht angemeldet")
    assert english.json()["detail"].startswith("Not authenticated")


def test_signed_in_user_creates_lists_and_revokes_own_tokens(db, client):
    user = make_admin()
    client.force_login(user)

    created = client.post(
        "/api/v1/tokens/",
        {"name": "ERP", "scopes": ["events:read"]},
        content_type="application/json",
    )
    secret = created.json()["secret"]
    listed = client.get("/api/v1/tokens/").json()
    works = client.get(URL, headers=bearer(secret))
    revoked = client.post(f"/api/v1/tokens/{created.json()['id']}/revoke")

    assert created.status_code == 201
    assert [t["prefix"] for t in listed] == [created.json()["prefix"]]
    assert "secret" not in listed[0]
    assert works.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get(URL, headers=bearer(secret)).status_code == 401


def test_a_token_cannot_mint_tokens(db, client):
    _, secret = make_token(make_admin())

    response = client.post(
        "/api/v1/tokens/",
        {"name": "x", "scopes": ["cases:read"]},
        content_type="application/json",
        headers=bearer(secret),
    )

    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_other_users_tokens_cannot_be_revoked(db, client):
    token, _ = make_token(make_admin("chef"))
    client.force_login(make_admin("other"))

    response = client.post(f"/api/v1/tokens/{token.id}/revoke")

    assert response.status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_unknown_scope_in_the_token_form_is_422(db, client):
    client.force_login(make_admin())

    response = client.post(
        "/api/v1/tokens/", {"name": "x", "scopes": ["root"]}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "scopes", 0]


def test_session_requests_are_rate_limited_per_user(db, client, settings):
    settings.KV_API_RATE_LIMIT = 2
    client.force_login(make_admin())

    statuses = [client.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
