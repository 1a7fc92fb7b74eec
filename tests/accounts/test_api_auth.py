"""API sign-in per SPEC §6: JWT access tokens, rotating refresh tokens, logout, logout-all, password change."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy.exc import OperationalError

from tests.factories import PASSWORD
from webapp.models import RefreshToken
from webapp.services import credentials
from webapp.services.tokens import digest

NEW_PASSWORD = "seven ravens over the keep"


def login(client, user, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": user.email, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def me(client, token):
    return client.get("/api/v1/users/me", headers=bearer(token))


def test_login_answers_the_token_pair_shape_and_no_store(client, make):
    response = login(client, make.user())
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert response.headers["Cache-Control"].startswith("no-store")


def test_access_token_is_hs256_with_issuer_audience_and_fifteen_minutes(app, client, make):
    token = login(client, make.user()).get_json()["access_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert (claims["iss"], claims["aud"]) == ("tavern", "tavern-api")
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_the_access_token_authenticates_api_calls(client, make):
    user = make.user(display_name="Ada")
    token = login(client, user).get_json()["access_token"]
    response = me(client, token)
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Ada"


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"iss": "someone-else"}, {"exp": datetime.now(UTC) - timedelta(seconds=1)}],
    ids=["wrong audience", "wrong issuer", "expired"],
)
def test_tokens_with_wrong_issuer_audience_or_expired_are_refused(app, client, make, claims):
    user = make.user()
    now = datetime.now(UTC)
    base = {"sub": str(user.id), "stamp": 0, "iss": "tavern", "aud": "tavern-api", "iat": now,
            "exp": now + timedelta(minutes=15)}
    token = jwt.encode({**base, **claims}, app.config["JWT_SECRET"], algorithm="HS256")
    response = me(client, token)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_token_signed_with_another_key_or_algorithm_is_refused(client, make):
    user = make.user()
    now = datetime.now(UTC)
    claims = {"sub": str(user.id), "stamp": 0, "iss": "tavern", "aud": "tavern-api", "iat": now,
              "exp": now + timedelta(minutes=15)}
    forged = jwt.encode(claims, "not-our-secret-not-our-secret-123", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert me(client, forged).status_code == 401
    assert me(client, unsigned).status_code == 401


def test_wrong_password_and_unknown_email_get_the_same_401(client, make):
    user = make.user()
    wrong = login(client, user, "not the right password")
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]


def test_refresh_rotates_and_stores_only_hashes(client, make, db):
    first = login(client, make.user()).get_json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    pair = second.get_json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["refresh_token"] != first["refresh_token"]
    assert second.headers["Cache-Control"].startswith("no-store")
    rows = db.session.execute(db.select(RefreshToken)).scalars().all()
    assert len(rows) == 2 and len({r.family_id for r in rows}) == 1
    assert {r.token_hash for r in rows} == {digest(first["refresh_token"]), digest(pair["refresh_token"])}
    assert me(client, pair["access_token"]).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, make):
    first = login(client, make.user()).get_json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert replay.status_code == 401
    # The thief's replay also kills the legitimate, newer token of the same family.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401


def test_a_reused_token_does_not_touch_other_families(client, make):
    user = make.user()
    laptop, phone = login(client, user).get_json(), login(client, user).get_json()
    client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}).status_code == 200


def test_an_expired_refresh_token_is_refused(client, make, db):
    pair = login(client, make.user()).get_json()
    row = db.session.execute(db.select(RefreshToken)).scalar_one()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_logout_revokes_the_refresh_token(client, make):
    pair = login(client, make.user()).get_json()
    assert client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_logout_all_ends_every_token_and_browser_session(app, client, make):
    user = make.user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    one, two = login(client, user).get_json(), login(client, user).get_json()

    assert client.post("/api/v1/auth/logout-all", headers=bearer(one["access_token"])).status_code == 204

    assert me(client, one["access_token"]).status_code == 401
    assert me(client, two["access_token"]).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": two["refresh_token"]}).status_code == 401
    assert browser.get("/account").status_code == 302


def test_password_change_ends_every_other_session_and_token_and_returns_a_new_pair(app, client, make):
    user = make.user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    old = login(client, user).get_json()
    _, personal = make.personal_token(user, "write")

    response = client.put(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(old["access_token"]),
    )

    assert response.status_code == 200
    fresh = response.get_json()
    assert me(client, fresh["access_token"]).status_code == 200
    assert me(client, old["access_token"]).status_code == 401
    assert me(client, personal).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]}).status_code == 401
    assert browser.get("/account").status_code == 302
    assert login(client, user).status_code == 401
    assert login(client, user, NEW_PASSWORD).status_code == 200


def test_password_change_refuses_a_wrong_current_password(client, make):
    token = make.access_token(make.user())
    response = client.put(
        "/api/v1/auth/password",
        json={"current_password": "wrong wrong wrong", "new_password": NEW_PASSWORD},
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "current_password"


def test_a_password_change_whose_new_tokens_cannot_be_issued_changes_nothing(client, make, monkeypatch):
    user = make.user()
    old = login(client, user).get_json()

    def database_lost(*args, **kwargs):
        raise OperationalError("INSERT INTO refresh_tokens", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(credentials, "token_pair", database_lost)
    response = client.put(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(old["access_token"]),
    )
    monkeypatch.undo()

    assert response.status_code == 503
    assert me(client, old["access_token"]).status_code == 200
    assert login(client, user).status_code == 200


def test_personal_tokens_cannot_change_the_password(client, make):
    user = make.user()
    _, secret = make.personal_token(user, "write")
    response = client.put(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(secret),
    )
    assert response.status_code == 403


def test_banned_or_inactive_users_cannot_log_in(client, make):
    banned = make.user(ban_reason="spam")
    inactive = make.user(is_active=False)
    assert login(client, banned).status_code == 401
    assert login(client, inactive).status_code == 401
