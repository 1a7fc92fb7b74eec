"""Planning equipment changes: what fits where, swaps, two hands, rings and quantities."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules.builders import (
    GREATSWORD,
    IRON_HELM,
    LEATHER_CAP,
    LONGSWORD,
    OAK_SHIELD,
    RING_OF_MIGHT,
    ROPE,
    brannoc,
    carrying,
)
from webapp.rules import (
    EQUIP_SLOTS,
    ITEM_SLOTS,
    SLOT_ACCEPTS,
    SLOT_FITS,
    SLOT_LABELS,
    ItemData,
    Violation,
    plan_equipment,
    slots_for,
)


@pytest.mark.parametrize(
    ("item_slot", "equip_slots"),
    [
        ("HEAD", ["head"]),
        ("FACE", ["face"]),
        ("CHEST", ["chest"]),
        ("LEGS", ["legs"]),
        ("FEET", ["feet"]),
        ("HANDS", ["hands"]),
        ("ONE_HAND", ["main_hand", "off_hand"]),
        ("TWO_HANDS", ["main_hand"]),
        ("RING", ["ring_left", "ring_right"]),
        ("AMULET", ["amulet"]),
        ("BELT", ["belt"]),
        ("BACKPACK", ["backpack"]),
        ("CLOAK", ["cloak"]),
        ("NONE", []),
    ],
)
def test_each_item_slot_fits_its_equipment_slots(item_slot: str, equip_slots: list[str]) -> None:
    assert slots_for(item_slot) == equip_slots


def test_every_slot_has_a_label_and_a_hint_in_body_order() -> None:
    assert EQUIP_SLOTS[:8] == ("head", "face", "chest", "legs", "feet", "hands", "main_hand", "off_hand")
    assert list(SLOT_ACCEPTS) == list(SLOT_LABELS) == list(SLOT_FITS) == list(EQUIP_SLOTS)
    assert SLOT_LABELS["ring_left"] == "Left ring"
    assert SLOT_FITS["off_hand"] == "a one-handed item, such as a shield"
    assert set(ITEM_SLOTS) - {"NONE"} == set().union(*SLOT_ACCEPTS.values())


def test_one_handed_sword_goes_in_the_main_hand() -> None:
    plan = plan_equipment(brannoc(), {"main_hand": LONGSWORD}, carrying(LONGSWORD))
    assert plan.allowed
    assert plan.violations == []
    assert plan.new_equipment == {"main_hand": LONGSWORD}
    assert plan.displaced == []


def test_shield_goes_in_the_off_hand_beside_a_sword() -> None:
    character = brannoc(equipment={"main_hand": LONGSWORD})
    plan = plan_equipment(character, {"off_hand": OAK_SHIELD}, carrying(LONGSWORD, OAK_SHIELD))
    assert plan.allowed
    assert plan.new_equipment == {"main_hand": LONGSWORD, "off_hand": OAK_SHIELD}


def test_two_handed_weapon_clears_off_hand() -> None:
    character = brannoc(equipment={"main_hand": LONGSWORD, "off_hand": OAK_SHIELD})
    plan = plan_equipment(character, {"main_hand": GREATSWORD}, carrying(LONGSWORD, OAK_SHIELD, GREATSWORD))
    assert plan.allowed
    assert plan.new_equipment == {"main_hand": GREATSWORD}
    assert plan.displaced == [LONGSWORD, OAK_SHIELD]


def test_off_hand_is_refused_beside_a_two_handed_weapon() -> None:
    character = brannoc(equipment={"main_hand": GREATSWORD})
    plan = plan_equipment(character, {"off_hand": OAK_SHIELD}, carrying(GREATSWORD, OAK_SHIELD))
    assert not plan.allowed
    assert plan.violations == [Violation("off_hand", "Greatsword takes both hands, so the off hand must stay empty")]


def test_two_handed_weapon_and_off_hand_item_together_are_refused() -> None:
    plan = plan_equipment(
        brannoc(), {"main_hand": GREATSWORD, "off_hand": OAK_SHIELD}, carrying(GREATSWORD, OAK_SHIELD)
    )
    assert [v.field for v in plan.violations] == ["off_hand"]


def test_off_hand_is_allowed_when_the_two_handed_weapon_is_replaced_too() -> None:
    character = brannoc(equipment={"main_hand": GREATSWORD})
    changes = {"main_hand": LONGSWORD, "off_hand": OAK_SHIELD}
    plan = plan_equipment(character, changes, carrying(GREATSWORD, LONGSWORD, OAK_SHIELD))
    assert plan.allowed
    assert plan.new_equipment == {"main_hand": LONGSWORD, "off_hand": OAK_SHIELD}
    assert plan.displaced == [GREATSWORD]


def test_equipping_into_an_occupied_slot_swaps() -> None:
    character = brannoc(equipment={"head": LEATHER_CAP})
    plan = plan_equipment(character, {"head": IRON_HELM}, carrying(LEATHER_CAP, IRON_HELM))
    assert plan.allowed
    assert plan.new_equipment == {"head": IRON_HELM}
    assert plan.displaced == [LEATHER_CAP]


def test_none_unequips_without_calling_it_displaced() -> None:
    character = brannoc(equipment={"head": IRON_HELM, "main_hand": LONGSWORD})
    plan = plan_equipment(character, {"head": None}, carrying(IRON_HELM, LONGSWORD))
    assert plan.allowed
    assert plan.new_equipment == {"main_hand": LONGSWORD}
    assert plan.displaced == []


def test_unequipping_an_empty_slot_changes_nothing() -> None:
    plan = plan_equipment(brannoc(), {"cloak": None}, {})
    assert plan.allowed
    assert plan.new_equipment == {}


def test_re_equipping_the_same_item_displaces_nothing() -> None:
    character = brannoc(equipment={"head": IRON_HELM})
    plan = plan_equipment(character, {"head": IRON_HELM}, carrying(IRON_HELM))
    assert plan.allowed
    assert plan.displaced == []


def test_unknown_slot_is_refused() -> None:
    plan = plan_equipment(brannoc(), {"tail": LONGSWORD}, carrying(LONGSWORD))
    assert plan.violations == [Violation("tail", "There is no equipment slot called “tail”")]


def test_item_with_no_slot_cannot_be_equipped() -> None:
    plan = plan_equipment(brannoc(), {"main_hand": ROPE}, carrying(ROPE))
    assert plan.violations == [Violation("main_hand", "Rope can't be equipped")]


def test_item_must_fit_the_slot() -> None:
    plan = plan_equipment(brannoc(), {"main_hand": IRON_HELM}, carrying(IRON_HELM))
    assert plan.violations == [Violation("main_hand", "Iron Helm doesn't fit the main hand slot; it fits head")]


def test_two_handed_weapon_does_not_fit_the_off_hand() -> None:
    plan = plan_equipment(brannoc(), {"off_hand": GREATSWORD}, carrying(GREATSWORD))
    assert plan.violations == [Violation("off_hand", "Greatsword doesn't fit the off hand slot; it fits main hand")]


def test_ring_message_names_both_ring_slots() -> None:
    plan = plan_equipment(brannoc(), {"amulet": RING_OF_MIGHT}, carrying(RING_OF_MIGHT))
    assert plan.violations == [
        Violation("amulet", "Ring of Might doesn't fit the amulet slot; it fits left ring or right ring")
    ]


def test_item_above_the_characters_level_is_refused() -> None:
    runeblade = ItemData("runeblade", "Runeblade", slot="ONE_HAND", required_level=5)
    character = brannoc(experience=300)
    plan = plan_equipment(character, {"main_hand": runeblade}, carrying(runeblade))
    assert plan.violations == [Violation("main_hand", "Needs level 5; Brannoc is level 3")]


def test_item_at_the_characters_level_is_allowed() -> None:
    runeblade = ItemData("runeblade", "Runeblade", slot="ONE_HAND", required_level=3)
    plan = plan_equipment(brannoc(experience=300), {"main_hand": runeblade}, carrying(runeblade))
    assert plan.allowed


def test_item_must_be_in_the_inventory() -> None:
    plan = plan_equipment(brannoc(), {"main_hand": GREATSWORD}, {})
    assert plan.violations == [Violation("main_hand", "Greatsword isn't in Brannoc's inventory")]


def test_two_rings_need_quantity_two() -> None:
    character = brannoc(equipment={"ring_left": RING_OF_MIGHT})
    plan = plan_equipment(character, {"ring_right": RING_OF_MIGHT}, {RING_OF_MIGHT.id: 1})
    assert plan.violations == [Violation("ring_right", "Ring of Might in 2 slots needs quantity 2; Brannoc has 1")]
    plan = plan_equipment(character, {"ring_right": RING_OF_MIGHT}, {RING_OF_MIGHT.id: 2})
    assert plan.allowed
    assert plan.new_equipment == {"ring_left": RING_OF_MIGHT, "ring_right": RING_OF_MIGHT}


def test_one_sword_cannot_fill_both_hands() -> None:
    plan = plan_equipment(brannoc(), {"main_hand": LONGSWORD, "off_hand": LONGSWORD}, carrying(LONGSWORD))
    assert plan.violations == [Violation("main_hand", "Longsword in 2 slots needs quantity 2; Brannoc has 1")]


def test_moving_a_ring_to_the_other_hand_needs_only_one() -> None:
    character = brannoc(equipment={"ring_left": RING_OF_MIGHT})
    changes = {"ring_left": None, "ring_right": RING_OF_MIGHT}
    plan = plan_equipment(character, changes, carrying(RING_OF_MIGHT))
    assert plan.allowed
    assert plan.new_equipment == {"ring_right": RING_OF_MIGHT}
    assert plan.displaced == []


def test_refused_plan_changes_nothing() -> None:
    character = brannoc(equipment={"head": LEATHER_CAP, "off_hand": OAK_SHIELD})
    changes = {"head": IRON_HELM, "main_hand": GREATSWORD}
    plan = plan_equipment(character, changes, carrying(LEATHER_CAP, OAK_SHIELD, GREATSWORD))
    assert not plan.allowed
    assert plan.violations == [Violation("head", "Iron Helm isn't in Brannoc's inventory")]
    assert plan.new_equipment == {"head": LEATHER_CAP, "off_hand": OAK_SHIELD}
    assert plan.displaced == []


def test_every_refusal_is_reported_at_once() -> None:
    changes = {"head": ROPE, "tail": IRON_HELM, "main_hand": GREATSWORD}
    plan = plan_equipment(brannoc(), changes, carrying(ROPE))
    assert sorted(v.field for v in plan.violations) == ["head", "main_hand", "tail"]


pool = [LONGSWORD, GREATSWORD, OAK_SHIELD, IRON_HELM, LEATHER_CAP, RING_OF_MIGHT, ROPE]
slot_names = st.sampled_from([*EQUIP_SLOTS, "tail"])


@given(
    equipment=st.dictionaries(st.sampled_from(EQUIP_SLOTS), st.sampled_from(pool)),
    changes=st.dictionaries(slot_names, st.none() | st.sampled_from(pool), max_size=5),
    quantities=st.fixed_dictionaries({item.id: st.integers(min_value=0, max_value=2) for item in pool}),
    experience=st.integers(min_value=0, max_value=20_000),
)
def test_an_allowed_plan_always_leaves_a_legal_body(
    equipment: dict[str, ItemData],
    changes: dict[str, ItemData | None],
    quantities: dict[str, int],
    experience: int,
) -> None:
    character = brannoc(equipment=equipment, experience=experience)
    plan = plan_equipment(character, changes, quantities)
    assert plan.allowed == (plan.violations == [])
    if not plan.allowed:
        assert plan.new_equipment == equipment
        return
    for slot, item in changes.items():
        if item is not None:
            assert plan.new_equipment[slot] == item
            assert item.slot in SLOT_ACCEPTS[slot]
            slots_filled = sum(1 for worn in plan.new_equipment.values() if worn.id == item.id)
            assert slots_filled <= quantities[item.id]
        else:
            assert slot not in plan.new_equipment
    main = plan.new_equipment.get("main_hand")
    if main is not None and main.slot == "TWO_HANDS":
        assert "off_hand" not in plan.new_equipment
    for item in plan.displaced:
        assert item in equipment.values()


ELVEN_CLOAK = ItemData("elven-cloak", "Elven Cloak", slot="CLOAK", rarity="UNCOMMON")


def test_an_item_above_the_campaigns_rarity_cannot_be_equipped() -> None:
    owner = brannoc(inventory=[(ELVEN_CLOAK, 1)])
    plan = plan_equipment(owner, {"cloak": ELVEN_CLOAK}, carrying(ELVEN_CLOAK), max_rarity="COMMON")
    assert plan.violations == [Violation("cloak", "Elven Cloak is UNCOMMON; this campaign allows up to COMMON")]
    assert not plan.allowed and plan.new_equipment == {}
    assert plan_equipment(owner, {"cloak": ELVEN_CLOAK}, carrying(ELVEN_CLOAK), max_rarity="UNCOMMON").allowed
    assert plan_equipment(owner, {"cloak": ELVEN_CLOAK}, carrying(ELVEN_CLOAK)).allowed


def test_an_item_above_the_campaigns_rarity_may_still_be_taken_off() -> None:
    wearing = brannoc(equipment={"cloak": ELVEN_CLOAK}, inventory=[(ELVEN_CLOAK, 1)])
    assert plan_equipment(wearing, {"cloak": None}, carrying(ELVEN_CLOAK), max_rarity="COMMON").allowed
