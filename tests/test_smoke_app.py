"""The app starts, serves its home page and answers errors in the right shape."""

import pytest


def test_home_page_shows_friendly_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No public characters yet" in response.data
    assert response.headers["Vary"].startswith("HX-Request")


def test_home_lists_public_characters_but_not_private_ones(client, make):
    make.character(name="Brannoc the Bold")
    make.character(name="Secret Sable", visibility="PRIVATE")
    page = client.get("/").get_data(as_text=True)
    assert "Brannoc the Bold" in page
    assert "Secret Sable" not in page


def test_home_fragment_for_htmx_is_only_the_gallery(client, make, htmx):
    make.character(name="Brannoc the Bold")
    response = client.get("/", headers=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Brannoc the Bold" in body
    assert "<html" not in body


def test_unknown_page_is_a_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"nothing here" in response.data
    assert response.mimetype == "text/html"


def test_unknown_api_route_is_problem_json(client):
    response = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["code"] == "not_found"
    assert body["request_id"] == "abc-123"
    assert {"type", "title", "detail", "errors"} <= body.keys()


def test_security_headers_on_every_page(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_page_shell_carries_csrf_token_for_htmx_once_signed_in_and_no_inline_script(client, auth, make):
    visitor = client.get("/").get_data(as_text=True)
    assert "X-CSRFToken" not in visitor  # a visitor's public page carries nothing of their session
    auth.login(make.user())
    page = client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "vendor/htmx.min.js" in page
    assert '"422", "swap": true' in page
    assert "<script>" not in page


@pytest.mark.parametrize("mode", ["rolled back", pytest.param("committing", marks=pytest.mark.committing)])
def test_foreign_keys_are_enforced_in_every_test(db, make, mode):
    """Rolled back or written for real, a test's connection keeps SQLite enforcing foreign keys, as PostgreSQL
    always does."""
    import sqlalchemy as sa

    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
