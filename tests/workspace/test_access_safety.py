"""Cross-cutting access and safety checks over every URL of the workspace and the portal.

The URL list is read from the project's resolver, so a screen added later is checked without
touching this file: every POST needs a CSRF token; anonymous visitors are sent to the right login;
Anna (team Service) gets 404 for a case of the restricted team Buchhaltung on every URL that names
a case, exactly as for a case that does not exist; customers see only their own cases; hostile text
in a case is rendered as text everywhere.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import Attachment, Case, Macro, Message
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.customers.models import Customer
from kundenversteher.events.models import Event
from kundenversteher.intake.services import receive
from tests.cases.factories import Personas, make_customer, make_personas, make_rule
from tests.portal.factories import portal_login
from tests.workspace.case_view_factories import make_understanding

# URL names that are public on purpose (no login): the portal's login flow, help and contact, and
# the signed "did not help" link of automatic answers (the token is the authorisation).
PUBLIC = {
    "portal:login",
    "portal:login-confirm",
    "portal:logout",
    "portal:help",
    "portal:home",
    "portal:not_helped",
}
PUBLIC_PREFIXES = ("portal:contact", "portal:help")
NOT_FOUND_NUMBER = "KV-2026-999999"
NOT_FOUND_ID = 987_654_321

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "javascript:alert(1)"
HOSTILE = f"{SCRIPT} {IMG} {JS_LINK}"


@dataclass(frozen=True)
class Route:
    name: str  # "workspace:case"
    namespace: str  # "workspace" | "portal"
    params: tuple[str, ...]

    @property
    def public(self) -> bool:
        return self.name in PUBLIC or self.name.startswith(PUBLIC_PREFIXES)

    @property
    def names_a_case(self) -> bool:
        return bool({"number", "case_id"} & set(self.params))


def _walk(patterns: list[Any], namespace: str) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(
                name=f"{namespace}:{entry.name}",
                namespace=namespace,
                params=tuple(entry.pattern.converters),
            )


def routes() -> list[Route]:
    found: list[Route] = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in {"workspace", "portal"}:
            found.extend(_walk(entry.url_patterns, entry.namespace))
    return sorted(found, key=lambda route: route.name)


ROUTES = routes()
CASE_ROUTES = [route for route in ROUTES if route.names_a_case]


@dataclass(frozen=True)
class World:
    people: Personas
    restricted: Case  # Buchhaltung (restricted); Anna is not a member
    clara_case: Case
    other_case: Case  # another customer's case, unrestricted team
    macro: Macro


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("L", (40, 20), color=255).save(image, format="PNG")
    return image.getvalue()


def _attachment(case: Case) -> Attachment:
    return Attachment.objects.filter(message__case=case).order_by("pk").first()  # type: ignore[return-value]


def url_for(route: Route, world: World, case: Case | None) -> str:
    """A concrete URL; ``case=None`` fills ids and numbers that do not exist."""
    kwargs: dict[str, Any] = {}
    for param in route.params:
        if param == "number":
            kwargs[param] = case.number if case else NOT_FOUND_NUMBER
        elif param == "case_id":
            kwargs[param] = case.pk if case else NOT_FOUND_ID
        elif param == "attachment_id":
            kwargs[param] = _attachment(case).pk if case else NOT_FOUND_ID
        elif param == "message_id":
            kwargs[param] = case.messages.order_by("pk").first().pk if case else NOT_FOUND_ID  # type: ignore[union-attr]
        elif param == "macro_id":
            kwargs[param] = world.macro.pk
        elif param == "token":
            kwargs[param] = "t" * 43
        else:
            kwargs[param] = 1
    return reverse(route.name, kwargs=kwargs)


@pytest.fixture
def world(db: None, settings: Any) -> World:
    people = make_personas()
    people.clara.email = "clara.schmidt@example.de"
    people.clara.save(update_fields=["email"])
    make_rule("Rechnungen", team=people.buchhaltung, intents=["invoice_copy"])
    # A scanned letter as the original: both the original and its preview have something to serve.
    original = receive(
        channel="letter",
        raw=_png(),
        content_type="image/png",
        filename="brief.png",
        source="test",
    )
    restricted = case_services.open_case(
        raw_ref=f"intake:{original.inbound_id}",
        subject="Gehaltspfändung Müller (vertraulich)",
        channel="email",
        customer_id=people.other_customer.pk,
        intent="invoice_copy",
        body_text="Vertrauliche Rechnungsfrage",
        attachments=[AttachmentUpload(filename="pfaendung.txt", content=b"vertraulich")],
        max_attachment_bytes=1000,
        route=True,
    )
    assert restricted.team_id == people.buchhaltung.pk
    case_services.add_note(case_id=restricted.pk, body_text="intern", by=people.ben)
    clara_case = case_services.open_case(
        subject="Heizung kalt",
        channel="email",
        customer_id=people.clara_customer.pk,
        body_text="Meine Heizung ist kalt.",
        route=False,
        attachments=[AttachmentUpload(filename="foto.txt", content=b"kalt")],
        max_attachment_bytes=1000,
    )
    other_case = case_services.open_case(
        subject="Olgas Lieferung",
        channel="email",
        customer_id=people.other_customer.pk,
        body_text="Wo bleibt meine Lieferung?",
        route=False,
        attachments=[AttachmentUpload(filename="olga.txt", content=b"olga")],
        max_attachment_bytes=1000,
    )
    macro = Macro.objects.create(name="Gruß", body="Viele Grüße", language="de")
    return World(people, restricted, clara_case, other_case, macro)


def _close(response: Any) -> None:
    """Close a (file) response without the request_finished handler that closes the database
    connection — as Django's test client does itself. On a file-based SQLite test database
    (the browser tests make it one) that handler would end the test's transaction."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def fetch(client: Client, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    """GET the URL; a POST-only endpoint (405) is POSTed instead. Returns status and location."""
    response = client.get(url)
    _close(response)
    if response.status_code == 405:
        response = client.post(url, data or {"body": "geraten", "status": "resolved"})
        _close(response)
    return response.status_code, response.get("Location", "")


def _snapshot(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.assignee_id,
        fresh.priority,
        Message.objects.filter(case=case).count(),
        Event.objects.filter(case_id=case.pk).count(),
    )


def test_the_walk_finds_the_screens_of_both_apps() -> None:
    names = {route.name for route in ROUTES}

    assert {"portal:login", "portal:cases", "portal:case", "portal:case-reply"} <= names
    assert {"workspace:inbox", "workspace:case", "workspace:case-row"} <= names
    assert {"workspace:supervisor"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_a_post_without_csrf_token_is_refused(route: Route, world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people.admin)
    url = url_for(route, world, world.restricted)
    before = _snapshot(world.restricted)

    response = client.post(url, {"body": "ohne Token", "body_text": "ohne Token"})

    assert response.status_code == 403, url
    assert _snapshot(world.restricted) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda route: route.name)
def test_anonymous_visitors_are_sent_to_the_login_of_their_side(route: Route, world: World) -> None:
    client = Client()
    url = url_for(route, world, world.clara_case)
    login = "/portal/anmelden/" if route.namespace == "portal" else "/login/"

    status, location = fetch(client, url, {"body": "anonym"})

    assert status == 302, url
    assert location.startswith(f"{login}?next="), location


@pytest.mark.parametrize(
    "route", [r for r in CASE_ROUTES if r.namespace == "workspace"], ids=lambda r: r.name
)
def test_anna_gets_404_for_a_restricted_teams_case_on_every_case_url(
    route: Route, world: World
) -> None:
    client = Client()
    client.force_login(world.people.anna)
    hidden = url_for(route, world, world.restricted)
    missing = url_for(route, world, None)
    before = _snapshot(world.restricted)

    answers = [fetch(client, url)[0] for url in (hidden, missing)]

    assert answers == [404, 404], (hidden, answers)
    assert _snapshot(world.restricted) == before


@pytest.mark.parametrize(
    "route", [r for r in CASE_ROUTES if r.namespace == "workspace"], ids=lambda r: r.name
)
def test_ben_reaches_his_teams_case_on_the_same_urls(route: Route, world: World) -> None:
    # The positive control: the URLs above are real, only Anna's access is missing.
    client = Client()
    client.force_login(world.people.ben)

    response = client.get(url_for(route, world, world.restricted))
    _close(response)

    assert response.status_code in {200, 204, 405}, response.status_code


@pytest.mark.parametrize(
    "route", [r for r in CASE_ROUTES if r.namespace == "workspace"], ids=lambda r: r.name
)
def test_a_customer_gets_no_case_in_the_workspace_not_even_her_own(
    route: Route, world: World
) -> None:
    client = Client()
    client.force_login(world.people.clara)
    url = url_for(route, world, world.clara_case)
    before = _snapshot(world.clara_case)

    status, _location = fetch(client, url, {"body": "von Clara", "status": "resolved"})

    assert status in {403, 404}, url
    assert _snapshot(world.clara_case) == before


@pytest.mark.parametrize(
    "route", [r for r in CASE_ROUTES if r.namespace == "portal"], ids=lambda r: r.name
)
def test_a_customer_gets_404_for_another_customers_case_in_the_portal(
    route: Route, world: World
) -> None:
    client = Client()
    portal_login(client, "clara.schmidt@example.de")
    before = _snapshot(world.other_case)

    answers = [
        fetch(client, url_for(route, world, case))[0]
        for case in (world.other_case, world.restricted, None)
    ]
    own = client.get(url_for(route, world, world.clara_case))
    _close(own)

    assert answers == [404, 404, 404]
    assert own.status_code in {200, 405}
    assert _snapshot(world.other_case) == before


# --- hostile input ---------------------------------------------------------------------------

_ACTIVE_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert IMG not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    assert not _ACTIVE_URL.search(html), _ACTIVE_URL.search(html)


@pytest.fixture
def hostile(world: World) -> Case:
    people = world.people
    # Clara's login now belongs to a customer whose name is an attack.
    Customer.objects.filter(pk=people.clara_customer.pk).update(user=None)
    villain = make_customer(HOSTILE, first_name=IMG, user=people.clara)
    text = f'Hallo {SCRIPT} Bestellung 4711 {IMG} <a href="{JS_LINK}">klick</a>'
    case = case_services.open_case(
        subject=HOSTILE,
        channel="email",
        customer_id=villain.pk,
        body_text=text,
        body_html=f'<p>{SCRIPT}<a href="{JS_LINK}">klick</a><img src=x onerror=alert(1)></p>',
        author_label=HOSTILE,
        attachments=[
            AttachmentUpload(filename=f"{SCRIPT}{IMG}.txt", content=b"harmlos"),
        ],
        max_attachment_bytes=1000,
        route=False,
        understanding=make_understanding(text, entities=[("order_number", "4711", "4711")]),
        identity={
            "method": "email",
            "confidence": 0.9,
            "reason": HOSTILE,
            "customer_id": villain.pk,
        },
        tags=[SCRIPT],
    )
    case_services.add_message(
        case_id=case.pk, direction="outbound", body_text=f"Antwort {IMG}", by=people.anna
    )
    case_services.assign_case(
        case_id=case.pk,
        agent_id=people.anna.pk,
        by=people.anna,
        expected_version=Case.objects.get(pk=case.pk).version,
    )
    return case


def test_hostile_text_renders_as_text_in_inbox_case_view_and_row(
    world: World, hostile: Case
) -> None:
    client = Client()
    client.force_login(world.people.anna)
    pages = {
        "inbox": reverse("workspace:inbox"),
        "inbox-search": reverse("workspace:inbox") + "?q=alert",
        "inbox-teams": reverse("workspace:inbox") + "?view=teams",
        "case": reverse("workspace:case", kwargs={"number": hostile.number}),
        "row": reverse("workspace:case-row", kwargs={"case_id": hostile.pk}),
    }

    for name, url in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, (name, response.status_code)
        assert_inert(html)
    case_html = client.get(pages["case"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in case_html  # shown, as text
    assert hostile.number in client.get(pages["inbox"]).content.decode()


def test_hostile_text_renders_as_text_for_the_supervisor(world: World, hostile: Case) -> None:
    client = Client()
    client.force_login(world.people.sabine)

    response = client.get(reverse("workspace:supervisor"))

    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_hostile_text_renders_as_text_in_the_portal(world: World, hostile: Case) -> None:
    client = Client()
    portal_login(client, "clara.schmidt@example.de")

    listing = client.get(reverse("portal:cases")).content.decode()
    detail = client.get(reverse("portal:case", kwargs={"number": hostile.number})).content.decode()

    assert_inert(listing)
    assert_inert(detail)
    assert hostile.number in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "Antwort &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in detail
