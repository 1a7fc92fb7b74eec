"""Browser tests: a live Tavern on loopback, a real SMTP mailbox, and Debian's Chromium driven by Playwright.

Fixtures for journeys (mark them `@pytest.mark.e2e`):

- `live_server`: the base URL (http://127.0.0.1:<port>) of the test app served from a thread. It shares the
  test database, so `make` factories create data the browser sees; CSRF is on, as in production. Rate limits
  stay off unless the test also asks for `rate_limits`.
- `page`: pytest-playwright's page, whose relative URLs resolve against the live server
  (`page.goto("/login")`).
- `mailbox`: mail the app sends during the test, over real SMTP (see tests/mailbox.py):
  `mailbox.link(mailbox.wait_for(to=email, subject="Confirm"), "/verify-email/")`.

Chromium comes from Debian (`apt-get install -y chromium`); without it these tests skip (and fail under CI).
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.mailbox import mailbox, smtp_server  # noqa: F401 - fixtures
from tests.servers import free_port
from tests.support import require_service

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service("chromium at " + str(CHROMIUM), str(CHROMIUM) if CHROMIUM.exists() else None)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # the access log would drown the test output
        pass


@pytest.fixture(scope="session")
def _live_server_url(app):
    """Serve the test app from a thread for the whole run; each request gets its own app context there."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(_live_server_url):
    """Playwright's pages resolve relative URLs against the live server."""
    return _live_server_url


@pytest.fixture
def live_server(app, _live_server_url):
    """The live server's base URL, with CSRF protection switched on for this test as in production."""
    previous = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = True
    yield _live_server_url
    app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server, "locale": "en-GB"}
