"""Twenty approvals of one join request racing on the real PostgreSQL: the membership row lock lets one win."""

import threading
import time

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import CampaignEvent, EventKind, Membership, MembershipStatus
from webapp.services.campaigns import memberships
from webapp.services.tokens import issue_access_token

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

RACERS = 20


def test_twenty_concurrent_approvals_of_one_request_let_the_character_join_once(app, postgres, make, monkeypatch):
    gm = make.user()
    campaign = make.campaign(owner=gm)
    hero = make.character(name="Brannoc")
    membership = make.membership(campaign, hero, status="PENDING")
    headers = {"Authorization": f"Bearer {issue_access_token(gm.id, gm.security_stamp)}"}
    url = f"/api/v1/campaigns/{campaign.id}/members/{membership.id}/approve"
    sync = memberships.sync_level

    def slow_sync(*args, **kwargs):
        # Widen the window between reading the status and writing it, so an unlocked race would let several in.
        time.sleep(0.2)
        return sync(*args, **kwargs)

    monkeypatch.setattr(memberships, "sync_level", slow_sync)
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, dict]] = []

    def approve() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(url, headers=headers)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=approve) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _body in answers) == [200] + [409] * (RACERS - 1)
    assert {body["detail"] for status, body in answers if status == 409} == {"Brannoc is already in the party."}
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == MembershipStatus.APPROVED
    joined = sa.select(sa.func.count()).where(CampaignEvent.kind == EventKind.JOINED)
    assert db.session.execute(joined).scalar_one() == 1
