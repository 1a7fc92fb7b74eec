"""Adding weight, or lowering the capacity by a change of equipment, beyond twice the capacity is refused."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tests.rules.builders import RING_OF_MIGHT, brannoc, scores
from webapp.rules import (
    ATTRIBUTES,
    EQUIP_SLOTS,
    ItemData,
    Violation,
    check_equipment_load,
    check_load,
    compute_sheet,
    load_limit,
)


def test_limit_is_twice_the_capacity() -> None:
    assert load_limit(100.0) == 200.0


def test_adding_up_to_the_limit_is_allowed() -> None:
    assert check_load("Brannoc", 100.0, 190.0, 10.0) == []


def test_adding_past_the_limit_is_refused() -> None:
    assert check_load("Brannoc", 100.0, 190.0, 22.0) == [
        Violation("quantity", "Too heavy: Brannoc would carry 212 kg; the limit is 200 kg")
    ]


def test_message_keeps_useful_decimals() -> None:
    assert check_load("Brannoc", 5.0, 10.0, 2.5)[0].message == (
        "Too heavy: Brannoc would carry 12.5 kg; the limit is 10 kg"
    )


def test_weightless_item_is_allowed_even_when_already_overloaded() -> None:
    assert check_load("Brannoc", 40.0, 95.0, 0.0) == []


def test_float_noise_does_not_tip_the_scale() -> None:
    assert check_load("Brannoc", 0.15, 0.1, 0.2) == []


GIRDLE_OF_FRAILTY = ItemData("girdle", "Girdle of Frailty", slot="BELT", bonuses={"strength": -4})
ANVIL = ItemData("anvil", "Anvil", weight=95.0)


def test_equipping_a_minus_str_item_that_would_leave_the_load_past_twice_capacity_is_refused() -> None:
    # STR 10: capacity 50 kg, limit 100 kg, carrying 95 kg; STR 6 makes the limit 60 kg.
    character = brannoc(inventory=[(ANVIL, 1), (GIRDLE_OF_FRAILTY, 1)])
    assert check_equipment_load(character, {"belt": GIRDLE_OF_FRAILTY}) == [
        Violation("belt", "Too heavy: Brannoc carries 95 kg; after this change the limit would be 60 kg")
    ]


def test_unequipping_a_plus_str_ring_that_would_leave_the_load_past_twice_capacity_is_refused() -> None:
    # STR 10 + 1: limit 110 kg with the ring, 100 kg without, carrying 105 kg.
    wearing = brannoc(equipment={"ring_left": RING_OF_MIGHT}, inventory=[(ItemData("sack", "Sack", weight=105.0), 1)])
    assert check_equipment_load(wearing, {}) == [
        Violation("ring_left", "Too heavy: Brannoc carries 105 kg; after this change the limit would be 100 kg")
    ]


def test_a_change_that_keeps_or_raises_the_capacity_is_never_refused_for_weight() -> None:
    overloaded = brannoc(base=scores(strength=6), inventory=[(ANVIL, 1), (RING_OF_MIGHT, 1)])  # limit 60 kg
    assert check_equipment_load(overloaded, {"ring_left": RING_OF_MIGHT}) == []
    assert check_equipment_load(overloaded, {}) == []


def test_lowering_the_capacity_within_the_limit_is_allowed() -> None:
    light = brannoc(inventory=[(ItemData("rope", "Rope", weight=10.0), 1), (GIRDLE_OF_FRAILTY, 1)])
    assert check_equipment_load(light, {"belt": GIRDLE_OF_FRAILTY}) == []


strength_items = st.builds(
    ItemData,
    id=st.uuids(),
    name=st.text(min_size=1, max_size=10),
    bonuses=st.fixed_dictionaries({"strength": st.integers(min_value=-10, max_value=10)}),
)
outfits = st.dictionaries(st.sampled_from(EQUIP_SLOTS), strength_items, max_size=4)


@given(
    base_strength=st.integers(min_value=1, max_value=30),
    load=st.floats(min_value=0, max_value=400, allow_nan=False).map(lambda kg: round(kg, 2)),
    before=outfits,
    after=outfits,
)
def test_the_load_rule_refuses_exactly_the_changes_that_lower_capacity_past_the_limit(
    base_strength: int, load: float, before: dict, after: dict
) -> None:
    character = brannoc(
        base={**dict.fromkeys(ATTRIBUTES, 10), "strength": base_strength},
        equipment=before,
        inventory=[(ItemData("pack", "Pack", weight=load), 1)] if load else [],
    )
    capacity_before = compute_sheet(character).capacity.value
    capacity_after = compute_sheet(replace(character, equipment=after)).capacity.value
    refused = check_equipment_load(character, after)
    assert bool(refused) == (capacity_after < capacity_before and load > load_limit(capacity_after))
    if refused:
        (violation,) = refused
        changed = [slot for slot in EQUIP_SLOTS if before.get(slot) != after.get(slot)]
        assert violation.field == changed[0]
