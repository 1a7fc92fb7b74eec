"""If-Match on the inventory and equipment, raced on the real PostgreSQL: checked under the character's lock, one
ETag lets exactly one of twenty parallel changes through."""

import pytest

from tests.support import at_once, signed_in_clients, slowed
from webapp.extensions import db
from webapp.models import EquippedItem, InventoryEntry
from webapp.services import access

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


def test_twenty_parallel_quantity_changes_sent_with_one_etag_save_one_and_answer_412_to_the_rest(
    app, postgres, make, monkeypatch
):
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc")
    torch = make.item(name="Torch", weight=0.5)
    make.give(hero, torch, 1)
    url = f"/api/v1/characters/{hero.id}/inventory/{torch.id}"
    clients = signed_in_clients(app, owner, CROWD)
    etag = clients[0].get(url).headers["ETag"]
    slow_check = slowed(access.check)
    monkeypatch.setattr(access, "check", slow_check)
    monkeypatch.setattr(access.content, "check", slow_check)  # the one `access.load` calls

    answers = at_once(
        clients, lambda client, n: client.patch(url, json={"quantity": n + 2}, headers={"If-Match": etag})
    )

    assert sorted(status for status, _ in answers) == [200] + [412] * (CROWD - 1)
    saved = next(body for status, body in answers if status == 200)
    db.session.expire_all()
    assert db.session.get(InventoryEntry, (hero.id, torch.id)).quantity == saved["quantity"]


def test_twenty_parallel_equipment_changes_sent_with_one_etag_save_one_and_answer_412_to_the_rest(
    app, postgres, make, monkeypatch
):
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc")
    rings = [make.item(name=f"Ring {n:02}", slot="RING") for n in range(CROWD)]
    ring_ids = [str(ring.id) for ring in rings]
    for ring in rings:
        make.give(hero, ring, 1)
    url = f"/api/v1/characters/{hero.id}/equipment"
    clients = signed_in_clients(app, owner, CROWD)
    etag = clients[0].get(url).headers["ETag"]
    slow_check = slowed(access.check)
    monkeypatch.setattr(access, "check", slow_check)
    monkeypatch.setattr(access.content, "check", slow_check)  # the one `access.load` calls

    answers = at_once(
        clients, lambda client, n: client.put(url, json={"ring_left": ring_ids[n]}, headers={"If-Match": etag})
    )

    assert sorted(status for status, _ in answers) == [200] + [412] * (CROWD - 1)
    saved = next(body for status, body in answers if status == 200)
    db.session.expire_all()
    worn = db.session.scalars(db.select(EquippedItem).where(EquippedItem.character_id == hero.id)).all()
    assert [(str(row.slot), str(row.item_id)) for row in worn] == [("ring_left", saved["ring_left"]["id"])]
