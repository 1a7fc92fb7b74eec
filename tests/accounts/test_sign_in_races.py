"""A sign-in or a refresh under way while its user's sign-ins are ended: whichever commits first, nothing it issues
outlives the revocation, and neither side answers 503 (PostgreSQL: the steps are slowed so that they overlap)."""

import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.support import at_once, slowed
from webapp.extensions import db
from webapp.models import User
from webapp.services import accounts, credentials, sign_in

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own
NEW_PASSWORD = "seven ravens over the keep"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def signed_in(client, user) -> dict:
    return client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).get_json()


def works(client, refresh_token: str) -> bool:
    """Whether a refresh token still gets an access token that the API takes."""
    db.session.expire_all()  # the test's requests share its session: what the racers committed is read afresh
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
    if again.status_code != 200:
        return False
    return client.get("/api/v1/users/me", headers=bearer(again.get_json()["access_token"])).status_code == 200


def revoke(client, what: str, stolen: dict, mine: dict):
    if what == "logout":
        return client.post("/api/v1/auth/logout", json={"refresh_token": stolen["refresh_token"]})
    if what == "logout-all":
        return client.post("/api/v1/auth/logout-all", headers=bearer(mine["access_token"]))
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    return client.put("/api/v1/auth/password", headers=bearer(mine["access_token"]), json=body)


@pytest.mark.parametrize("what", ["logout", "logout-all", "password"])
def test_a_refresh_racing_a_revocation_leaves_no_live_token(app, postgres, make, monkeypatch, what):
    user, client = make.user(), app.test_client()
    stolen, mine = signed_in(client, user), signed_in(client, user)
    monkeypatch.setattr(credentials, "token_pair", slowed(credentials.token_pair, 0.3))

    def send(racer, index):
        if index == 0:  # someone holding a copy of the refresh token uses it
            return racer.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        time.sleep(0.1)  # while its owner ends that sign-in, or all of them
        return revoke(racer, what, stolen, mine)

    (refreshed, body), (revoked, _) = at_once([app.test_client(), app.test_client()], send)
    monkeypatch.undo()
    assert refreshed in (200, 401) and revoked in (200, 204)
    assert refreshed == 401 or not works(client, body["refresh_token"])


def test_a_sign_in_with_the_old_password_during_its_change_does_not_outlive_it(app, postgres, make, monkeypatch):
    user, client = make.user(), app.test_client()
    mine, leaked = signed_in(client, user), {"email": user.email, "password": PASSWORD}
    # The change (its own checks and hashing included) ends while the leaked password is still being checked.
    monkeypatch.setattr(sign_in, "verify_password", slowed(sign_in.verify_password, 1.0))

    def send(racer, index):
        if index == 0:  # someone who knows the leaked password signs in with it
            return racer.post("/api/v1/auth/login", json=leaked)
        time.sleep(0.1)  # while its owner changes it
        return revoke(racer, "password", {}, mine)

    (signed, body), (changed, _) = at_once([app.test_client(), app.test_client()], send)
    monkeypatch.undo()
    assert changed == 200 and signed in (200, 401)
    assert signed == 401 or not works(client, body["refresh_token"])


def test_sign_out_everywhere_and_a_password_change_at_once_both_count(app, postgres, make, monkeypatch):
    user, client = make.user(), app.test_client()
    first, second = signed_in(client, user), signed_in(client, user)
    stamp = user.security_stamp
    monkeypatch.setattr(accounts, "fresh", slowed(accounts.fresh, 0.3))

    def send(racer, index):
        if index == 0:
            return racer.post("/api/v1/auth/logout-all", headers=bearer(first["access_token"]))
        time.sleep(0.1)
        return revoke(racer, "password", {}, second)

    (everywhere, _), (changed, _) = at_once([app.test_client(), app.test_client()], send)
    monkeypatch.undo()
    assert (everywhere, changed) == (204, 200)
    # Each moved the stamp once: a token that either of them issued before the other ended everything is dead.
    assert db.session.scalar(sa.select(User.security_stamp).where(User.id == user.id)) == stamp + 2
