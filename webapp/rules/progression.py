"""Levels from experience: level L needs 100 · L · (L − 1) / 2 XP, up to level 20 or a campaign's cap."""

from webapp.rules.violations import Violation

MAX_LEVEL = 20
XP_STEP = 100
MAX_EXPERIENCE = 10_000_000


def xp_for_level(level: int) -> int:
    """Return the XP at which a level starts (1 → 0, 2 → 100, 5 → 1000); raises ValueError below 1."""
    if level < 1:
        raise ValueError(f"There is no level {level}")
    return XP_STEP * level * (level - 1) // 2


def level_for_xp(xp: int, cap: int = MAX_LEVEL) -> int:
    """Return the level xp reaches, at most min(cap, 20); raises ValueError for xp < 0 or cap < 1."""
    if xp < 0:
        raise ValueError("Experience cannot be negative")
    if cap < 1:
        raise ValueError("A level cap must be at least 1")
    top = min(cap, MAX_LEVEL)
    level = 1
    while level < top and xp >= xp_for_level(level + 1):
        level += 1
    return level


def xp_progress(xp: int, cap: int = MAX_LEVEL) -> tuple[int, int | None]:
    """Return (XP where the current level starts, XP for the next level or None at the cap)."""
    level = level_for_xp(xp, cap)
    next_xp = xp_for_level(level + 1) if level < min(cap, MAX_LEVEL) else None
    return xp_for_level(level), next_xp


def check_add_experience(name: str, experience: int, amount: int, field: str = "amount") -> list[Violation]:
    """Return a violation (on `field`) when adding `amount` would take experience past 10,000,000, else []."""
    if experience + amount <= MAX_EXPERIENCE:
        return []
    if experience >= MAX_EXPERIENCE:
        return [Violation(field, f"{name} has {experience:,} XP; {MAX_EXPERIENCE:,} is the most a character can have")]
    room = MAX_EXPERIENCE - experience
    message = f"{name} has {experience:,} XP and can gain at most {room:,} more (the most is {MAX_EXPERIENCE:,})"
    return [Violation(field, message)]
