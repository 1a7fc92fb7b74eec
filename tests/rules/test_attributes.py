"""Attribute modifiers and the point buy."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules.builders import scores
from webapp.rules import (
    ATTRIBUTES,
    SHORT_LABELS,
    Violation,
    check_point_buy,
    modifier,
    point_buy_cost,
    points_left,
)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(1, -5), (7, -2), (8, -1), (9, -1), (10, 0), (11, 0), (12, 1), (15, 2), (29, 9), (30, 10)],
)
def test_modifier_is_half_the_distance_from_ten_rounded_down(score: int, expected: int) -> None:
    assert modifier(score) == expected


def test_short_labels_follow_the_attribute_order() -> None:
    assert [SHORT_LABELS[a] for a in ATTRIBUTES] == ["STR", "CON", "DEX", "INT", "WIS", "CHA"]


def test_all_eights_cost_nothing() -> None:
    assert point_buy_cost(dict.fromkeys(ATTRIBUTES, 8)) == 0


def test_standard_spread_costs_the_whole_budget() -> None:
    spread = {
        "strength": 15,
        "constitution": 14,
        "dexterity": 13,
        "intelligence": 12,
        "wisdom": 10,
        "charisma": 8,
    }
    assert point_buy_cost(spread) == 9 + 7 + 5 + 4 + 2 + 0
    assert check_point_buy(spread) == []
    assert points_left(spread) == 0


def test_three_fifteens_cost_27() -> None:
    assert (
        point_buy_cost(scores(strength=15, constitution=15, dexterity=15, intelligence=8, wisdom=8, charisma=8)) == 27
    )


def test_one_point_over_budget_is_refused() -> None:
    over = scores(strength=15, constitution=15, dexterity=15, intelligence=9, wisdom=8, charisma=8)
    assert check_point_buy(over) == [Violation("attributes", "The base scores cost 28 points; the budget is 27")]
    assert points_left(over) == -1


def test_a_campaign_budget_replaces_the_default() -> None:
    tens = scores()
    assert point_buy_cost(tens) == 12
    assert check_point_buy(tens, budget=12) == []
    assert check_point_buy(tens, budget=11) == [
        Violation("attributes", "The base scores cost 12 points; the budget is 11")
    ]
    assert points_left(tens, budget=20) == 8


def test_scores_outside_eight_to_fifteen_are_refused_by_attribute() -> None:
    assert check_point_buy(scores(strength=7, charisma=16)) == [
        Violation("strength", "Strength must be between 8 and 15"),
        Violation("charisma", "Charisma must be between 8 and 15"),
    ]


def test_a_missing_score_is_refused() -> None:
    incomplete = scores()
    del incomplete["wisdom"]
    assert check_point_buy(incomplete) == [Violation("wisdom", "Wisdom must be between 8 and 15")]


def test_cost_of_a_score_outside_the_table_is_an_error() -> None:
    with pytest.raises(KeyError):
        point_buy_cost(scores(strength=16))


point_buy_scores = st.fixed_dictionaries({a: st.integers(min_value=8, max_value=15) for a in ATTRIBUTES})


@given(point_buy_scores, st.sampled_from(ATTRIBUTES))
def test_raising_any_score_costs_more(base: dict[str, int], attribute: str) -> None:
    if base[attribute] == 15:
        return
    raised = {**base, attribute: base[attribute] + 1}
    assert point_buy_cost(raised) > point_buy_cost(base)


@given(point_buy_scores)
def test_cost_stays_between_nothing_and_all_fifteens(base: dict[str, int]) -> None:
    assert 0 <= point_buy_cost(base) <= 6 * 9
    assert (check_point_buy(base) == []) == (point_buy_cost(base) <= 27)
