"""Levels from experience."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.rules import (
    MAX_EXPERIENCE,
    MAX_LEVEL,
    Violation,
    check_add_experience,
    level_for_xp,
    xp_for_level,
    xp_progress,
)


@pytest.mark.parametrize(("level", "xp"), [(1, 0), (2, 100), (3, 300), (4, 600), (5, 1000), (10, 4500), (20, 19000)])
def test_xp_needed_for_level(level: int, xp: int) -> None:
    assert xp_for_level(level) == xp


@pytest.mark.parametrize(
    ("xp", "level"),
    [(0, 1), (99, 1), (100, 2), (299, 2), (300, 3), (999, 4), (1000, 5), (18999, 19), (19000, 20)],
)
def test_level_reached_with_xp(xp: int, level: int) -> None:
    assert level_for_xp(xp) == level


def test_level_stops_at_twenty() -> None:
    assert level_for_xp(10_000_000) == 20


def test_campaign_cap_stops_the_level_earlier() -> None:
    assert level_for_xp(4500, cap=5) == 5
    assert level_for_xp(300, cap=5) == 3


def test_a_cap_above_twenty_still_stops_at_twenty() -> None:
    assert level_for_xp(10_000_000, cap=50) == 20


def test_negative_xp_or_cap_below_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        level_for_xp(-1)
    with pytest.raises(ValueError, match="at least 1"):
        level_for_xp(0, cap=0)
    with pytest.raises(ValueError, match="no level 0"):
        xp_for_level(0)


def test_progress_shows_where_the_level_starts_and_the_next_one() -> None:
    assert xp_progress(150) == (100, 300)
    assert xp_progress(0) == (0, 100)


def test_progress_has_no_next_level_at_the_cap() -> None:
    assert xp_progress(19000) == (19000, None)
    assert xp_progress(5000, cap=5) == (1000, None)


@given(st.integers(min_value=1, max_value=MAX_LEVEL - 1))
def test_each_level_needs_more_xp_than_the_last(level: int) -> None:
    assert xp_for_level(level + 1) > xp_for_level(level)


@given(st.integers(min_value=1, max_value=MAX_LEVEL))
def test_level_for_xp_inverts_xp_for_level(level: int) -> None:
    assert level_for_xp(xp_for_level(level)) == level
    if level > 1:
        assert level_for_xp(xp_for_level(level) - 1) == level - 1


@given(st.integers(min_value=0, max_value=1_000_000), st.integers(min_value=1, max_value=MAX_LEVEL))
def test_level_is_the_highest_whose_xp_is_reached(xp: int, cap: int) -> None:
    level = level_for_xp(xp, cap)
    assert 1 <= level <= cap
    assert xp_for_level(level) <= xp
    assert level == cap or xp < xp_for_level(level + 1)


def test_experience_may_reach_ten_million_exactly() -> None:
    assert MAX_EXPERIENCE == 10_000_000
    assert check_add_experience("Brannoc", 9_999_990, 10) == []


def test_experience_past_ten_million_is_refused_with_what_is_left() -> None:
    assert check_add_experience("Brannoc", 9_999_990, 11) == [
        Violation("amount", "Brannoc has 9,999,990 XP and can gain at most 10 more (the most is 10,000,000)")
    ]


def test_a_character_at_ten_million_gains_nothing_more() -> None:
    assert check_add_experience("Brannoc", 10_000_000, 1, field="experience") == [
        Violation("experience", "Brannoc has 10,000,000 XP; 10,000,000 is the most a character can have")
    ]
