"""The sheet loader: every number by the spec's formulas, computed here by hand, in a fixed number of queries."""

import math

import pytest
import sqlalchemy as sa

from webapp import reference
from webapp.extensions import db
from webapp.models import Character, User
from webapp.rules import compute_sheet
from webapp.services import characters, sheets


def fresh(user: User) -> User:
    """The same user in an emptied session, so nothing is already loaded."""
    user_id = user.id
    db.session.expunge_all()
    return db.session.get(User, user_id)


def half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def mod(score: int) -> int:
    return (score - 10) // 2


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def player(make):
    return make.user()


def dwarf_sellsword(ref, player, make, **scores):
    fields = {
        "name": "Brannoc",
        "race_id": ref["race"]["Dwarf"].id,
        "archetype_id": ref["archetype"]["Sellsword"].id,
        **make.point_buy(**scores),
    }
    return characters.create_character(player, characters.CharacterCreate.read(fields))


def test_a_level_one_dwarf_sellsword_has_the_numbers_of_the_spec(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    sheet = sheets.load_sheet(player, hero.id).sheet
    # Dwarf: STR +1, CON +2, DEX −1; health 120 %, mana 80 %, stamina 110 %. Sellsword: 10 / 0 / 8 per level.
    strength, constitution, dexterity, intelligence = 15 + 1, 14 + 2, 13 - 1, 8
    assert sheet.attributes["strength"].value == strength
    assert sheet.attributes["constitution"].modifier == 3
    assert sheet.max_health.value == max(1, half_away((10 + mod(constitution)) * 1 * 120 / 100)) == 16
    assert sheet.max_mana.value == max(0, half_away((0 + mod(intelligence)) * 1 * 80 / 100)) == 0
    assert sheet.max_stamina.value == max(1, half_away((8 + mod(dexterity)) * 1 * 110 / 100)) == 10
    assert sheet.attack.value == mod(strength) == 3
    assert sheet.defense.value == 10 + mod(dexterity) == 11
    assert sheet.capacity.value == 5 * strength == 80


def test_at_level_five_pools_grow_with_the_level(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    hero.experience, hero.level = 1000, 5
    db.session.commit()
    sheet = sheets.load_sheet(player, hero.id).sheet
    assert sheet.level == 5
    assert sheet.max_health.value == half_away((10 + 3) * 5 * 120 / 100) == 78
    assert sheet.max_stamina.value == half_away((8 + 1) * 5 * 110 / 100) == 50
    assert sum(part.amount for part in sheet.max_health.breakdown) == 78


def test_equipped_items_count_towards_stats_and_their_breakdowns(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    ring = make.item(name="Ring of Vigour", slot="RING", bonus_constitution=2, bonus_health=5, weight=0.1)
    sword = make.item(name="Test Blade", slot="ONE_HAND", damage=6, weight=1.5)
    for item, slot in ((ring, "ring_left"), (sword, "main_hand")):
        make.give(hero, item)
        make.equip(hero, item, slot)
    make.give(hero, make.item(name="Rope", weight=2.0), quantity=3)
    sheet = sheets.load_sheet(player, hero.id).sheet
    assert sheet.attributes["constitution"].value == 18
    assert sheet.max_health.value == half_away((10 + 4) * 120 / 100) + 5 == 22
    assert ("Ring of Vigour", 5) in [(part.source, part.amount) for part in sheet.max_health.breakdown]
    assert sheet.attack.value == 6 + 3
    assert sheet.load.value == 0.1 + 1.5 + 6.0


def test_an_item_edited_in_the_compendium_weighs_its_new_weight_on_the_next_sheet(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    rope = make.item(name="Rope", weight=2.0)
    make.give(hero, rope, quantity=3)
    assert sheets.load_sheet(player, hero.id).sheet.load.value == 6.0
    rope.weight = 3.0
    db.session.commit()
    assert sheets.load_sheet(player, hero.id).sheet.load.value == 9.0


def test_an_item_named_for_one_viewer_is_still_hidden_from_the_next(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    secret = make.item(name="Secret Blade", weight=1.0)
    snapshot = reference.current()
    race, archetype = snapshot.get("races", hero.race_id), snapshot.get("archetypes", hero.archetype_id)
    pack = [sheets.Carried(snapshot.get("items", secret.id), 1)]

    def named(namer=None):
        data = sheets.sheet_data(hero, race, archetype, pack, [], frozenset(), frozenset(), namer=namer)
        return data.inventory[0][0].name

    assert named() == "Secret Blade"
    assert named(lambda entry: "[hidden]") == "[hidden]"
    assert named() == "Secret Blade"


def test_card_data_gives_the_same_pools_as_the_full_sheet(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    ring = make.item(name="Ring of Vigour", slot="RING", bonus_constitution=2, bonus_health=5)
    make.give(hero, ring)
    make.equip(hero, ring, "ring_right")
    full = sheets.load_sheet(player, hero.id).sheet.max_health.value
    db.session.expunge_all()
    card = db.session.execute(sa.select(Character).options(*sheets.CARD_OPTIONS)).unique().scalar_one()
    assert compute_sheet(sheets.character_data(card, complete=False)).max_health.value == full == 22


@pytest.mark.parametrize("items", [1, 40])
def test_loading_a_sheet_takes_one_query_whatever_the_inventory(ref, player, make, queries, items):
    hero = dwarf_sellsword(ref, player, make)
    spark = ref["skill"]["Spark Kindling"]
    for n in range(items):
        item = make.item(
            name=f"Trinket {n}", slot="RING", bonus_skills=[spark], bonus_perks=[ref["perk"]["Lucky Coin"]]
        )
        make.give(hero, item)
        if n < 2:
            make.equip(hero, item, ("ring_left", "ring_right")[n])
    hero_id, player = hero.id, fresh(player)
    with queries:
        loaded = sheets.load_sheet(player, hero_id)
        by_name = lambda entity: entity.name  # noqa: E731 - every entry is the player's to see here
        rows = loaded.skill_rows(by_name) + loaded.perk_rows(by_name)
    assert queries.count == 1  # the character with its campaign and every row it owns; the entries are held
    assert [row["entity"].name for row in rows] == ["Spark Kindling", "Lucky Coin"]
    assert rows[0]["granted_by"] == (["Trinket 0", "Trinket 1"] if items > 1 else ["Trinket 0"])


def test_sheet_options_load_the_same_relations_as_load_sheet(ref, player, make):
    hero = dwarf_sellsword(ref, player, make)
    make.give(hero, ref["item"]["Ash Wand"])
    fast = sheets.load_sheet(player, hero.id).data
    db.session.expunge_all()
    plain = db.session.execute(sa.select(Character).options(*sheets.SHEET_OPTIONS)).unique().scalar_one()
    assert sheets.character_data(plain) == fast
