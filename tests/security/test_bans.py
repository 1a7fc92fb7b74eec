"""Bans take effect on the very next request: browser sessions, access tokens, refresh tokens, personal tokens."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from webapp.models import Role


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def moderator(make):
    return make.user(role=Role.MODERATOR)


def test_a_banned_users_open_session_and_tokens_stop_working_on_the_next_request(app, client, make, moderator):
    player = make.user(email="player@example.com")
    browser = app.test_client()
    browser.post("/login", data={"email": player.email, "password": PASSWORD}, follow_redirects=False)
    pair = client.post("/api/v1/auth/login", json={"email": player.email, "password": PASSWORD}).get_json()
    _, personal = make.personal_token(player, "write")
    assert browser.get("/account").status_code == 200
    assert client.get("/api/v1/users/me", headers=bearer(pair["access_token"])).status_code == 200
    assert client.get("/api/v1/users/me", headers=bearer(personal)).status_code == 200

    staff = bearer(make.access_token(moderator))
    banned = client.post(f"/api/v1/users/{player.id}/ban", json={"reason": "Spamming the gallery"}, headers=staff)
    assert banned.status_code == 200
    assert banned.get_json()["ban"]["reason"] == "Spamming the gallery"

    assert browser.get("/account").status_code == 302
    assert client.get("/api/v1/users/me", headers=bearer(pair["access_token"])).status_code == 401
    assert client.get("/api/v1/users/me", headers=bearer(personal)).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert browser.post("/login", data={"email": player.email, "password": PASSWORD}).status_code == 422


def test_a_ban_with_an_end_date_lifts_by_itself(client, make, moderator, db):
    player = make.user()
    until = datetime.now(UTC) + timedelta(days=3)
    headers = bearer(make.access_token(moderator))
    response = client.post(
        f"/api/v1/users/{player.id}/ban", json={"reason": "Cool off", "until": until.isoformat()}, headers=headers
    )
    assert response.status_code == 200
    assert client.post("/login", data={"email": player.email, "password": PASSWORD}).status_code == 422
    db.session.refresh(player)
    player.banned_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/login", data={"email": player.email, "password": PASSWORD}).status_code == 303


def test_unban_lets_the_user_back_in(client, make, moderator):
    player = make.user()
    headers = bearer(make.access_token(moderator))
    client.post(f"/api/v1/users/{player.id}/ban", json={"reason": "Oops"}, headers=headers)
    response = client.post(f"/api/v1/users/{player.id}/unban", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["ban"] is None
    assert client.post("/login", data={"email": player.email, "password": PASSWORD}).status_code == 303


@pytest.mark.parametrize(
    "actor_role, target_role, status",
    [
        ("MODERATOR", "USER", 200),
        ("MODERATOR", "MODERATOR", 403),
        ("MODERATOR", "ADMIN", 403),
        ("ADMIN", "MODERATOR", 200),
        ("ADMIN", "ADMIN", 403),
        ("USER", "USER", 404),
    ],
)
def test_who_may_ban_whom(client, make, actor_role, target_role, status):
    actor, target = make.user(role=Role(actor_role)), make.user(role=Role(target_role))
    headers = bearer(make.access_token(actor))
    response = client.post(f"/api/v1/users/{target.id}/ban", json={"reason": "x"}, headers=headers)
    assert response.status_code == status


def test_nobody_bans_themselves(client, make, moderator):
    response = client.post(
        f"/api/v1/users/{moderator.id}/ban", json={"reason": "x"}, headers=bearer(make.access_token(moderator))
    )
    assert response.status_code == 403


def test_a_ban_needs_a_reason_and_a_future_end(client, make, moderator):
    player = make.user()
    headers = bearer(make.access_token(moderator))
    empty = client.post(f"/api/v1/users/{player.id}/ban", json={"reason": ""}, headers=headers)
    past = client.post(
        f"/api/v1/users/{player.id}/ban", json={"reason": "x", "until": "2001-01-01T00:00:00Z"}, headers=headers
    )
    assert empty.status_code == past.status_code == 422
    assert past.get_json()["errors"][0]["field"] == "until"


def test_bans_are_logged_with_who_and_whom_but_no_secrets(client, make, moderator, caplog):
    player = make.user()
    token = make.access_token(moderator)
    with caplog.at_level(logging.INFO, logger="tavern.audit"):
        client.post(f"/api/v1/users/{player.id}/ban", json={"reason": "Spam"}, headers=bearer(token))
        client.post(f"/api/v1/users/{player.id}/unban", headers=bearer(token))
    lines = [r.getMessage() for r in caplog.records if r.name == "tavern.audit"]
    assert any(str(player.id) in line and str(moderator.id) in line and "banned" in line for line in lines)
    assert any("unbanned" in line for line in lines)
    assert not any(token in line or player.password_hash in line for line in lines)


def test_ban_through_the_admin_page(app, client, auth, make, moderator, htmx, db):
    player = make.user(display_name="Griefer")
    victim_browser = app.test_client()
    victim_browser.post("/login", data={"email": player.email, "password": PASSWORD})
    auth.login(moderator)

    page = client.get(f"/admin/users/{player.id}").get_data(as_text=True)
    assert "Ban Griefer" in page
    invalid = client.post(f"/admin/users/{player.id}/ban", data={"reason": ""}, headers=htmx)
    assert invalid.status_code == 422
    assert 'id="reason-error"' in invalid.get_data(as_text=True)

    response = client.post(f"/admin/users/{player.id}/ban", data={"reason": "Griefing", "until": ""}, headers=htmx)
    assert response.status_code == 200
    assert "toast" in response.headers["HX-Trigger"]
    assert "Lift the ban" in response.get_data(as_text=True)
    assert victim_browser.get("/account").status_code == 302

    lifted = client.post(f"/admin/users/{player.id}/unban")
    assert lifted.status_code == 303
    db.session.refresh(player)
    assert player.ban_reason is None
