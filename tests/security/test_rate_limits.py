"""Rate limits of SPEC §7 on the shared store, answering 429 with Retry-After (pages and API alike)."""

import pytest

from tests.factories import PASSWORD
from webapp.api import limits


def test_the_sixth_sign_in_attempt_in_a_minute_answers_429_with_retry_after(client, make, rate_limits):
    user = make.user()
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong password!"}).status_code == 422
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"


def test_the_per_account_limit_holds_across_addresses(app, client, make, rate_limits):
    user = make.user()
    app.config["TRUSTED_PROXY_NETWORKS"] = [__import__("ipaddress").ip_network("127.0.0.0/8")]
    try:
        for n in range(5):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            client.post("/login", data={"email": user.email, "password": "wrong password!"}, headers=headers)
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, headers={"X-Forwarded-For": "198.51.100.7"}
        )
    finally:
        app.config["TRUSTED_PROXY_NETWORKS"] = []
    assert response.status_code == 429


def test_browser_and_api_sign_ins_share_one_budget(client, make, rate_limits):
    user = make.user()
    for _ in range(3):
        client.post("/login", data={"email": user.email, "password": "wrong password!"})
    for _ in range(2):
        client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong password!"})
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert int(response.headers["Retry-After"]) > 0


def test_the_fourth_registration_in_a_minute_answers_429(client, rate_limits):
    for n in range(3):
        data = {"display_name": f"P{n}", "email": f"p{n}@example.com", "password": "a lantern in the deep mine"}
        assert client.post("/register", data=data).status_code == 200
    data = {"display_name": "P4", "email": "p4@example.com", "password": "a lantern in the deep mine"}
    response = client.post("/register", data=data)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_api_registration_shares_the_register_budget(client, rate_limits):
    for n in range(3):
        body = {"display_name": f"P{n}", "email": f"p{n}@example.com", "password": "a lantern in the deep mine"}
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
    body = {"display_name": "P4", "email": "p4@example.com", "password": "a lantern in the deep mine"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 429


@pytest.fixture
def small_api_limits(monkeypatch):
    monkeypatch.setattr(limits, "ANONYMOUS_LIMIT", "3/minute")
    monkeypatch.setattr(limits, "USER_LIMIT", "5/minute")


def test_anonymous_api_calls_are_limited_per_address(client, rate_limits, small_api_limits):
    statuses = [client.get("/api/v1/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_signed_in_api_calls_get_their_own_larger_budget(client, make, rate_limits, small_api_limits):
    for _ in range(3):
        client.get("/api/v1/")
    token = make.access_token(make.user())
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/api/v1/users/me", headers=headers).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/api/v1/").status_code == 429


def test_without_the_rate_limits_fixture_nothing_is_limited(client, make):
    user = make.user()
    data = {"email": user.email, "password": "nope nope"}
    statuses = {client.post("/login", data=data).status_code for _ in range(8)}
    assert statuses == {422}
