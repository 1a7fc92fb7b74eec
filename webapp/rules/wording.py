"""Small helpers that turn rule outcomes into plain English sentences."""

from collections.abc import Sequence


def with_article(noun: str) -> str:
    """Return the noun with "a" or "an" in front ("an Elf", "a Dwarf")."""
    article = "an" if noun[:1].lower() in "aeiou" else "a"
    return f"{article} {noun}"


def join_or(words: Sequence[str]) -> str:
    """Return "A", "A or B", "A, B or C"."""
    return _joined(words, "or")


def join_and(words: Sequence[str]) -> str:
    """Return "A", "A and B", "A, B and C"."""
    return _joined(words, "and")


def _joined(words: Sequence[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def count_of(count: int, noun: str) -> str:
    """Return "1 perk", "2 perks"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_kg(kg: float) -> str:
    """Return a weight without needless decimals: "212 kg", "12.5 kg"."""
    return f"{kg:.2f}".rstrip("0").rstrip(".") + " kg"


def needs_level(required: int, character_name: str, level: int) -> str:
    """Return "Needs level 5; Brannoc is level 3"."""
    return f"Needs level {required}; {character_name} is level {level}"
