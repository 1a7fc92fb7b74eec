"""Dice expressions: parsing with messages that point at the column, and rolls that list every die."""

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.rules import (
    ADVANTAGE,
    D20,
    DISADVANTAGE,
    MAX_SIDES,
    MIN_SIDES,
    ConstantTerm,
    DiceTerm,
    Die,
    Expression,
    Part,
    RolledDice,
    RuleViolation,
    parse,
    roll,
    secure_die,
)

FAST = settings(max_examples=60, deadline=None)


def dice_showing(*values: int) -> Callable[[int], int]:
    """A stand-in for the secure die that shows the given values in turn."""
    shown = iter(values)
    return lambda sides: next(shown)


def test_notation_leaves_out_the_sign() -> None:
    assert DiceTerm(-1, 2, 20, "h", 1).notation == "2d20kh1"
    assert DiceTerm(1, 1, 6).notation == "1d6"


def test_text_is_normalised_with_spaced_signs() -> None:
    expression = Expression((ADVANTAGE, ConstantTerm(1, 3), ConstantTerm(-1, 2, "Poisoned")))
    assert expression.text == "2d20kh1 + 3 - 2"


def test_text_shows_a_negative_first_term() -> None:
    assert Expression((ConstantTerm(-1, 2), DiceTerm(1, 1, 4))).text == "-2 + 1d4"


def test_advantage_and_disadvantage_are_two_d20_keeping_one() -> None:
    assert (ADVANTAGE.notation, DISADVANTAGE.notation, D20.notation) == ("2d20kh1", "2d20kl1", "1d20")


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("1d20", (DiceTerm(1, 1, 20),)),
        ("d20", (DiceTerm(1, 1, 20),)),
        ("7", (ConstantTerm(1, 7),)),
        ("0", (ConstantTerm(1, 0),)),
        ("2D20KH1", (DiceTerm(1, 2, 20, "h", 1),)),
        ("4d6kl3", (DiceTerm(1, 4, 6, "l", 3),)),
        ("1d20+5", (DiceTerm(1, 1, 20), ConstantTerm(1, 5))),
        (" 1d8 \t-  2 ", (DiceTerm(1, 1, 8), ConstantTerm(-1, 2))),
        ("1d8 \u2212 2", (DiceTerm(1, 1, 8), ConstantTerm(-1, 2))),
        ("-1d4", (DiceTerm(-1, 1, 4),)),
        ("+3 + d6", (ConstantTerm(1, 3), DiceTerm(1, 1, 6))),
        ("\u22122", (ConstantTerm(-1, 2),)),
        ("100d1000", (DiceTerm(1, 100, 1000),)),
        ("1000000", (ConstantTerm(1, 1_000_000),)),
        ("3d6kh3", (DiceTerm(1, 3, 6, "h", 3),)),
    ],
)
def test_parse_reads_numbers_and_dice(text: str, terms: tuple[DiceTerm | ConstantTerm, ...]) -> None:
    assert parse(text) == Expression(terms)


def test_parse_allows_twenty_terms_and_two_hundred_dice() -> None:
    assert len(parse(" + ".join(["10d6"] * 20)).terms) == 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Column 1: expected a number or dice like 2d6."),
        ("   ", "Column 4: expected a number or dice like 2d6."),
        ("1d", "Column 3: expected a whole number of sides after “d”."),
        ("d", "Column 2: expected a whole number of sides after “d”."),
        ("2x3", "Column 2: expected “+” or “-”, found “x”."),
        ("1d20+", "Column 6: expected a number or dice like 2d6 after “+”."),
        ("1d20 -", "Column 7: expected a number or dice like 2d6 after “-”."),
        ("1d20 ++ 2", "Column 7: expected a number or dice like 2d6 after “+”, found “+”."),
        ("1d1", "Column 3: Dice have 2 to 1,000 sides."),
        ("1d0", "Column 3: Dice have 2 to 1,000 sides."),
        ("101d6", "Column 1: 101d6 rolls too many dice; use 1 to 100."),
        ("1 + 0d6", "Column 5: 0d6 rolls no dice; use 1 to 100."),
        ("1d1001", "Column 3: Dice have 2 to 1,000 sides."),
        ("3d6kh4", "Column 6: Keep 1 to 3 dice: 3d6kh4 keeps more than it rolls."),
        ("3d6kh0", "Column 6: Keep 1 to 3 dice: 3d6kh0 keeps none."),
        ("3d6kl", "Column 6: expected how many dice to keep after “kl”."),
        ("3d6k2", "Column 5: expected “h” (keep highest) or “l” (keep lowest) after “k”."),
        ("1d20 2", "Column 6: expected “+” or “-”, found “2”."),
        ("1d20\x00", "Column 5: expected “+” or “-”, found U+0000."),
        ("\x00", "Column 1: expected a number or dice like 2d6, found U+0000."),
        ("١d٦", "Column 1: expected a number or dice like 2d6, found “١”."),
        ("1d20 + 🎲", "Column 8: expected a number or dice like 2d6 after “+”, found “🎲”."),
        ("2d20\u212ah1", "Column 5: expected “+” or “-”, found “\u212a”."),
        ("1d6 + \u00a02", "Column 7: expected a number or dice like 2d6 after “+”, found U+00A0."),
        ("+".join(["1"] * 21), "Column 41: Use at most 20 terms."),
        ("100d6 + 90d6 + 11d4", "Column 16: Use at most 200 dice in all."),
        (str(10**7), "Column 1: Use numbers up to 1,000,000."),
        ("2 * 3", "Column 3: expected “+” or “-”, found “*”."),
        ("(1d6)", "Column 1: expected a number or dice like 2d6, found “(”."),
    ],
)
def test_parse_refuses_with_the_column_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse(text)
    assert (refused.value.field, refused.value.message) == ("expression", message)


def test_parse_names_the_callers_field() -> None:
    with pytest.raises(RuleViolation) as refused:
        parse("1d", field="damage")
    assert refused.value.field == "damage"


def test_parse_refuses_text_over_five_hundred_characters() -> None:
    parse("1" + " " * 499)
    with pytest.raises(RuleViolation) as refused:
        parse("1" + " " * 500)
    assert refused.value.message == "Use at most 500 characters."


def test_parse_refuses_what_is_not_text() -> None:
    with pytest.raises(RuleViolation):
        parse(None)  # type: ignore[arg-type]


def test_roll_adds_dice_and_constants_with_their_sources() -> None:
    expression = Expression((D20, ConstantTerm(1, 3, "STR modifier"), ConstantTerm(-1, 2, "Poisoned")))
    result = roll(expression, dice_showing(15))
    assert result.expression == "1d20 + 3 - 2"
    assert result.dice == (RolledDice("1d20", 1, (Die(15, True),)),)
    assert result.constants == (Part("STR modifier", 3), Part("Poisoned", -2))
    assert result.total == 16


def test_typed_numbers_are_constants() -> None:
    assert roll(parse("1d4 - 1"), dice_showing(4)).constants == (Part("Constant", -1),)


def test_keep_highest_lists_the_dropped_dice() -> None:
    result = roll(parse("4d6kh3"), dice_showing(2, 6, 1, 5))
    assert result.dice[0].dice == (Die(2, True), Die(6, True), Die(1, False), Die(5, True))
    assert result.total == 13


def test_keep_lowest_keeps_the_lowest() -> None:
    result = roll(Expression((DISADVANTAGE,)), dice_showing(17, 4))
    assert result.dice[0].dice == (Die(17, False), Die(4, True))
    assert result.total == 4


def test_ties_keep_the_earlier_dice() -> None:
    assert roll(Expression((ADVANTAGE,)), dice_showing(9, 9)).dice[0].dice == (Die(9, True), Die(9, False))
    assert roll(parse("3d6kl1"), dice_showing(2, 5, 2)).dice[0].dice == (Die(2, True), Die(5, False), Die(2, False))


def test_subtracted_dice_count_against_the_total() -> None:
    result = roll(parse("10 - 2d4"), dice_showing(3, 4))
    assert result.dice[0].subtotal == -7
    assert result.total == 3


def test_the_die_asked_for_has_the_terms_sides() -> None:
    asked: list[int] = []

    def record(sides: int) -> int:
        asked.append(sides)
        return 1

    roll(parse("2d6 + 1d20 + 1d1000"), record)
    assert asked == [6, 6, 20, 1000]


def test_a_die_outside_its_sides_is_a_bug() -> None:
    with pytest.raises(ValueError):
        roll(parse("1d6"), dice_showing(7))


def test_roll_as_json() -> None:
    result = roll(parse("2d20kl1 + 2"), dice_showing(5, 12))
    assert json.loads(json.dumps(result.to_dict())) == {
        "expression": "2d20kl1 + 2",
        "dice": [
            {
                "notation": "2d20kl1",
                "sign": 1,
                "dice": [{"value": 5, "kept": True}, {"value": 12, "kept": False}],
                "subtotal": 5,
            }
        ],
        "constants": [{"source": "Constant", "amount": 2}],
        "total": 7,
    }


def test_secure_die_stays_within_its_sides() -> None:
    assert {secure_die(2) for _ in range(200)} == {1, 2}
    assert all(1 <= secure_die(1000) <= 1000 for _ in range(200))


signs = st.sampled_from((1, -1))


@st.composite
def dice_terms(draw: st.DrawFn) -> DiceTerm:
    count = draw(st.integers(min_value=1, max_value=10))
    sides = draw(st.integers(min_value=MIN_SIDES, max_value=MAX_SIDES))
    keep = draw(st.sampled_from((None, "h", "l")))
    keep_count = None if keep is None else draw(st.integers(min_value=1, max_value=count))
    return DiceTerm(draw(signs), count, sides, keep, keep_count)


constant_terms = st.builds(ConstantTerm, signs, st.integers(min_value=0, max_value=1_000_000))
expressions = st.builds(Expression, st.lists(dice_terms() | constant_terms, min_size=1, max_size=20).map(tuple))


def kept_values(group: RolledDice) -> list[int]:
    return [die.value for die in group.dice if die.kept]


@FAST
@given(expressions)
def test_total_is_the_signed_kept_dice_plus_the_constants(expression: Expression) -> None:
    result = roll(expression)
    dice = sum(group.sign * sum(kept_values(group)) for group in result.dice)
    assert result.total == dice + sum(part.amount for part in result.constants)


@FAST
@given(expressions)
def test_every_die_is_within_its_sides_and_listed(expression: Expression) -> None:
    result = roll(expression)
    terms = [term for term in expression.terms if isinstance(term, DiceTerm)]
    assert len(result.dice) == len(terms)
    for term, group in zip(terms, result.dice, strict=True):
        assert len(group.dice) == term.count
        assert all(1 <= die.value <= term.sides for die in group.dice)


@FAST
@given(dice_terms(), st.data())
def test_keep_keeps_the_highest_or_lowest(term: DiceTerm, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(1, term.sides), min_size=term.count, max_size=term.count))
    group = roll(Expression((term,)), dice_showing(*values)).dice[0]
    kept = kept_values(group)
    wanted = sorted(values, reverse=term.keep == "h")[: term.keep_count or term.count]
    assert sorted(kept) == sorted(wanted)
    assert [die.value for die in group.dice] == values


@FAST
@given(expressions)
def test_text_parses_back_to_the_same_expression(expression: Expression) -> None:
    assert parse(expression.text) == expression
    assert parse(parse(expression.text).text) == expression


tokens = st.sampled_from(["1", "d", "20", "kh", "kl", "K", "H", "+", "-", "\u2212", " ", "0", "100", "x", "\x00"])


@FAST
@given(st.text(max_size=60) | st.lists(tokens, max_size=30).map("".join))
def test_any_text_parses_or_is_refused_politely(text: str) -> None:
    try:
        expression = parse(text)
    except RuleViolation as refused:
        assert refused.field == "expression"
        assert refused.message
        return
    assert parse(expression.text) == expression
