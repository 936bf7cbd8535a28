import pytest
from django.test import Client

from kundenversteher.workspace.login_throttle import LoginThrottle
from tests.api.factories import PASSWORD, make_agent, make_team, make_user


def test_login_page_renders_in_german_by_default(db, client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "<h1>Anmelden</h1>" in html
    assert "Passwort" in html


def test_login_page_renders_in_english_on_request(db, client):
    response = client.get("/login/", headers={"Accept-Language": "en"})

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Password" in html
    assert "Passwort" not in html


def test_language_switch_sets_english_for_the_next_page(db, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    assert response.status_code == 302
    assert "<h1>Sign in</h1>" in client.get("/login/").content.decode()


def test_correct_credentials_log_in_and_land_in_the_inbox(db, client):
    make_agent("anna", teams=[make_team("Vertrieb")])

    response = client.post("/login/", {"username": "anna", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302), ("/inbox/", 302)]
    assert '<h1 id="inbox-title">Meine Anliegen</h1>' in response.content.decode()


def test_wrong_password_shows_a_german_error(db, client):
    make_user("anna")

    response = client.post("/login/", {"username": "anna", "password": "falsch"})

    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_locked_after_five_failures_even_for_the_right_password(db, client):
    make_user("anna")
    for _ in range(5):
        assert client.post("/login/", {"username": "anna", "password": "x"}).status_code == 200

    locked = client.post("/login/", {"username": "anna", "password": PASSWORD})

    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in locked.content.decode()
    assert "15 Minuten" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_address(db, client):
    make_user("anna")
    make_user("ben")
    for _ in range(5):
        client.post("/login/", {"username": "anna", "password": "x"})

    other_user = client.post("/login/", {"username": "ben", "password": PASSWORD})
    other_ip = Client(REMOTE_ADDR="10.0.0.7").post(
        "/login/", {"username": "anna", "password": PASSWORD}
    )

    assert other_user.status_code == 302
    assert other_ip.status_code == 302


def test_lock_expires_after_the_window(db):
    throttle = LoginThrottle(max_failures=2, window_seconds=900)
    for second in (0, 10):
        throttle.record_failure(username="Anna", ip="10.0.0.1", now=1_000 + second)

    assert throttle.is_locked(username="anna", ip="10.0.0.1", now=1_000 + 899)
    assert not throttle.is_locked(username="anna", ip="10.0.0.1", now=1_000 + 900)
    assert throttle.record_failure(username="anna", ip="10.0.0.1", now=1_000 + 901) == 1


def test_login_post_without_csrf_token_is_refused(db):
    make_user("anna")
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/login/", {"username": "anna", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_login_post_with_csrf_token_works(db):
    make_user("anna")
    strict = Client(enforce_csrf_checks=True)
    strict.get("/login/")
    token = strict.cookies["csrftoken"].value

    response = strict.post(
        "/login/", {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


def test_logout_only_by_post(db, client):
    client.force_login(make_user("anna"))

    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_start_page_requires_login(db, client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_admin_login_goes_through_the_rate_limited_form(db, client):
    make_user("anna")
    for _ in range(5):
        client.post("/admin/login/", {"username": "anna", "password": "x"})

    response = client.post("/admin/login/", {"username": "anna", "password": PASSWORD})

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff")],
)
def test_login_page_sends_security_headers(db, client, header, value):
    assert client.get("/login/")[header] == value
