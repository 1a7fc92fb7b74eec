"""A GM's change to the party racing a player's leaving, on the real PostgreSQL: both run one after the other in
some order (each answer 2xx, 404 or 409), never a deadlock answered as a database outage."""

import threading
import time

import pytest

from webapp.extensions import db
from webapp.models import Membership, User
from webapp.services.campaigns import memberships
from webapp.services.tokens import issue_access_token

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def bearer(user: User) -> dict:
    return {"Authorization": f"Bearer {issue_access_token(user.id, user.security_stamp)}"}


def race(app, first: tuple, second: tuple) -> list[int]:
    """Send two requests (method, url, headers, body) at once; their status codes, in that order."""
    barrier = threading.Barrier(2)
    statuses: dict[int, int] = {}

    def send(index: int, method: str, url: str, headers: dict, body: dict | None) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.open(url, method=method, headers=headers, json=body).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [statuses[0], statuses[1]]


@pytest.mark.parametrize(
    ("status", "gm_request", "allowed"),
    [
        ("PENDING", ("POST", "/members/{m}/approve", None), {200, 404}),
        ("APPROVED", ("PATCH", "", {"rules": {"level_cap": 3}}), {200}),
        ("APPROVED", ("POST", "/archive", None), {200}),
    ],
    ids=["approve", "rules", "archive"],
)
def test_a_gm_change_and_a_player_leaving_at_once_both_answer(
    app, postgres, make, monkeypatch, status, gm_request, allowed
):
    ending = memberships.end_membership

    def slow_end(membership):
        # Hold the membership's lock a while before the log entry is written: the GM's request, holding the
        # campaign, then waits for the membership, as a deadlock needs.
        time.sleep(0.2)
        return ending(membership)

    monkeypatch.setattr(memberships, "end_membership", slow_end)
    for _ in range(3):
        gm = make.user()
        campaign = make.campaign(owner=gm)
        hero = make.character()
        membership = make.membership(campaign, hero, status=status)
        player = db.session.get(User, hero.owner_id)
        base = f"/api/v1/campaigns/{campaign.id}"
        method, path, body = gm_request
        leave = ("DELETE", f"{base}/members/{membership.id}", bearer(player), None)
        change = (method, base + path.format(m=membership.id), bearer(gm), body)

        left, changed = race(app, leave, change)

        assert left in {204, 404, 409}, left  # the archive may end the membership first
        assert changed in allowed, changed
        db.session.expire_all()
        assert db.session.get(Membership, membership.id).active is False
