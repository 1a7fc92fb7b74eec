"""Campaign house rules and compliance."""

import pytest

from tests.rules.builders import brannoc, scores
from webapp.rules import (
    RARITY_ORDER,
    ArchetypeData,
    CampaignRules,
    ItemData,
    RaceData,
    Violation,
    check_compliance,
    rarity_allowed,
)

DWARF = RaceData("dwarf", "Dwarf")
FIGHTER = ArchetypeData("fighter", "Fighter")
DRAGONBONE_AXE = ItemData("dragonbone-axe", "Dragonbone Axe", slot="TWO_HANDS", rarity="LEGENDARY")
ELVEN_CLOAK = ItemData("elven-cloak", "Elven Cloak", slot="CLOAK", rarity="RARE")


def test_rarities_run_from_common_to_legendary() -> None:
    assert RARITY_ORDER == ("COMMON", "UNCOMMON", "RARE", "EPIC", "LEGENDARY")


@pytest.mark.parametrize(
    ("rarity", "highest", "allowed"),
    [("RARE", "RARE", True), ("UNCOMMON", "RARE", True), ("EPIC", "RARE", False), ("LEGENDARY", None, True)],
)
def test_rarity_allowed_up_to_the_highest(rarity: str, highest: str | None, allowed: bool) -> None:
    assert rarity_allowed(rarity, highest) is allowed


def test_unknown_rarity_is_an_error() -> None:
    with pytest.raises(ValueError):
        rarity_allowed("MYTHIC", "RARE")


def test_unset_rules_fall_back_to_the_game_defaults() -> None:
    assert CampaignRules().effective_level_cap == 20
    assert CampaignRules().effective_budget == 27
    assert CampaignRules(level_cap=5, point_budget=20).effective_level_cap == 5
    assert CampaignRules(level_cap=5, point_budget=20).effective_budget == 20
    assert CampaignRules(level_cap=30).effective_level_cap == 20


def test_empty_allowed_sets_allow_anything() -> None:
    rules = CampaignRules(allowed_race_ids=frozenset(), allowed_archetype_ids=None)
    assert rules.allows_race("orc")
    assert rules.allows_archetype("wizard")


def test_unrestricted_campaign_accepts_anyone() -> None:
    character = brannoc(experience=19000, inventory=[(DRAGONBONE_AXE, 1)], base=scores(strength=18))
    assert check_compliance(CampaignRules(), character) == []


def test_a_character_above_the_cap_plays_at_the_cap_and_that_is_no_breach() -> None:
    level_6 = brannoc(experience=1500)
    assert check_compliance(CampaignRules(level_cap=4), level_6) == []
    assert check_compliance(CampaignRules(level_cap=4), brannoc(experience=1500, level_cap=4)) == []


def test_equipment_is_judged_at_the_capped_level() -> None:
    plate = ItemData("plate", "Knight's Plate", slot="CHEST", required_level=5)
    level_6 = brannoc(experience=1500, equipment={"chest": plate}, inventory=[(plate, 1)])
    assert check_compliance(CampaignRules(), level_6) == []
    assert check_compliance(CampaignRules(level_cap=5), level_6) == []
    assert check_compliance(CampaignRules(level_cap=4), level_6) == [
        Violation("equipment", "Knight's Plate needs level 5; Brannoc is level 4 in this campaign")
    ]


def test_carried_but_unequipped_items_need_no_level() -> None:
    plate = ItemData("plate", "Knight's Plate", slot="CHEST", required_level=5)
    assert check_compliance(CampaignRules(level_cap=4), brannoc(experience=1500, inventory=[(plate, 1)])) == []


def test_perks_are_counted_against_the_allowance_of_the_capped_level() -> None:
    level_8 = brannoc(experience=2800, perk_ids=frozenset({"tough", "keen-eye", "light-sleeper"}))  # 3 allowed
    assert check_compliance(CampaignRules(level_cap=8), level_8) == []
    assert check_compliance(CampaignRules(level_cap=4), level_8) == [
        Violation("perks", "Brannoc has 3 perks; 2 allowed at level 4")
    ]


def test_race_outside_the_allowed_list_is_reported() -> None:
    rules = CampaignRules(allowed_race_ids=frozenset({"elf"}))
    assert check_compliance(rules, brannoc(race=DWARF)) == [
        Violation("race_id", "Dwarf is not a race this campaign allows")
    ]
    assert check_compliance(rules, brannoc()) == [
        Violation("race_id", "Brannoc has no race; choose one this campaign allows")
    ]


def test_archetype_outside_the_allowed_list_is_reported() -> None:
    rules = CampaignRules(allowed_archetype_ids=frozenset({"wizard"}))
    assert check_compliance(rules, brannoc(archetype=FIGHTER)) == [
        Violation("archetype_id", "Fighter is not an archetype this campaign allows")
    ]
    assert check_compliance(rules, brannoc()) == [
        Violation("archetype_id", "Brannoc has no archetype; choose one this campaign allows")
    ]


def test_allowed_race_and_archetype_comply() -> None:
    rules = CampaignRules(allowed_race_ids=frozenset({"dwarf"}), allowed_archetype_ids=frozenset({"fighter"}))
    assert check_compliance(rules, brannoc(race=DWARF, archetype=FIGHTER)) == []


def test_item_above_the_highest_rarity_is_reported_once() -> None:
    character = brannoc(equipment={"main_hand": DRAGONBONE_AXE}, inventory=[(DRAGONBONE_AXE, 2), (ELVEN_CLOAK, 1)])
    assert check_compliance(CampaignRules(max_rarity="RARE"), character) == [
        Violation("inventory", "Brannoc carries Dragonbone Axe (LEGENDARY); the highest rarity allowed is RARE")
    ]


def test_equipped_item_missing_from_the_inventory_is_still_judged() -> None:
    character = brannoc(equipment={"main_hand": DRAGONBONE_AXE})
    assert [v.field for v in check_compliance(CampaignRules(max_rarity="EPIC"), character)] == ["inventory"]


def test_scores_over_the_campaign_budget_are_reported() -> None:
    character = brannoc(base=scores(strength=15, constitution=15, dexterity=15, intelligence=8, wisdom=8, charisma=8))
    assert check_compliance(CampaignRules(point_budget=27), character) == []
    assert check_compliance(CampaignRules(point_budget=25), character) == [
        Violation("attributes", "The base scores cost 27 points; the budget is 25")
    ]


def test_every_breach_is_reported_together() -> None:
    rules = CampaignRules(level_cap=5, allowed_race_ids=frozenset({"elf"}), max_rarity="COMMON", point_budget=10)
    boots = ItemData("boots", "Seven-League Boots", slot="FEET", required_level=7)
    character = brannoc(
        experience=2100,
        race=DWARF,
        inventory=[(ELVEN_CLOAK, 1), (boots, 1)],
        equipment={"feet": boots},
        perk_ids=frozenset({"tough", "keen-eye", "light-sleeper"}),
    )
    assert [v.field for v in check_compliance(rules, character)] == [
        "race_id",
        "inventory",
        "attributes",
        "equipment",
        "perks",
    ]
