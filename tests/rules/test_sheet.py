"""The character sheet: every number with a breakdown that adds up to it."""

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from tests.rules.builders import GREATSWORD, LONGSWORD, OAK_SHIELD, ROPE, brannoc, scores
from webapp.rules import (
    ATTRIBUTES,
    EQUIP_SLOTS,
    ArchetypeData,
    CharacterData,
    ItemData,
    Part,
    RaceData,
    Stat,
    compute_sheet,
    modifier,
)

DWARF = RaceData("dwarf", "Dwarf", bonuses={"constitution": 2, "charisma": -1}, health_pct=110)
FIGHTER = ArchetypeData("fighter", "Fighter", health_per_level=8, mana_per_level=0, stamina_per_level=6)
BELT_OF_GIANTS = ItemData("belt-of-giants", "Belt of Giants", slot="BELT", bonuses={"strength": 2}, weight=1.0)
CHAIN_SHIRT = ItemData("chain-shirt", "Chain Shirt", slot="CHEST", defense=4, weight=9.0)
AMULET_OF_VIGOUR = ItemData("amulet-of-vigour", "Amulet of Vigour", slot="AMULET", bonus_health=5, bonus_mana=2)


def fighter(**fields: object) -> CharacterData:
    """Brannoc the level 3 Dwarf Fighter: STR 15, CON 13 (+2), DEX 12, INT 8."""
    defaults: dict[str, object] = {
        "base": scores(strength=15, constitution=13, dexterity=12, intelligence=8),
        "experience": 300,
        "race": DWARF,
        "archetype": FIGHTER,
    }
    return brannoc(**{**defaults, **fields})


def test_level_comes_from_experience() -> None:
    sheet = compute_sheet(fighter())
    assert (sheet.level, sheet.experience) == (3, 300)


def test_level_stops_at_the_characters_cap() -> None:
    assert compute_sheet(fighter(experience=4500)).level == 10
    assert compute_sheet(fighter(experience=4500, level_cap=5)).level == 5


def test_attribute_adds_race_bonus_to_base() -> None:
    constitution = compute_sheet(fighter()).attributes["constitution"]
    assert constitution.value == 15
    assert constitution.modifier == 2
    assert constitution.breakdown == (Part("Base", 13), Part("Dwarf", 2))


def test_attribute_without_bonuses_shows_only_the_base() -> None:
    assert compute_sheet(fighter()).attributes["wisdom"].breakdown == (Part("Base", 10),)


def test_attribute_adds_equipped_item_bonuses_by_name() -> None:
    sheet = compute_sheet(fighter(equipment={"belt": BELT_OF_GIANTS}))
    strength = sheet.attributes["strength"]
    assert strength.value == 17
    assert strength.modifier == 3
    assert strength.breakdown == (Part("Base", 15), Part("Belt of Giants", 2))


def test_carried_but_unequipped_items_grant_no_bonus() -> None:
    sheet = compute_sheet(fighter(inventory=[(BELT_OF_GIANTS, 1)]))
    assert sheet.attributes["strength"].value == 15


def test_attribute_above_thirty_is_limited_with_a_visible_part() -> None:
    girdle = ItemData("girdle", "Girdle of Titans", slot="BELT", bonuses={"strength": 20})
    strength = compute_sheet(fighter(equipment={"belt": girdle})).attributes["strength"]
    assert strength.value == 30
    assert strength.modifier == 10
    assert strength.breakdown == (Part("Base", 15), Part("Girdle of Titans", 20), Part("Limit (1–30)", -5))


def test_attribute_below_one_is_limited_with_a_visible_part() -> None:
    curse = ItemData("cursed-mask", "Cursed Mask", slot="FACE", bonuses={"charisma": -10})
    charisma = compute_sheet(fighter(base=scores(charisma=8), equipment={"face": curse})).attributes["charisma"]
    assert charisma.value == 1
    assert charisma.breakdown == (
        Part("Base", 8),
        Part("Dwarf", -1),
        Part("Cursed Mask", -10),
        Part("Limit (1–30)", 4),
    )


def test_max_health_grows_with_archetype_con_level_and_race() -> None:
    health = compute_sheet(fighter()).max_health
    # (8 + 2) · 3 · 110 / 100 = 33
    assert health == Stat(33, (Part("Fighter 8/level + CON modifier 2, × level 3 × Dwarf 110%", 33),))


def test_max_health_rounds_half_away_from_zero() -> None:
    elf = RaceData("elf", "Elf", health_pct=90)
    scout = ArchetypeData("scout", "Scout", health_per_level=5, stamina_per_level=2)
    # 5 · 1 · 90 / 100 = 4.5, which round() would make 4
    assert compute_sheet(brannoc(race=elf, archetype=scout)).max_health.value == 5


def test_max_health_is_at_least_the_level() -> None:
    sprite = RaceData("sprite", "Sprite", bonuses={"constitution": -3}, health_pct=50)
    wizard = ArchetypeData("wizard", "Wizard", health_per_level=4, mana_per_level=10, stamina_per_level=2)
    character = brannoc(base=scores(constitution=8), race=sprite, archetype=wizard, experience=300)
    # CON 5 → −3; (4 − 3) · 3 · 50 / 100 = 1.5 → 2, below level 3
    assert compute_sheet(character).max_health.breakdown == (
        Part("Wizard 4/level + CON modifier -3, × level 3 × Sprite 50%", 2),
        Part("minimum (level)", 1),
    )
    assert compute_sheet(character).max_health.value == 3


def test_max_mana_never_grows_below_zero() -> None:
    mana = compute_sheet(fighter()).max_mana
    # (0 − 1) · 3 · 100 / 100 = −3, lifted to 0
    assert mana == Stat(
        0,
        (Part("Fighter 0/level + INT modifier -1, × level 3 × Dwarf 100%", -3), Part("minimum (0)", 3)),
    )


def test_max_stamina_uses_dex() -> None:
    stamina = compute_sheet(fighter()).max_stamina
    # (6 + 1) · 3 · 100 / 100 = 21
    assert stamina == Stat(21, (Part("Fighter 6/level + DEX modifier 1, × level 3 × Dwarf 100%", 21),))


def test_equipped_pool_bonuses_are_added_after_the_minimum() -> None:
    sheet = compute_sheet(fighter(equipment={"amulet": AMULET_OF_VIGOUR}))
    assert sheet.max_health.value == 33 + 5
    assert sheet.max_health.breakdown[-1] == Part("Amulet of Vigour", 5)
    assert sheet.max_mana.value == 0 + 2
    assert sheet.max_mana.breakdown[-1] == Part("Amulet of Vigour", 2)


def test_draft_without_race_or_archetype_rests_on_the_minimums() -> None:
    sheet = compute_sheet(brannoc())
    assert sheet.max_health == Stat(
        1,
        (
            Part("No archetype 0/level + CON modifier 0, × level 1 × No race 100%", 0),
            Part("minimum (level)", 1),
        ),
    )
    assert sheet.max_mana.value == 0
    assert sheet.max_stamina.value == 1


def test_attack_is_equipped_damage_plus_str_modifier() -> None:
    attack = compute_sheet(fighter(equipment={"main_hand": GREATSWORD})).attack
    assert attack == Stat(14, (Part("Greatsword", 12), Part("STR modifier", 2)))


def test_unarmed_attack_is_the_str_modifier() -> None:
    assert compute_sheet(brannoc(base=scores(strength=8))).attack == Stat(-1, (Part("STR modifier", -1),))


def test_defense_is_ten_plus_equipped_defense_plus_dex_modifier() -> None:
    sheet = compute_sheet(fighter(equipment={"chest": CHAIN_SHIRT, "off_hand": OAK_SHIELD}))
    assert sheet.defense == Stat(
        17, (Part("Base", 10), Part("Chain Shirt", 4), Part("Oak Shield", 2), Part("DEX modifier", 1))
    )


def test_capacity_is_five_kg_per_effective_strength() -> None:
    sheet = compute_sheet(fighter(equipment={"belt": BELT_OF_GIANTS}))
    assert sheet.capacity == Stat(85.0, (Part("5 kg × STR 17", 85.0),))
    assert sheet.load_limit == Stat(170.0, (Part("2 × capacity 85 kg", 170.0),))


def test_load_counts_every_carried_item_times_its_quantity() -> None:
    torch = ItemData("torch", "Torch", weight=0.5)
    feather = ItemData("feather", "Feather", weight=0.0)
    sheet = compute_sheet(fighter(inventory=[(GREATSWORD, 1), (torch, 3), (feather, 2)]))
    assert sheet.load == Stat(4.5, (Part("Greatsword", 3.0), Part("Torch × 3", 1.5)))


def test_equipped_items_weigh_as_inventory_entries_once() -> None:
    sheet = compute_sheet(fighter(equipment={"main_hand": LONGSWORD}, inventory=[(LONGSWORD, 1)]))
    assert sheet.load.value == 1.5


def test_load_rounds_to_hundredths_of_a_kg() -> None:
    coin = ItemData("coin", "Gold Coin", weight=0.125)
    assert compute_sheet(brannoc(inventory=[(coin, 1)])).load.value == 0.13


def test_empty_inventory_weighs_nothing() -> None:
    assert compute_sheet(brannoc()).load == Stat(0.0, ())


def test_load_above_capacity_is_encumbered() -> None:
    anvil = ItemData("anvil", "Anvil", weight=41.0)
    at_capacity = ItemData("sack", "Sack of Stones", weight=40.0)
    weak = scores(strength=8)
    assert compute_sheet(brannoc(base=weak, inventory=[(anvil, 1)])).encumbered is True
    assert compute_sheet(brannoc(base=weak, inventory=[(at_capacity, 1)])).encumbered is False


def test_equipped_items_grant_skills_and_perks() -> None:
    ring = ItemData(
        "ring-of-sight",
        "Ring of Sight",
        slot="RING",
        bonus_skill_ids=frozenset({"darkvision"}),
        bonus_perk_ids=frozenset({"keen-eye"}),
    )
    sheet = compute_sheet(fighter(equipment={"ring_left": ring}, skill_ids=frozenset({"parry"})))
    assert sheet.granted_skill_ids == {"darkvision"}
    assert sheet.granted_perk_ids == {"keen-eye"}
    assert sheet.skill_ids == {"parry", "darkvision"}
    assert sheet.perk_ids == {"keen-eye"}


def test_carried_items_grant_nothing() -> None:
    ring = ItemData("ring-of-sight", "Ring of Sight", slot="RING", bonus_skill_ids=frozenset({"darkvision"}))
    assert compute_sheet(fighter(inventory=[(ring, 1)])).granted_skill_ids == frozenset()


def test_sheet_as_json_has_the_api_shape() -> None:
    sheet = compute_sheet(fighter(equipment={"main_hand": GREATSWORD}, inventory=[(GREATSWORD, 1), (ROPE, 2)]))
    data = json.loads(json.dumps(sheet.to_dict()))
    assert data["level"] == 3
    assert data["experience"] == 300
    assert data["attributes"]["constitution"] == {
        "value": 15,
        "modifier": 2,
        "breakdown": [{"source": "Base", "amount": 13}, {"source": "Dwarf", "amount": 2}],
    }
    assert data["attack"] == {
        "value": 14,
        "breakdown": [{"source": "Greatsword", "amount": 12}, {"source": "STR modifier", "amount": 2}],
    }
    assert data["load"]["value"] == 5.0
    assert data["capacity"]["value"] == 75.0
    assert data["encumbered"] is False
    assert data["skills"] == []
    assert data["perks"] == []
    assert list(data["equipment"]) == list(EQUIP_SLOTS)
    assert data["equipment"]["main_hand"] == "greatsword"
    assert data["equipment"]["off_hand"] is None


def test_sheet_as_json_takes_the_callers_skills_perks_and_equipment() -> None:
    skills = [{"id": "parry", "name": "Parry"}]
    data = compute_sheet(fighter()).to_dict(skills=skills, perks=[], equipment={"head": None})
    assert (data["skills"], data["perks"], data["equipment"]) == (skills, [], {"head": None})


small_ints = st.integers(min_value=-10, max_value=10)
races = st.builds(
    RaceData,
    id=st.just("race"),
    name=st.just("Race"),
    bonuses=st.dictionaries(st.sampled_from(ATTRIBUTES), st.integers(min_value=-3, max_value=3)),
    health_pct=st.integers(min_value=50, max_value=200),
    mana_pct=st.integers(min_value=50, max_value=200),
    stamina_pct=st.integers(min_value=50, max_value=200),
)
archetypes = st.builds(
    ArchetypeData,
    id=st.just("archetype"),
    name=st.just("Archetype"),
    health_per_level=st.integers(min_value=4, max_value=12),
    mana_per_level=st.integers(min_value=0, max_value=12),
    stamina_per_level=st.integers(min_value=2, max_value=12),
)
items = st.builds(
    ItemData,
    id=st.uuids(),
    name=st.text(min_size=1, max_size=10),
    weight=st.floats(min_value=0, max_value=500, allow_nan=False),
    damage=st.integers(min_value=0, max_value=30),
    defense=st.integers(min_value=0, max_value=10),
    bonuses=st.dictionaries(st.sampled_from(ATTRIBUTES), small_ints),
    bonus_health=small_ints,
    bonus_mana=small_ints,
    bonus_stamina=small_ints,
)
characters = st.builds(
    CharacterData,
    name=st.just("Brannoc"),
    base=st.fixed_dictionaries({a: st.integers(min_value=1, max_value=30) for a in ATTRIBUTES}),
    experience=st.integers(min_value=0, max_value=50_000),
    race=st.none() | races,
    archetype=st.none() | archetypes,
    equipment=st.dictionaries(st.sampled_from(EQUIP_SLOTS), items),
    inventory=st.lists(st.tuples(items, st.integers(min_value=1, max_value=50)), max_size=8),
    level_cap=st.integers(min_value=1, max_value=20),
)


def assert_adds_up(stat: Stat) -> None:
    total = sum(part.amount for part in stat.breakdown)
    if isinstance(stat.value, int):
        assert total == stat.value
    else:
        assert math.isclose(total, stat.value, abs_tol=1e-6)


@given(characters)
def test_every_breakdown_adds_up_to_its_value(character: CharacterData) -> None:
    sheet = compute_sheet(character)
    for stat in (
        sheet.max_health,
        sheet.max_mana,
        sheet.max_stamina,
        sheet.attack,
        sheet.defense,
        sheet.capacity,
        sheet.load,
        sheet.load_limit,
    ):
        assert_adds_up(stat)
    for attribute in sheet.attributes.values():
        assert sum(part.amount for part in attribute.breakdown) == attribute.value


@given(characters)
def test_derived_numbers_respect_their_limits(character: CharacterData) -> None:
    sheet = compute_sheet(character)
    for attribute in sheet.attributes.values():
        assert 1 <= attribute.value <= 30
        assert attribute.modifier == modifier(attribute.value)
    bonus_health = sum(item.bonus_health for item in character.equipment.values())
    bonus_mana = sum(item.bonus_mana for item in character.equipment.values())
    assert sheet.max_health.value - bonus_health >= sheet.level
    assert sheet.max_mana.value - bonus_mana >= 0
    assert sheet.encumbered == (sheet.load.value > sheet.capacity.value)
    json.dumps(sheet.to_dict())
