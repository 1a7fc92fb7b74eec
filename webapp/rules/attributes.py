"""The six attributes: modifiers and the point buy used when a character is created."""

from collections.abc import Mapping

from webapp.rules.violations import Violation

ATTRIBUTES = ("strength", "constitution", "dexterity", "intelligence", "wisdom", "charisma")
SHORT_LABELS = {
    "strength": "STR",
    "constitution": "CON",
    "dexterity": "DEX",
    "intelligence": "INT",
    "wisdom": "WIS",
    "charisma": "CHA",
}
POINT_COST = {8: 0, 9: 1, 10: 2, 11: 3, 12: 4, 13: 5, 14: 7, 15: 9}
MIN_BASE = min(POINT_COST)
MAX_BASE = max(POINT_COST)
DEFAULT_BUDGET = 27
MIN_EFFECTIVE = 1
MAX_EFFECTIVE = 30


def modifier(score: int) -> int:
    """Return floor((score − 10) / 2): 10 → 0, 9 → −1, 15 → +2."""
    return (score - 10) // 2


def point_buy_cost(scores: Mapping[str, int]) -> int:
    """Return the points the six base scores cost; raises KeyError for a score outside 8–15 or missing."""
    return sum(POINT_COST[scores[attribute]] for attribute in ATTRIBUTES)


def points_left(scores: Mapping[str, int], budget: int = DEFAULT_BUDGET) -> int:
    """Return the budget minus the cost (negative when over); raises KeyError like point_buy_cost."""
    return budget - point_buy_cost(scores)


def check_point_buy(scores: Mapping[str, int], budget: int = DEFAULT_BUDGET) -> list[Violation]:
    """Return a violation per score outside 8–15 (field = attribute), else one if the cost is over budget."""
    violations = [
        Violation(attribute, f"{attribute.capitalize()} must be between {MIN_BASE} and {MAX_BASE}")
        for attribute in ATTRIBUTES
        if scores.get(attribute) not in POINT_COST
    ]
    if violations:
        return violations
    cost = point_buy_cost(scores)
    if cost > budget:
        return [Violation("attributes", f"The base scores cost {cost} points; the budget is {budget}")]
    return []
