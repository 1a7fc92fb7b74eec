"""Every log line of registering, signing in, refreshing, personal tokens, password resets and their failures, as
the production formatter writes them: no password, password hash, token or link secret appears in any."""

import io
import logging
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import ApiToken, User
from webapp.observability import JsonFormatter

PASSWORD = "a lantern in the deep mine"
NEW_PASSWORD = "seven ravens over the keep"
WRONG = "Wrong-Password-123456"


@pytest.fixture
def log_lines():
    """Everything any logger writes, at every level, through the JSON formatter production uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _link_secret(mailbox, to: str, subject: str, path: str) -> str:
    return mailbox.link(mailbox.wait_for(to=to, subject=subject), path).rsplit("/", 1)[1].split("=")[-1]


def test_no_secret_reaches_any_log_line(client, app, mailbox, log_lines):
    secrets = {PASSWORD, NEW_PASSWORD, WRONG}
    email = "ada@example.com"

    # Registering (and again with the same address), confirming by mail.
    body = {"email": email, "password": PASSWORD, "display_name": "Ada"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    secrets.add(_link_secret(mailbox, email, "Confirm your email", "/verify-email/"))
    assert client.post("/api/v1/auth/register", json={**body, "display_name": "A\x00"}).status_code == 422

    # Signing in, failing to, refreshing, reusing a rotated refresh token, signing out.
    assert client.post("/api/v1/auth/login", json={"email": email, "password": WRONG}).status_code == 401
    assert client.post("/login", data={"email": email, "password": WRONG}).status_code == 422
    pair = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).get_json()
    secrets.update({pair["access_token"], pair["refresh_token"]})
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).get_json()
    secrets.update({fresh["access_token"], fresh["refresh_token"]})
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    pair = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).get_json()
    secrets.update({pair["access_token"], pair["refresh_token"]})

    # Personal tokens: made, used, used wrongly, revoked, used after.
    access = _bearer(pair["access_token"])
    token = client.post("/api/v1/tokens", json={"name": "backup", "scope": "read"}, headers=access).get_json()
    secrets.add(token["token"])
    assert client.get("/api/v1/characters?mine=true", headers=_bearer(token["token"])).status_code == 200
    assert client.get("/api/v1/characters", headers=_bearer(token["token"] + "x")).status_code == 401
    client.delete(f"/api/v1/tokens/{token['id']}", headers=_bearer(pair["access_token"]))
    assert client.get("/api/v1/characters", headers=_bearer(token["token"])).status_code == 401

    # Changing the password, asking for a reset, resetting, signing in with the page.
    changed = client.put(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=_bearer(pair["access_token"]),
    )
    assert changed.status_code in {200, 204}
    assert client.post("/forgot-password", data={"email": email}).status_code == 200
    reset = _link_secret(mailbox, email, "Reset your Tavern password", "/reset-password/")
    secrets.add(reset)
    assert client.post(f"/reset-password/{reset}", data={"password": PASSWORD}).status_code == 303
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 303
    assert client.post("/logout").status_code in {302, 303}

    # A statement that fails carries a hash in its parameters: its error (and any 500 it causes) hides them.
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    secrets.add(user.password_hash)
    secrets.update(row.token_hash for row in db.session.execute(sa.select(ApiToken)).scalars())
    db.session.add(User(email=email, display_name="Twin", password_hash=user.password_hash))
    with pytest.raises(IntegrityError) as failed:
        db.session.commit()
    db.session.rollback()
    logging.getLogger("tavern.test").exception("a failed statement", exc_info=failed.value)
    assert user.password_hash not in str(failed.value)

    written = log_lines.getvalue()
    assert written.count("\n") > 20, "the flows above were expected to log"
    found = [secret[:12] + "…" for secret in secrets if secret and secret in written]
    assert not found, f"secrets in the logs: {found}"
    assert not re.search(r"\$argon2id?\$", written)
