"""The benchmark's bulk-built characters obey the rules, and the builder only adds what is missing."""

from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from bench import dataset
from webapp.models import Archetype, Character, EquippedItem, InventoryEntry, Race, User
from webapp.rules import ATTRIBUTES, check_point_buy, level_for_xp, load_limit, max_perks, slots_for
from webapp.seed import load_reference


def _characters(db) -> list[Character]:
    query = sa.select(Character).options(
        joinedload(Character.race).selectinload(Race.skills),
        joinedload(Character.archetype).selectinload(Archetype.required_races),
        joinedload(Character.archetype).selectinload(Archetype.skills),
        selectinload(Character.inventory).joinedload(InventoryEntry.item),
        selectinload(Character.equipment).joinedload(EquippedItem.item),
        selectinload(Character.skills),
        selectinload(Character.perks),
    )
    return list(db.session.execute(query).unique().scalars())


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_twenty_bench_characters_obey_every_rule(db):
    load_reference()
    result = dataset.build(db.engine, 20, progress=False)

    assert result.added == 20
    assert result.rows["inventory"] == 20 * dataset.INVENTORY_SIZE
    characters = _characters(db)
    assert len(characters) == 20
    for character in characters:
        assert check_point_buy({a: getattr(character, a) for a in ATTRIBUTES}) == []
        assert character.level == level_for_xp(character.experience)
        required = {race.id for race in character.archetype.required_races}
        assert not required or character.race_id in required
        taught = {s.id for s in character.race.skills} | {s.id for s in character.archetype.skills}
        assert all(s.id in taught and s.required_level <= character.level for s in character.skills)
        assert len(character.perks) <= max_perks(character.level)
        assert all(p.required_level <= character.level for p in character.perks)

        assert len(character.inventory) == dataset.INVENTORY_SIZE
        carried = {entry.item_id: entry.quantity for entry in character.inventory}
        worn = Counter(equipped.item_id for equipped in character.equipment)
        slots = {equipped.slot.value: equipped.item for equipped in character.equipment}
        for equipped in character.equipment:
            assert equipped.slot.value in slots_for(equipped.item.slot.value)
            assert equipped.item.required_level <= character.level
            assert carried.get(equipped.item_id, 0) >= worn[equipped.item_id]
        if "main_hand" in slots and slots["main_hand"].slot.value == "TWO_HANDS":
            assert "off_hand" not in slots

        strength = character.strength + character.race.strength_bonus + sum(i.bonus_strength for i in slots.values())
        load = sum(entry.item.weight * entry.quantity for entry in character.inventory)
        assert load <= load_limit(5 * max(1, min(30, strength)))


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_building_again_adds_only_the_missing_characters_to_their_owners(db):
    load_reference()
    dataset.build(db.engine, 15, progress=False)
    result = dataset.build(db.engine, 25, progress=False)

    assert result.added == 10
    owners = Counter(db.session.execute(sa.select(Character.owner_id)).scalars())
    assert sorted(owners.values()) == [5, 10, 10]
    emails = set(db.session.execute(sa.select(User.email)).scalars())
    assert dataset.BENCH_EMAIL in emails and len(emails) == 3


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_the_bench_user_signs_in_with_the_bench_password(db, client):
    load_reference()
    dataset.build(db.engine, 10, progress=False)

    answer = client.post("/login", data={"email": dataset.BENCH_EMAIL, "password": dataset.BENCH_PASSWORD})

    assert answer.status_code == 303


def test_progress_is_one_line_redrawn_in_place():
    import io

    stream = io.StringIO()
    bar = dataset.Progress("characters", 200, stream)
    bar.update(50)
    bar.update(200)
    bar.close()

    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "50/200" in text and "200/200 100%" in text
