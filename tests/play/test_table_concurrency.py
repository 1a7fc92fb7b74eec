"""Twenty hits at once on the real PostgreSQL: the character's row lock makes every one count."""

import pytest

from tests.support import at_once
from webapp import rules
from webapp.extensions import db
from webapp.models import CampaignEvent, Character, Visibility

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def test_twenty_parallel_hits_of_one_take_exactly_twenty(app, postgres, make):
    gm = make.user()
    campaign = make.campaign(owner=gm)
    sturdy = make.archetype(health_per_level=12)
    mira = make.character(name="Mira", archetype=sturdy, experience=rules.xp_for_level(3), level=3)
    make.membership(campaign, mira)
    owner = {"Authorization": f"Bearer {make.access_token(db.session.get(type(gm), mira.owner_id))}"}
    master = {"Authorization": f"Bearer {make.access_token(gm)}"}
    url = f"/api/v1/characters/{mira.id}"

    def hit(client, index):
        # Owner and GM both strike, as they would at a table; a heal of 1 among them would hide a lost update.
        return client.post(f"{url}/damage", json={"amount": 1}, headers=owner if index % 2 else master)

    answers = at_once([app.test_client() for _ in range(20)], hit)

    assert [status for status, _ in answers] == [200] * 20
    assert sorted(body["health"]["current"] for _, body in answers) == list(range(16, 36))
    db.session.expire_all()
    assert db.session.get(Character, mira.id).health_lost == 20
    assert db.session.query(CampaignEvent).filter_by(character_id=mira.id).count() == 20


def test_parallel_spends_never_overdraw(app, postgres, make):
    mira = make.character(name="Mira", visibility=Visibility.PRIVATE)
    owner = {"Authorization": f"Bearer {make.access_token(db.session.get(type(make.user()), mira.owner_id))}"}
    url = f"/api/v1/characters/{mira.id}"
    mana = app.test_client().get(f"{url}/state", headers=owner).get_json()["mana"]["current"]
    assert mana >= 1

    answers = at_once(
        [app.test_client() for _ in range(20)],
        lambda client, _: client.post(f"{url}/spend", json={"pool": "mana", "amount": 1}, headers=owner),
    )

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == min(mana, 20) and statuses.count(422) == 20 - min(mana, 20)
    db.session.expire_all()
    assert db.session.get(Character, mira.id).mana_spent == min(mana, 20)
