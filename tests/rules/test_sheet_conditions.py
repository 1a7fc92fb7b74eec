"""Conditions on the sheet: defense and maximum stamina show them as parts that still add up."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules.builders import OAK_SHIELD, brannoc, scores
from webapp.rules import SETTABLE, ArchetypeData, CharacterData, ItemData, Part, Stat, compute_sheet

RANGER = ArchetypeData("ranger", "Ranger", health_per_level=6, stamina_per_level=5)


def ranger(**fields: object) -> CharacterData:
    """Level 2 (5 + DEX 14's +2) · 2 = 14 stamina; defense 10 + shield 2 + DEX 2."""
    defaults: dict[str, object] = {
        "base": scores(dexterity=14),
        "experience": 100,
        "archetype": RANGER,
        "equipment": {"off_hand": OAK_SHIELD},
    }
    return brannoc(**{**defaults, **fields})


def test_no_conditions_leave_the_sheet_as_it_was() -> None:
    sheet = compute_sheet(ranger())
    assert sheet.defense == Stat(14, (Part("Base", 10), Part("Oak Shield", 2), Part("DEX modifier", 2)))
    assert sheet.max_stamina.value == 14
    assert (sheet.conditions, sheet.down) == ((), False)


def test_prone_and_invisible_show_in_defense() -> None:
    defense = compute_sheet(ranger(conditions=frozenset({"invisible", "prone"}))).defense
    assert defense.breakdown[-2:] == (Part("Prone", -2), Part("Invisible", 2))
    assert defense.value == 14


def test_down_and_stunned_lower_defense_by_four_each() -> None:
    defense = compute_sheet(ranger(conditions=frozenset({"stunned"}), down=True)).defense
    assert defense.breakdown[-2:] == (Part("Down", -4), Part("Stunned", -4))
    assert defense.value == 6


def test_conditions_that_touch_rolls_leave_defense_alone() -> None:
    sheet = compute_sheet(ranger(conditions=frozenset({"poisoned", "blessed", "frightened"})))
    assert sheet.defense.value == 14


def test_exhausted_halves_maximum_stamina_rounding_down() -> None:
    stamina = compute_sheet(ranger(base=scores(dexterity=12), conditions=frozenset({"exhausted"}))).max_stamina
    # (5 + 1) · 2 = 12 → 6; with DEX 14 it is 14 → 7
    assert stamina.value == 6
    assert stamina.breakdown[-1] == Part("Exhausted", -6)
    odd = compute_sheet(brannoc(archetype=RANGER, conditions=frozenset({"exhausted"}))).max_stamina
    assert (odd.value, odd.breakdown[-1]) == (2, Part("Exhausted", -3))


def test_exhausted_with_no_stamina_adds_no_part() -> None:
    lead_belt = ItemData("lead-belt", "Lead Belt", slot="BELT", bonus_stamina=-50)
    sheet = compute_sheet(brannoc(equipment={"belt": lead_belt}, conditions=frozenset({"exhausted"})))
    assert sheet.max_stamina.value == 0
    assert all(part.source != "Exhausted" for part in sheet.max_stamina.breakdown)


def test_conditions_listed_in_order_with_down_apart() -> None:
    sheet = compute_sheet(ranger(conditions=frozenset({"prone", "poisoned"}), down=True))
    assert sheet.conditions == ("poisoned", "prone")
    assert sheet.down is True


def test_down_given_as_a_condition_counts_as_down() -> None:
    sheet = compute_sheet(ranger(conditions=frozenset({"down"})))
    assert (sheet.conditions, sheet.down, sheet.defense.value) == ((), True, 10)


def test_unknown_condition_is_a_bug() -> None:
    with pytest.raises(ValueError):
        compute_sheet(ranger(conditions=frozenset({"cursed"})))


def test_sheet_json_adds_conditions_and_down() -> None:
    data = json.loads(json.dumps(compute_sheet(ranger(conditions=frozenset({"blessed"}))).to_dict()))
    assert (data["conditions"], data["down"]) == (["blessed"], False)
    assert "max_stamina" in data
    assert "defense" in data


@settings(max_examples=60, deadline=None)
@given(
    st.frozensets(st.sampled_from(SETTABLE)),
    st.booleans(),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=0, max_value=20_000),
)
def test_breakdowns_still_add_up_under_any_conditions(
    conditions: frozenset[str], down: bool, dexterity: int, experience: int
) -> None:
    sheet = compute_sheet(
        ranger(base=scores(dexterity=dexterity), experience=experience, conditions=conditions, down=down)
    )
    for stat in (sheet.defense, sheet.max_stamina, sheet.max_health, sheet.max_mana, sheet.attack):
        assert sum(part.amount for part in stat.breakdown) == stat.value
    plain = compute_sheet(ranger(base=scores(dexterity=dexterity), experience=experience))
    halved = "exhausted" in conditions
    assert sheet.max_stamina.value == (plain.max_stamina.value // 2 if halved else plain.max_stamina.value)
    assert sheet.max_stamina.value >= 0
