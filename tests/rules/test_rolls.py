"""Rolls from the sheet and free rolls: what is added, what conditions change, and what is refused."""

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules.builders import GREATSWORD, brannoc, scores
from webapp.rules import (
    ADVANTAGE,
    D20,
    DISADVANTAGE,
    KINDS,
    NO_EFFECTS,
    ConstantTerm,
    Expression,
    Planned,
    RuleViolation,
    attack_damage,
    compute_sheet,
    effects,
    natural,
    parse,
    plan_attack,
    plan_check,
    plan_free,
    plan_initiative,
    plan_skill,
    proficiency,
    roll,
)

# Level 5, STR 16 (+3), DEX 14 (+2), WIS 10 (+0), INT 8 (−1)
MIRA = brannoc(
    base=scores(strength=16, dexterity=14, intelligence=8), experience=1000, equipment={"main_hand": GREATSWORD}
)
SHEET = compute_sheet(MIRA)


def dice_showing(*values: int) -> Callable[[int], int]:
    shown = iter(values)
    return lambda sides: next(shown)


def refusal(error: pytest.ExceptionInfo[RuleViolation]) -> tuple[str, str]:
    return error.value.field, error.value.message


def test_the_kinds_of_roll() -> None:
    assert KINDS == ("check", "skill", "attack", "initiative", "free")


@pytest.mark.parametrize(("level", "bonus"), [(1, 2), (4, 2), (5, 3), (8, 3), (9, 4), (17, 6), (20, 6)])
def test_proficiency_grows_every_four_levels(level: int, bonus: int) -> None:
    assert proficiency(level) == bonus


def test_sheet_is_level_five() -> None:
    assert SHEET.level == 5


def test_check_adds_the_attribute_modifier() -> None:
    assert plan_check("Mira", "strength", SHEET, NO_EFFECTS) == Planned(
        "check", "Strength check", Expression((D20, ConstantTerm(1, 3, "STR modifier")))
    )


def test_check_lists_a_zero_modifier() -> None:
    assert plan_check("Mira", "wisdom", SHEET, NO_EFFECTS).expression.text == "1d20 + 0"


def test_check_subtracts_a_negative_modifier() -> None:
    planned = plan_check("Mira", "intelligence", SHEET, NO_EFFECTS)
    assert planned.expression.terms[1] == ConstantTerm(-1, 1, "INT modifier")
    assert planned.expression.text == "1d20 - 1"


def test_check_adds_conditions_with_their_names() -> None:
    planned = plan_check("Mira", "strength", SHEET, effects(["poisoned", "blessed", "prone"]))
    assert planned.expression.terms[2:] == (ConstantTerm(-1, 2, "Poisoned"), ConstantTerm(1, 2, "Blessed"))
    result = roll(planned.expression, dice_showing(10))
    assert [(part.source, part.amount) for part in result.constants] == [
        ("STR modifier", 3),
        ("Poisoned", -2),
        ("Blessed", 2),
    ]
    assert result.total == 13


def test_a_down_character_makes_no_checks() -> None:
    with pytest.raises(RuleViolation) as refused:
        plan_check("Mira", "strength", SHEET, effects(["down"]))
    assert refusal(refused) == ("kind", "Mira is down: no checks.")
    with pytest.raises(RuleViolation):
        plan_skill("Mira", "Athletics", "strength", True, SHEET, effects(["down"]))


@pytest.mark.parametrize("attribute", ["luck", "Strength", "", "STR"])
def test_unknown_attribute_is_refused(attribute: str) -> None:
    message = "Choose one of Strength, Constitution, Dexterity, Intelligence, Wisdom or Charisma."
    with pytest.raises(RuleViolation) as refused:
        plan_check("Mira", attribute, SHEET, NO_EFFECTS)
    assert refusal(refused) == ("attribute", message)
    with pytest.raises(RuleViolation) as refused:
        plan_skill("Mira", "Perception", attribute, False, SHEET, NO_EFFECTS)
    assert refusal(refused) == ("attribute", message)


def test_skill_check_adds_proficiency_when_proficient() -> None:
    planned = plan_skill("Mira", "Perception", "wisdom", True, SHEET, effects(["frightened"]))
    assert planned.kind == "skill"
    assert planned.label == "Perception (Wisdom)"
    assert planned.expression.terms == (
        D20,
        ConstantTerm(1, 0, "WIS modifier"),
        ConstantTerm(1, 3, "Proficiency"),
        ConstantTerm(-1, 2, "Frightened"),
    )


def test_skill_check_without_proficiency_is_a_check() -> None:
    planned = plan_skill("Mira", "Stealth", "dexterity", False, SHEET, NO_EFFECTS)
    assert planned.expression == plan_check("Mira", "dexterity", SHEET, NO_EFFECTS).expression


def test_attack_adds_str_and_proficiency() -> None:
    assert plan_attack("Mira", SHEET, NO_EFFECTS) == Planned(
        "attack", "Attack", Expression((D20, ConstantTerm(1, 3, "STR modifier"), ConstantTerm(1, 3, "Proficiency")))
    )


def test_attack_conditions_and_their_dice() -> None:
    assert plan_attack("Mira", SHEET, effects(["invisible"])).expression.terms[0] == ADVANTAGE
    assert plan_attack("Mira", SHEET, effects(["prone"])).expression.terms[0] == DISADVANTAGE
    assert plan_attack("Mira", SHEET, effects(["prone", "invisible"])).expression.terms[0] == D20
    planned = plan_attack("Mira", SHEET, effects(["exhausted", "frightened"]))
    assert planned.expression.text == "2d20kl1 + 3 + 3 - 2"


@pytest.mark.parametrize(
    ("condition", "message"),
    [("down", "Mira is down: no attack rolls."), ("stunned", "Mira is stunned: no attack rolls.")],
)
def test_no_attack_rolls_while_down_or_stunned(condition: str, message: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        plan_attack("Mira", SHEET, effects([condition]))
    assert refusal(refused) == ("kind", message)


def test_a_stunned_character_still_makes_checks() -> None:
    assert plan_check("Mira", "wisdom", SHEET, effects(["stunned"])).kind == "check"


def test_initiative_adds_dex_only() -> None:
    assert plan_initiative(SHEET) == Planned(
        "initiative", "Initiative", Expression((D20, ConstantTerm(1, 2, "DEX modifier")))
    )


def test_free_roll_is_labelled_by_its_text_by_default() -> None:
    assert plan_free("8D6 + 2") == Planned("free", "8d6 + 2", parse("8d6+2"))
    assert plan_free("8d6", "  ").label == "8d6"


def test_free_roll_keeps_its_label() -> None:
    assert plan_free("8d6", "Fireball").label == "Fireball"


def test_free_roll_refuses_a_bad_expression() -> None:
    with pytest.raises(RuleViolation) as refused:
        plan_free("8d")
    assert refused.value.field == "expression"


def test_free_roll_label_is_at_most_100_characters() -> None:
    assert plan_free("1d4", "x" * 100).label == "x" * 100
    with pytest.raises(RuleViolation) as refused:
        plan_free("1d4", "x" * 101)
    assert refusal(refused) == ("label", "Use at most 100 characters for the label.")


@pytest.mark.parametrize("label", ["Fire\x00ball", "Fire\nball"])
def test_free_roll_label_is_one_line_of_text(label: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        plan_free("1d4", label)
    assert refused.value.field == "label"


def test_natural_is_the_kept_d20() -> None:
    assert natural(roll(Expression((D20,)), dice_showing(20))) == 20
    assert natural(roll(Expression((ADVANTAGE,)), dice_showing(3, 17))) == 17
    assert natural(roll(Expression((DISADVANTAGE,)), dice_showing(3, 17))) == 3


@pytest.mark.parametrize("text", ["5", "1d6", "2d20", "-1d20", "1d200", "1d6 + 1d20"])
def test_natural_needs_a_single_d20_first(text: str) -> None:
    assert natural(roll(parse(text), dice_showing(*[6] * 5))) is None


def test_attack_damage_is_the_sheets_attack() -> None:
    assert SHEET.attack.value == 15
    result = roll(plan_attack("Mira", SHEET, NO_EFFECTS).expression, dice_showing(19))
    assert attack_damage(result, SHEET) == (15, False)


def test_a_natural_twenty_doubles_the_damage() -> None:
    result = roll(plan_attack("Mira", SHEET, effects(["invisible"])).expression, dice_showing(4, 20))
    assert attack_damage(result, SHEET) == (30, True)


def test_a_weak_unarmed_attack_deals_no_damage_rather_than_negative() -> None:
    weak = compute_sheet(brannoc(base=scores(strength=8)))
    assert weak.attack.value == -1
    assert attack_damage(roll(Expression((D20,)), dice_showing(20)), weak) == (0, True)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(("poisoned", "frightened", "blessed", "prone", "invisible", "exhausted"))))
def test_attack_total_is_the_d20_plus_every_listed_constant(conditions: set[str]) -> None:
    result = roll(plan_attack("Mira", SHEET, effects(conditions)).expression)
    d20 = natural(result)
    assert d20 is not None
    assert result.total == d20 + sum(part.amount for part in result.constants)
