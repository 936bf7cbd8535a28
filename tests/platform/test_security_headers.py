import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/api/docs", "/healthz"])
def test_pages_forbid_inline_scripts_and_framing(client: Client, url: str) -> None:
    response = client.get(url)

    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
