"""Signed-cookie sessions whose signature each worker checks once: same sessions, same refusals, no shared state."""

from datetime import timedelta

import pytest
from flask import Flask, session

from webapp.auth import cookie_sessions
from webapp.auth.cookie_sessions import VerifiedCookieSessions


def make_app(secret: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.session_interface = VerifiedCookieSessions()

    @app.post("/sign-in/<name>")
    def sign_in(name):
        session["name"] = name
        session["visits"] = []
        return "ok"

    @app.get("/visit")
    def visit():
        session.get("visits", []).append("seen")  # changes a list in place, as flash() does
        return {"name": session.get("name"), "visits": len(session.get("visits", []))}

    return app


@pytest.fixture
def signatures(monkeypatch):
    """How many times a cookie's signature was checked."""
    checked = []
    original = VerifiedCookieSessions.get_signing_serializer

    def counting(self, app):
        checked.append(app)
        return original(self, app)

    monkeypatch.setattr(VerifiedCookieSessions, "get_signing_serializer", counting)
    return checked


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_is_checked_once_and_opens_its_session_every_time(signatures):
    client = make_app("first secret").test_client()
    client.post("/sign-in/Maren")
    cookie = cookie_of(client)
    signatures.clear()

    answers = [client.get("/visit").get_json() for _ in range(3)]

    # Each request appends to its own copy of the list: an in-place change is never saved, and never leaks.
    assert answers == [{"name": "Maren", "visits": 1}] * 3
    assert cookie_of(client) == cookie
    assert len(signatures) == 1


def test_a_tampered_cookie_opens_an_empty_session():
    client = make_app("first secret").test_client()
    client.post("/sign-in/Maren")
    cookie = cookie_of(client)
    client.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))

    assert client.get("/visit").get_json()["name"] is None


def test_a_cookie_signed_by_another_app_opens_nothing_even_once_checked_there():
    one, other = make_app("first secret"), make_app("second secret")
    client = one.test_client()
    client.post("/sign-in/Maren")
    assert client.get("/visit").get_json()["name"] == "Maren"

    stranger = other.test_client()
    stranger.set_cookie("session", cookie_of(client))
    assert stranger.get("/visit").get_json()["name"] is None


def test_a_remembered_cookie_still_expires_with_the_session_lifetime(monkeypatch):
    app = make_app("first secret")
    app.permanent_session_lifetime = timedelta(minutes=10)
    client = app.test_client()
    client.post("/sign-in/Maren")
    assert client.get("/visit").get_json()["name"] == "Maren"

    later = cookie_sessions.time.time() + 11 * 60
    monkeypatch.setattr(cookie_sessions.time, "time", lambda: later)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert client.get("/visit").get_json()["name"] is None
