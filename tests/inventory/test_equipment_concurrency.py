"""Two requests racing for the last copy of an item on the real PostgreSQL: the character row lock serialises them."""

import threading
import time

import pytest

from tests.support import AuthActions
from webapp import rules
from webapp.extensions import db
from webapp.models import EquippedItem, InventoryEntry

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def test_two_concurrent_equips_of_the_last_copy_into_two_slots_one_wins_one_is_refused(
    app, postgres, make, monkeypatch
):
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc")
    ring = make.item(name="Ring of Vigour", slot="RING")
    make.give(hero, ring, 1)
    url, ring_id = f"/api/v1/characters/{hero.id}/equipment", str(ring.id)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        AuthActions(client).login(owner)
    plan = rules.plan_equipment

    def slow_plan(*args, **kwargs):
        # Widen the window between reading the equipment and writing it, so an unlocked race would collide.
        result = plan(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(rules, "plan_equipment", slow_plan)
    barrier = threading.Barrier(2)
    answers: dict[str, tuple[int, dict]] = {}

    def equip(client, slot: str) -> None:
        barrier.wait()
        response = client.put(url, json={slot: ring_id})
        answers[slot] = (response.status_code, response.get_json())

    threads = [
        threading.Thread(target=equip, args=(client, slot))
        for client, slot in zip(clients, ("ring_left", "ring_right"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _body in answers.values()) == [200, 422]
    refused = next(body for status, body in answers.values() if status == 422)
    assert refused["errors"][0]["message"] == "Ring of Vigour in 2 slots needs quantity 2; Brannoc has 1"
    db.session.expire_all()
    worn = db.session.scalars(db.select(EquippedItem).where(EquippedItem.character_id == hero.id)).all()
    assert len(worn) == 1 and worn[0].item_id == ring.id
    carried = db.session.scalars(db.select(InventoryEntry).where(InventoryEntry.character_id == hero.id)).all()
    assert [(entry.item_id, entry.quantity) for entry in carried] == [(ring.id, 1)]
