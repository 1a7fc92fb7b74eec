"""Rounding halves away from zero, unlike Python's round()."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.rules import round_half_away, round_kg


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),
        (4.5, 5),
        (-0.5, -1),
        (-2.5, -3),
        (2.49, 2),
        (-2.49, -2),
        (0.0, 0),
        (7, 7),
    ],
)
def test_halves_round_away_from_zero(x: float, expected: int) -> None:
    assert round_half_away(x) == expected


def test_kg_round_to_hundredths_with_halves_up() -> None:
    assert round_kg(0.125) == 0.13
    assert round_kg(2.0) == 2.0
    assert round_kg(0.1 + 0.2) == 0.3


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_rounding_is_symmetric_and_within_half(x: float) -> None:
    assert round_half_away(-x) == -round_half_away(x)
    assert abs(round_half_away(x) - x) <= 0.5
