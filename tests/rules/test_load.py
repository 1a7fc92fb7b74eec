"""Adding weight beyond twice the carrying capacity is refused."""

from webapp.rules import Violation, check_load, load_limit


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
