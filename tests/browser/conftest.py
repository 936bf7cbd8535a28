"""Browser-test infrastructure: a real Daphne server on loopback and Debian's Chromium.

The server is a separate process (``daphne tests.browser.server:application``) that uses the test
database through ``KV_DATABASE_URL``, exactly as the web process of an installation uses the
database the worker writes to. Consequences for tests:

- use the ``live_url`` fixture (it requests ``transactional_db``): data a test creates must be
  committed to be seen by the server process;
- with SQLite the test database must be a file, not the in-memory default: this conftest sets
  ``DATABASES["default"]["TEST"]["NAME"]`` to a file in ``KV_DATA_DIR`` when it is loaded (only
  sessions that collect browser tests are affected);
- on PostgreSQL (``KV_DATABASE_URL=postgresql://…``) the server connects to the test database.

Fixtures: ``daphne_server`` (session; not pytest-django's ``live_server``), ``live_url``,
``browser`` (package), ``page`` (1280×800, de-DE), ``phone_page`` (390×844), ``personas`` (anna,
ben, sabine, admin, clara; password ``demo-passwort-2026``), ``login_as(page, username,
password=…)``, ``console`` (CSP reports and script errors of ``page``),
``screenshot(page, name)`` (``var/screenshots/<name>.png``). The server's output
goes to ``var/browser-server/daphne-<port>.log``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.cases.factories import Personas, make_personas

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO / "var" / "screenshots"
SERVER_LOG_DIR = REPO / "var" / "browser-server"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-passwort-2026"
# Generous: on a shared, loaded CI machine Django's start alone can take half a minute.
SERVER_START_TIMEOUT = 90.0
# The server's live tail polls the event log; faster than the production default keeps tests short.
LIVE_POLL_SECONDS = "0.2"


def _use_a_file_for_the_sqlite_test_database() -> None:
    # A second process cannot see SQLite's in-memory test database. Changed in place: Django's
    # connection objects hold this very dict, and the test database is created later (first test
    # that needs it), so the change applies to the whole session.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        # One file per pytest process: several runs on one machine must not share it.
        name = f"test_browser_{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(Path(settings.DATA_DIR) / name)


_use_a_file_for_the_sqlite_test_database()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """URL of the test database (pytest-django has already renamed NAME to the test name)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "127.0.0.1"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(str(database['NAME']), safe='')}"


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Testserver beendet (Code {process.returncode}):\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"Testserver antwortet nicht nach {SERVER_START_TIMEOUT} s:\n{log.read_text()}"
    )


@dataclass(frozen=True)
class DaphneServer:
    url: str  # http://127.0.0.1:<port>
    ws_url: str  # ws://127.0.0.1:<port>
    log: Path  # the server's stdout+stderr


@pytest.fixture(scope="session")
def daphne_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[DaphneServer]:
    """A Daphne process serving the project on 127.0.0.1 against the test database."""
    port = _free_port()
    SERVER_LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = SERVER_LOG_DIR / f"daphne-{port}.log"
    env = {
        **os.environ,
        "KV_DATABASE_URL": _database_url(),
        "KV_LIVE_POLL_SECONDS": LIVE_POLL_SECONDS,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server must keep Django's async checks
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "tests.browser.server:application",
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield DaphneServer(url=url, ws_url=f"ws://127.0.0.1:{port}", log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def live_url(daphne_server: DaphneServer, transactional_db: None) -> str:
    """Base URL of the live server; the test's writes are committed so the server sees them."""
    return daphne_server.url


@pytest.fixture(scope="package")
def _playwright(django_db_setup: None) -> Iterator[Any]:
    """Playwright's sync API keeps an asyncio loop running in this thread while it is active, so
    Django would refuse every ORM call of the test as "async context". Package scope: the loop
    and the permission below end with the last browser test, other tests keep Django's check.
    Depends on ``django_db_setup`` so the test database is created before the loop runs."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} fehlt (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_playwright: Any) -> Iterator[Any]:
    """Debian's Chromium, headless; never a browser downloaded by Playwright."""
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _new_page(browser: Any, *, width: int, height: int, is_mobile: bool = False) -> Any:
    context = browser.new_context(
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": width, "height": height},
        is_mobile=is_mobile,
        has_touch=is_mobile,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    """A fresh browser context per test (no cookies carried over), desktop size, German."""
    context, page = _new_page(browser, width=1280, height=800)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_url: str) -> Iterator[Any]:
    """Like ``page``, phone-sized (390×844, touch)."""
    context, page = _new_page(browser, width=390, height=844, is_mobile=True)
    yield page
    context.close()


@pytest.fixture
def personas(transactional_db: None) -> Personas:
    """anna (Service), ben (Buchhaltung, restricted), sabine (supervisor), admin, clara
    (customer); every login uses ``demo-passwort-2026``."""
    people = make_personas()
    for user in (people.anna, people.ben, people.sabine, people.admin, people.clara):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return people


@pytest.fixture
def login_as(live_url: str) -> Callable[..., None]:
    """``login_as(page, "anna")``: signs in through the login form and waits for the redirect."""

    def login(page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action$='/login/'] button[type=submit]")
        if "/login/" in page.url:
            raise AssertionError(f"Anmeldung als {username!r} fehlgeschlagen: {page.url}")

    return login


# How Chromium words a CSP report in the console ("Executing inline script violates the following
# Content Security Policy directive …"; older versions: "Refused to execute …").
CSP_MARKERS = ("Refused to", "Content Security Policy", "Content-Security-Policy")


class ConsoleWatch:
    """Console messages and uncaught errors of one page; ``csp_reports``: those about the CSP."""

    def __init__(self, page: Any) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda message: self.messages.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    @property
    def csp_reports(self) -> list[str]:
        return [text for text in self.messages if any(m in text for m in CSP_MARKERS)]

    def assert_clean(self) -> None:
        assert self.csp_reports == []
        assert self.errors == []


@pytest.fixture
def console(page: Any) -> ConsoleWatch:
    """Watches ``page`` from its first request; ``console.assert_clean()`` fails on a CSP report
    or an uncaught script error."""
    return ConsoleWatch(page)


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, "inbox-live")`` writes ``var/screenshots/inbox-live.png`` (full page)."""

    def take(page: Any, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
