"""Two requests racing for the last copy of an item on the real PostgreSQL: the character row lock serialises them."""

import threading
import time

from webapp import rules
from webapp.extensions import db
from webapp.models import EquippedItem, InventoryEntry, User
from webapp.services import equipment
from webapp.services.errors import RuleViolation


def test_two_concurrent_equips_of_the_last_copy_into_two_slots_one_wins_one_is_refused(
    app, postgres, make, monkeypatch
):
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc")
    ring = make.item(name="Ring of Vigour", slot="RING")
    make.give(hero, ring, 1)
    plan = rules.plan_equipment

    def slow_plan(*args, **kwargs):
        # Widen the window between reading the equipment and writing it, so an unlocked race would collide.
        result = plan(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(rules, "plan_equipment", slow_plan)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def equip(slot: str) -> None:
        with app.app_context():
            actor = db.session.get(User, owner.id)
            barrier.wait()
            try:
                equipment.change_equipment(actor, hero.id, {slot: ring.id})
                outcomes[slot] = "equipped"
            except RuleViolation as error:
                outcomes[slot] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=equip, args=(slot,)) for slot in ("ring_left", "ring_right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == [
        "Ring of Vigour in 2 slots needs quantity 2; Brannoc has 1",
        "equipped",
    ]
    db.session.expire_all()
    worn = db.session.scalars(db.select(EquippedItem).where(EquippedItem.character_id == hero.id)).all()
    assert len(worn) == 1 and worn[0].item_id == ring.id
    carried = db.session.scalars(db.select(InventoryEntry).where(InventoryEntry.character_id == hero.id)).all()
    assert [(entry.item_id, entry.quantity) for entry in carried] == [(ring.id, 1)]
