"""Headers, cookies, body limits and where the client address comes from."""

import ipaddress

import pytest
from flask import Flask

from tests.factories import PASSWORD
from webapp.config import ProductionConfig
from webapp.net import client_address


def test_security_headers_on_pages_errors_and_api(client):
    for url in ("/login", "/no/such/page", "/api/v1/", "/api/v1/nothing"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"]


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET", "j" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PUBLIC_URL", "https://tavern.example")
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_request_bodies_over_the_limit_are_refused(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/auth/login", data=b"x" * (limit + 1), content_type="application/json")
    assert response.status_code == 413


def test_token_answers_are_never_cached(client, make):
    user = make.user()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.headers["Cache-Control"].startswith("no-store")


@pytest.fixture
def probe():
    app = Flask(__name__)

    def address(remote, forwarded=None, trusted=""):
        app.config["TRUSTED_PROXY_NETWORKS"] = [ipaddress.ip_network(n) for n in trusted.split(",") if n]
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": remote}):
            return client_address()

    return address


def test_forwarded_headers_are_ignored_without_trusted_proxies(probe):
    assert probe("198.51.100.9", "1.2.3.4") == "198.51.100.9"


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(probe):
    assert probe("198.51.100.9", "1.2.3.4", trusted="10.0.0.0/8") == "198.51.100.9"


def test_the_client_is_the_first_untrusted_hop_from_the_right(probe):
    # A client may put anything at the left of the header; only hops our proxies added count.
    assert probe("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1", trusted="10.0.0.0/8") == "203.0.113.5"


def _signed_in_pages(hero, campaign) -> list[str]:
    return [
        "/",
        "/characters",
        f"/characters/{hero.id}",
        f"/characters/{hero.id}/inventory",
        "/campaigns",
        f"/campaigns/{campaign.id}",
        "/compendium/items",
    ]


def test_every_page_a_signed_in_player_sees_is_private_and_revalidated(client, auth, make):
    from webapp.models import Visibility

    owner = make.user()
    hero = make.character(owner=owner, visibility=Visibility.PRIVATE)
    campaign = make.campaign(owner=owner)
    auth.login(owner)
    for path in _signed_in_pages(hero, campaign):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-cache", path
        assert response.headers["ETag"], path
    assert client.get("/account").headers["Cache-Control"] == "private, no-store"  # it can show a new secret


def test_a_page_the_browser_holds_answers_304_and_a_changed_one_answers_200(client, auth, make, db):
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc")
    auth.login(owner)
    first = client.get(f"/characters/{hero.id}")
    again = client.get(f"/characters/{hero.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    hero.name = "Brannoc the Bold"
    db.session.commit()
    changed = client.get(f"/characters/{hero.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Brannoc the Bold" in changed.get_data(as_text=True)


def test_another_viewer_never_gets_304_for_a_page_held_by_someone_else(client, auth, make):
    owner, other = make.user(), make.user()
    hero = make.character(owner=owner, visibility="PUBLIC")
    auth.login(owner)
    tag = client.get(f"/characters/{hero.id}").headers["ETag"]
    auth.logout()
    auth.login(other)
    assert client.get(f"/characters/{hero.id}", headers={"If-None-Match": tag}).status_code == 200


def test_a_visitors_view_of_public_content_is_public_and_sets_no_cookie(client, make):
    hero = make.character(visibility="PUBLIC")
    lantern = make.item(name="Lantern")
    for path in ("/", f"/characters/{hero.id}", "/compendium/items", f"/compendium/items/{lantern.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert "Set-Cookie" not in response.headers, path


def test_forms_and_anything_signed_in_stay_private_and_static_files_keep_their_own_rule(client, auth, make):
    hero = make.character(visibility="PUBLIC")
    for path in ("/login", "/register", "/forgot-password"):
        assert client.get(path).headers["Cache-Control"] == "private, no-cache", path
    auth.login(make.user())
    for path in ("/", f"/characters/{hero.id}", "/compendium/items"):
        assert client.get(path).headers["Cache-Control"] == "private, no-cache", path
    assert "private" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
