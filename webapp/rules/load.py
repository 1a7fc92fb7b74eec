"""Carrying: an addition, or a lower capacity, that would take the load past twice the capacity is refused."""

from webapp.rules.rounding import round_kg
from webapp.rules.violations import Violation
from webapp.rules.wording import format_kg

OVERLOAD_FACTOR = 2


def load_limit(capacity: float) -> float:
    """Return the heaviest load a character may reach by adding items or changing equipment: 2 × capacity."""
    return OVERLOAD_FACTOR * capacity


def check_load(character_name: str, capacity: float, current_load: float, added_weight: float) -> list[Violation]:
    """Return a violation (field quantity) when adding weight would take the load past 2 × capacity.

    Adding nothing heavy is never refused, even by a character who is already over the limit.
    """
    new_load = round_kg(current_load + added_weight)
    limit = load_limit(capacity)
    if added_weight <= 0 or new_load <= limit:
        return []
    carried, allowed = format_kg(new_load), format_kg(limit)
    message = f"Too heavy: {character_name} would carry {carried}; the limit is {allowed}"
    return [Violation("quantity", message)]


def check_capacity_change(
    character_name: str, load: float, capacity_before: float, capacity_after: float, field: str
) -> list[Violation]:
    """Return a violation (on `field`) when a change lowers the capacity and leaves the load past 2 × the new one.

    A change that keeps or raises the capacity is never refused for weight, even for a character already over.
    """
    limit = load_limit(capacity_after)
    if capacity_after >= capacity_before or round_kg(load) <= limit:
        return []
    carried, allowed = format_kg(round_kg(load)), format_kg(limit)
    return [
        Violation(
            field, f"Too heavy: {character_name} carries {carried}; after this change the limit would be {allowed}"
        )
    ]
