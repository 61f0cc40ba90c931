"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# for setup happen outside it, but Django cannot tell, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def published_policies(transactional_db: None) -> None:
    """Version 1 of the policies, as migrations publish it.

    Transactional tests empty every table after they run, so the rows a data migration made
    are gone for the next one; this puts them back the way the migration does.
    """
    seed = importlib.import_module("alongside.accounts.migrations.0003_seed_policies").seed
    seed(django_apps, None)


@pytest.fixture
def asgi_live_server(transactional_db: None) -> Iterator[str]:
    """The real ASGI application (HTTP and WebSockets) under uvicorn, in a thread.

    pytest-django's ``live_server`` speaks only WSGI, so live pages (the moderators' queue)
    could not open their WebSocket there. This serves the same application ``alongside
    serve`` runs, with the in-memory channel layer, against the test database: the test
    database is SQLite's shared in-memory one, so the server thread's connections see what
    the test writes and the other way round.
    """
    import socket
    import threading
    import time

    import uvicorn

    from alongside.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()
