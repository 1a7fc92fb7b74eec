"""The reference content: `flask seed` loads it, reloads it without duplicates, and its numbers make sense."""

from collections import defaultdict
from itertools import pairwise
from statistics import mean

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.models import ATTRIBUTE_NAMES, Archetype, Item, ItemSlot, Perk, Race, Rarity, Skill, Visibility
from webapp.seed import load_reference
from webapp.seed.archetypes import ARCHETYPES
from webapp.seed.items import ITEMS
from webapp.seed.races import RACES

SEEDED_TABLES = (
    "tags",
    "skills",
    "perks",
    "races",
    "archetypes",
    "items",
    "skill_tags",
    "perk_tags",
    "race_skills",
    "race_tags",
    "archetype_required_races",
    "archetype_skills",
    "archetype_tags",
    "item_tags",
    "item_bonus_skills",
    "item_bonus_perks",
)
RARITIES = list(Rarity)  # COMMON first, LEGENDARY last


def row_counts(db) -> dict[str, int]:
    tables = db.metadata.tables
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(tables[name])) for name in SEEDED_TABLES}


def by_name(db, model, name: str):
    return db.session.scalars(sa.select(model).where(model.name == name, model.owner_id.is_(None))).one()


@pytest.fixture
def reference(db) -> dict[str, int]:
    return load_reference()


@pytest.fixture
def items(reference, db) -> list[Item]:
    query = sa.select(Item).options(
        selectinload(Item.tags), selectinload(Item.bonus_skills), selectinload(Item.bonus_perks)
    )
    return list(db.session.scalars(query))


def test_flask_seed_twice_leaves_the_same_counts(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed"])
    counts = row_counts(db)
    second = runner.invoke(args=["seed"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert row_counts(db) == counts
    assert f"{counts['items']} items" in second.output
    assert all(counts.values())


def test_reference_holds_at_least_the_promised_content(reference, db):
    minimum = {"tags": 12, "skills": 30, "perks": 20, "races": 6, "archetypes": 8, "items": 250}

    assert list(reference) == list(minimum)
    for kind, at_least in minimum.items():
        assert reference[kind] >= at_least, kind
        assert row_counts(db)[kind] == reference[kind], kind


def test_reloading_reads_each_table_in_one_query_not_one_per_row(reference, queries):
    with queries:
        load_reference()

    assert queries.count <= 20, queries.statements


def test_reloading_restores_edited_fields_and_keeps_the_same_rows(reference, db):
    sword = by_name(db, Item, "Iron Arming Sword")
    sword_id, expected = sword.id, next(row for row in ITEMS if row["name"] == "Iron Arming Sword")
    sword.damage, sword.value = 99, 1
    db.session.commit()

    load_reference()

    sword = db.session.get(Item, sword_id)
    assert (sword.damage, sword.value) == (expected["damage"], expected["value"])


def test_reloading_keeps_what_a_moderator_hid(reference, db):
    by_name(db, Race, "Elf").visibility = Visibility.HIDDEN
    db.session.commit()

    load_reference()

    assert by_name(db, Race, "Elf").visibility == Visibility.HIDDEN


def test_a_users_homebrew_with_a_reference_name_is_left_alone(db, make):
    homebrew = make.race(name="Dwarf", owner_id=make.user().id, visibility=Visibility.PRIVATE, strength_bonus=3)

    load_reference()

    dwarves = db.session.scalars(sa.select(Race).where(Race.name == "Dwarf")).all()
    assert len(dwarves) == 2
    assert db.session.get(Race, homebrew.id).strength_bonus == 3
    assert by_name(db, Race, "Dwarf").visibility == Visibility.PUBLIC


def test_skill_and_perk_levels_spread_from_one_to_mid_teens(reference, db):
    skill_levels = set(db.session.scalars(sa.select(Skill.required_level)))
    perk_levels = set(db.session.scalars(sa.select(Perk.required_level)))

    assert (min(skill_levels), max(skill_levels)) == (1, 15)
    assert len(skill_levels) >= 10
    assert (min(perk_levels), max(perk_levels)) == (1, 16)
    assert len(perk_levels) >= 10


def test_races_have_balanced_bonuses_and_their_skills(reference, db):
    query = sa.select(Race).options(selectinload(Race.skills), selectinload(Race.tags))
    races = {race.name: race for race in db.session.scalars(query)}

    assert {"Human", "Dwarf", "Elf"} <= races.keys()
    for race in races.values():
        bonuses = [getattr(race, f"{attribute}_bonus") for attribute in ATTRIBUTE_NAMES]
        assert all(-3 <= bonus <= 3 for bonus in bonuses), race.name
        assert 1 <= sum(bonuses) <= 3, race.name
        assert all(50 <= pct <= 200 for pct in (race.health_pct, race.mana_pct, race.stamina_pct)), race.name
        assert 3 <= len(race.skills) <= 6, race.name
        assert race.tags, race.name
    assert {name: {s.name for s in race.skills} for name, race in races.items()} == {
        spec["name"]: set(spec["skills"]) for spec in RACES
    }


def test_archetypes_required_races_and_skills_resolve(reference, db):
    query = sa.select(Archetype).options(
        selectinload(Archetype.required_races), selectinload(Archetype.skills), selectinload(Archetype.tags)
    )
    archetypes = {archetype.name: archetype for archetype in db.session.scalars(query)}

    for spec in ARCHETYPES:
        archetype = archetypes[spec["name"]]
        assert {race.name for race in archetype.required_races} == set(spec["required_races"])
        assert {skill.name for skill in archetype.skills} == set(spec["skills"])
        assert 4 <= len(archetype.skills) <= 8, archetype.name
        assert 4 <= archetype.health_per_level <= 12, archetype.name
        assert 0 <= archetype.mana_per_level <= 12, archetype.name
        assert 2 <= archetype.stamina_per_level <= 12, archetype.name
    required = [{race.name for race in a.required_races} for a in archetypes.values() if a.required_races]
    assert len(required) >= 3
    assert {"Dwarf"} in required
    assert any(races & {"Elf", "Human"} == {"Elf", "Human"} for races in required)


def test_every_slot_and_every_rarity_is_stocked(items):
    assert {item.slot for item in items} == set(ItemSlot)
    assert {item.rarity for item in items} == set(Rarity)
    for slot in ItemSlot:
        assert len({item.rarity for item in items if item.slot == slot}) >= 3, slot


def test_items_are_public_system_content_with_unique_names(items):
    names = [item.name for item in items]

    assert len(names) == len(set(names)) == len({row["name"] for row in ITEMS})
    assert all(item.owner_id is None and item.visibility == Visibility.PUBLIC for item in items)


def test_items_satisfy_the_model_constraints(items):
    for item in items:
        assert 1 <= len(item.name) <= 120, item.name
        assert 0 < len(item.description) <= 4000, item.name
        assert item.weight >= 0, item.name
        assert 1 <= item.required_level <= 20, item.name
        assert 0 <= item.durability <= item.max_durability, item.name
        assert min(item.value, item.damage, item.defense) >= 0, item.name


def test_rarer_items_need_higher_levels_cost_more_and_give_more(items):
    by_rarity = defaultdict(list)
    for item in items:
        if item.slot != ItemSlot.NONE:
            by_rarity[item.rarity].append(item)

    def rising(numbers: list[float]) -> bool:
        return all(low < high for low, high in pairwise(numbers))

    assert rising([mean(i.required_level for i in by_rarity[rarity]) for rarity in RARITIES])
    assert rising([mean(i.value for i in by_rarity[rarity]) for rarity in RARITIES])
    assert rising([mean(total_bonus(i) for i in by_rarity[rarity]) for rarity in RARITIES])


def total_bonus(item: Item) -> int:
    return sum(getattr(item, f"bonus_{attribute}") for attribute in ATTRIBUTE_NAMES)


def test_two_handed_weapons_hit_harder_and_weigh_more_than_one_handed_ones(items):
    def weapons(slot: ItemSlot) -> list[Item]:
        return [item for item in items if item.slot == slot and item.damage > 0]

    assert mean(i.damage for i in weapons(ItemSlot.TWO_HANDS)) > mean(i.damage for i in weapons(ItemSlot.ONE_HAND))
    assert mean(i.weight for i in weapons(ItemSlot.TWO_HANDS)) > mean(i.weight for i in weapons(ItemSlot.ONE_HAND))


def test_consumables_quest_items_and_throwing_weapons(items):
    consumables = [item for item in items if item.is_consumable]
    quest_items = [item for item in items if item.is_quest_item]
    throwable_names = {item.name for item in items if item.is_throwable}

    assert len(consumables) >= 5
    assert all(item.slot == ItemSlot.NONE for item in consumables)
    assert any("Draught" in item.name for item in consumables)
    assert len(quest_items) >= 3
    assert all(not item.is_tradeable and item.slot == ItemSlot.NONE for item in quest_items)
    assert any("Dagger" in name for name in throwable_names)
    assert any("Javelin" in name for name in throwable_names)


def test_the_gear_later_features_rely_on_exists(items):
    def named(slot: ItemSlot, word: str) -> list[Item]:
        return [item for item in items if item.slot == slot and word in item.name]

    assert any(item.damage > 0 for item in named(ItemSlot.ONE_HAND, "Sword"))
    assert any(item.damage > 0 for item in named(ItemSlot.TWO_HANDS, "Sword"))
    assert any(item.defense > 0 and item.damage == 0 for item in named(ItemSlot.ONE_HAND, "Shield"))
    assert named(ItemSlot.HANDS, "Gloves")
    assert named(ItemSlot.FACE, "Mask")
    assert named(ItemSlot.RING, "Ring")


def test_rings_weigh_next_to_nothing(items):
    rings = [item for item in items if item.slot == ItemSlot.RING]

    assert len(rings) >= 10
    assert all(0 < ring.weight <= 0.05 for ring in rings)


def test_only_epic_and_legendary_items_grant_skills_and_perks(items):
    granting = {item.name: item for item in items if item.bonus_skills or item.bonus_perks}

    assert len(granting) >= 5
    assert all(item.rarity in (Rarity.EPIC, Rarity.LEGENDARY) for item in granting.values())
    for spec in ITEMS:
        if spec["bonus_skills"] or spec["bonus_perks"]:
            item = granting[spec["name"]]
            assert {skill.name for skill in item.bonus_skills} == set(spec["bonus_skills"])
            assert {perk.name for perk in item.bonus_perks} == set(spec["bonus_perks"])


def test_every_race_and_archetype_it_may_take_teach_a_skill_open_at_level_1():
    load_reference()
    races = db_rows(Race, Race.skills)
    archetypes = db_rows(Archetype, Archetype.skills, Archetype.required_races)
    pairs = [
        (race, archetype)
        for race in races
        for archetype in archetypes
        if not archetype.required_races or race.id in {r.id for r in archetype.required_races}
    ]
    assert len(pairs) >= 30  # 6 races × 6 open archetypes and the race-bound ones
    bare = [
        f"{race.name} {archetype.name}"
        for race, archetype in pairs
        if not [skill for skill in [*race.skills, *archetype.skills] if skill.required_level <= 1]
    ]
    assert bare == []


def db_rows(model, *relations):
    from webapp.extensions import db

    query = sa.select(model).where(model.owner_id.is_(None)).options(*(selectinload(r) for r in relations))
    return db.session.execute(query).scalars().all()
