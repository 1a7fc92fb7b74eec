"""Two awards racing on the real PostgreSQL: the character row locks make them add up instead of overwriting."""

import threading
import time

import pytest

from webapp.extensions import db
from webapp.models import Character
from webapp.services.campaigns import awards
from webapp.services.tokens import issue_access_token

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def test_two_concurrent_awards_to_the_same_party_both_count(app, postgres, make, monkeypatch):
    gm = make.user()
    campaign, characters = make.party(2, gm=gm)
    headers = {"Authorization": f"Bearer {issue_access_token(gm.id, gm.security_stamp)}"}
    url = f"/api/v1/campaigns/{campaign.id}/awards"
    give = awards.give_experience

    def slow_give(*args, **kwargs):
        # Widen the window between reading the experience and writing it, so an unlocked race would lose one.
        time.sleep(0.2)
        return give(*args, **kwargs)

    monkeypatch.setattr(awards, "give_experience", slow_give)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def award(amount: int) -> None:
        client = app.test_client()
        barrier.wait()
        with app.app_context():
            statuses.append(client.post(url, json={"experience": amount, "all": True}, headers=headers).status_code)

    threads = [threading.Thread(target=award, args=(amount,)) for amount in (300, 700)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [200, 200]
    db.session.expire_all()
    for character in characters:
        now = db.session.get(Character, character.id)
        assert (now.experience, now.level) == (1000, 5)
