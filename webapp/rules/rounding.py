"""Rounding the way players expect: halves go away from zero (Python's round() goes to even)."""

import math


def round_half_away(x: float) -> int:
    """Return x rounded to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def round_kg(kg: float) -> float:
    """Return a weight in kg rounded to hundredths, halves away from zero."""
    return round_half_away(kg * 100) / 100
