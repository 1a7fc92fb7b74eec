"""RuleViolation carries one or more field-and-sentence violations."""

import pytest

from webapp.rules import RuleViolation, Violation


def test_single_violation_exposes_field_and_message() -> None:
    error = RuleViolation("name", "Name is too long")
    assert error.field == "name"
    assert error.message == "Name is too long"
    assert error.violations == [Violation("name", "Name is too long")]
    assert str(error) == "Name is too long"


def test_many_violations_keep_order_and_expose_the_first() -> None:
    violations = [Violation("strength", "Strength must be between 8 and 15"), Violation("age", "Too old")]
    error = RuleViolation.many(violations)
    assert error.violations == violations
    assert (error.field, error.message) == ("strength", "Strength must be between 8 and 15")
    assert str(error) == "Strength must be between 8 and 15; Too old"


def test_many_needs_at_least_one_violation() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RuleViolation.many([])


def test_raise_if_any_is_silent_without_violations() -> None:
    RuleViolation.raise_if_any([])


def test_raise_if_any_raises_with_all_violations() -> None:
    violations = [Violation("head", "Nope"), Violation("feet", "Nope either")]
    with pytest.raises(RuleViolation) as caught:
        RuleViolation.raise_if_any(violations)
    assert caught.value.violations == violations
