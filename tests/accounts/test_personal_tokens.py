"""Personal API tokens: created on /account (shown once), stored hashed, last use recorded, scoped, revocable."""

from datetime import UTC, datetime, timedelta

from webapp.models import ApiToken
from webapp.services.tokens import digest


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_creating_a_token_on_the_account_page_shows_the_secret_once(client, auth, make, db):
    user = make.user()
    auth.login(user)
    response = client.post("/account/tokens", data={"name": "backup script", "scope": "read"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    secret = body.split('id="new-token-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("tvn_")
    assert row.token_hash == digest(secret) and secret not in (row.token_hash, row.prefix)
    later = client.get("/account").get_data(as_text=True)
    assert "backup script" in later
    assert secret not in later


def test_token_form_refuses_an_expiry_in_the_past_beside_the_field(client, auth, make, htmx):
    auth.login(make.user())
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    response = client.post(
        "/account/tokens", data={"name": "old", "scope": "read", "expires_on": yesterday}, headers=htmx
    )
    assert response.status_code == 422
    assert 'id="expires_on-error"' in response.get_data(as_text=True)


def test_a_token_authenticates_and_records_its_last_use(client, make, db):
    user = make.user(display_name="Scripted")
    row, secret = make.personal_token(user)
    response = client.get("/api/v1/users/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Scripted"
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_a_read_scoped_token_cannot_write(client, make):
    user = make.user()
    _, secret = make.personal_token(user, "read")
    response = client.patch(f"/api/v1/users/{user.id}", json={"bio": "changed"}, headers=bearer(secret))
    assert response.status_code == 403
    assert "read" in response.get_json()["detail"]


def test_a_write_scoped_token_can_write(client, make):
    user = make.user()
    _, secret = make.personal_token(user, "write")
    response = client.patch(f"/api/v1/users/{user.id}", json={"bio": "changed"}, headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["bio"] == "changed"


def test_a_revoked_token_answers_401(client, auth, make):
    user = make.user()
    row, secret = make.personal_token(user)
    auth.login(user)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 303
    response = client.get("/api/v1/users/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_an_expired_token_answers_401(client, make):
    _, secret = make.personal_token(make.user(), expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert client.get("/api/v1/users/me", headers=bearer(secret)).status_code == 401


def test_an_unknown_token_answers_401(client):
    assert client.get("/api/v1/users/me", headers=bearer("tvn_not-a-token")).status_code == 401


def test_api_creates_lists_without_secrets_and_revokes(client, make):
    user = make.user()
    jwt = make.access_token(user)
    created = client.post("/api/v1/tokens", json={"name": "ci", "scope": "write"}, headers=bearer(jwt))
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "token"}
    assert created.headers["Cache-Control"].startswith("no-store")

    listed = client.get("/api/v1/tokens", headers=bearer(jwt))
    assert listed.status_code == 200
    [entry] = listed.get_json()["data"]
    assert entry["name"] == "ci" and entry["scope"] == "write"
    assert body["token"] not in listed.get_data(as_text=True)
    assert "token_hash" not in entry

    assert client.get("/api/v1/users/me", headers=bearer(body["token"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=bearer(jwt)).status_code == 204
    assert client.get("/api/v1/users/me", headers=bearer(body["token"])).status_code == 401


def test_api_token_expiry_must_carry_a_zone_and_lie_ahead(client, make):
    jwt = make.access_token(make.user())
    naive = client.post("/api/v1/tokens", json={"name": "x", "expires_at": "2999-01-01T00:00:00"}, headers=bearer(jwt))
    past = client.post("/api/v1/tokens", json={"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, headers=bearer(jwt))
    assert naive.status_code == past.status_code == 422
    beyond = client.post(
        "/api/v1/tokens", json={"name": "x", "expires_at": "9999-12-31T23:00:00-05:00"}, headers=bearer(jwt)
    )
    assert beyond.status_code == 422 and beyond.get_json()["errors"][0]["field"] == "expires_at"


def test_personal_tokens_cannot_mint_tokens(client, make):
    _, secret = make.personal_token(make.user(), "write")
    response = client.post("/api/v1/tokens", json={"name": "escalate", "scope": "write"}, headers=bearer(secret))
    assert response.status_code == 403


def test_nobody_revokes_someone_elses_token(client, make):
    row, _ = make.personal_token(make.user())
    other = make.access_token(make.user())
    assert client.delete(f"/api/v1/tokens/{row.id}", headers=bearer(other)).status_code == 404
