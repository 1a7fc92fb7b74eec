"""Conditions: what each does to attack rolls, checks and defense, and how they combine."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.rules import CONDITIONS, DESCRIPTIONS, LABELS, NO_EFFECTS, SETTABLE, Effects, Part, effects


def test_down_is_not_settable() -> None:
    assert "down" not in SETTABLE
    assert set(SETTABLE) | {"down"} == set(CONDITIONS)


def test_every_condition_has_a_label_and_a_description() -> None:
    assert LABELS["prone"] == "Prone"
    assert set(LABELS) == set(DESCRIPTIONS) == set(CONDITIONS)


def test_no_conditions_change_nothing() -> None:
    assert effects([]) == NO_EFFECTS == Effects((), (), (), 0, None, None, False)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("down", Effects((), (), (Part("Down", -4),), 0, "Down", "Down", False)),
        ("poisoned", Effects((Part("Poisoned", -2),), (Part("Poisoned", -2),), (), 0, None, None, False)),
        ("frightened", Effects((), (Part("Frightened", -2),), (), -1, None, None, False)),
        ("blessed", Effects((Part("Blessed", 2),), (Part("Blessed", 2),), (), 0, None, None, False)),
        ("prone", Effects((), (), (Part("Prone", -2),), -1, None, None, False)),
        ("stunned", Effects((), (), (Part("Stunned", -4),), 0, "Stunned", None, False)),
        ("invisible", Effects((), (), (Part("Invisible", 2),), 1, None, None, False)),
        ("exhausted", Effects((Part("Exhausted", -2),), (Part("Exhausted", -2),), (), 0, None, None, True)),
    ],
)
def test_each_condition_does_what_the_table_says(condition: str, expected: Effects) -> None:
    assert effects([condition]) == expected


def test_parts_follow_the_condition_order_whatever_the_input_order() -> None:
    assert effects(["exhausted", "blessed", "poisoned"]).attack == (
        Part("Poisoned", -2),
        Part("Blessed", 2),
        Part("Exhausted", -2),
    )


def test_advantage_and_disadvantage_cancel_out() -> None:
    assert effects(["invisible", "prone"]).advantage == 0
    assert effects(["invisible", "prone", "frightened"]).advantage == 0


def test_two_disadvantages_are_still_one() -> None:
    assert effects(["prone", "frightened"]).advantage == -1


def test_down_names_itself_before_stunned() -> None:
    both = effects({"stunned", "down"})
    assert (both.no_attacks, both.no_checks) == ("Down", "Down")
    assert both.defense == (Part("Down", -4), Part("Stunned", -4))


def test_unknown_conditions_are_a_bug() -> None:
    with pytest.raises(ValueError):
        effects(["poisoned", "sleepy"])


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(CONDITIONS)))
def test_effects_are_deterministic_and_bounded(conditions: set[str]) -> None:
    result = effects(conditions)
    assert result == effects(sorted(conditions, reverse=True))
    assert result.advantage in (-1, 0, 1)
    assert result.stamina_halved == ("exhausted" in conditions)
    sources = [part.source for part in result.attack + result.checks + result.defense]
    assert {source.lower() for source in sources} <= conditions
