"""Current health, mana and stamina, kept as what is missing: damage, healing, spending, consumables and rests."""

from dataclasses import dataclass, replace
from typing import Any

from webapp.rules.sheet import Sheet
from webapp.rules.violations import RuleViolation
from webapp.rules.wording import join_and, with_article

POOLS = ("health", "mana", "stamina")
SPENDABLE = ("mana", "stamina")
MIN_AMOUNT = 1
MAX_AMOUNT = 9_999


@dataclass(frozen=True)
class Missing:
    """What is lost or spent from each maximum; current = max(0, maximum − missing)."""

    health: int = 0
    mana: int = 0
    stamina: int = 0

    def __post_init__(self) -> None:
        for pool in POOLS:
            if getattr(self, pool) < 0:
                raise ValueError(f"Missing {pool} cannot be negative")


@dataclass(frozen=True)
class Maxima:
    health: int
    mana: int
    stamina: int

    @classmethod
    def of(cls, sheet: Sheet) -> "Maxima":
        """Return the sheet's maximums, conditions such as exhausted already applied."""
        return cls(int(sheet.max_health.value), int(sheet.max_mana.value), int(sheet.max_stamina.value))


@dataclass(frozen=True)
class Pool:
    current: int
    max: int

    def to_dict(self) -> dict[str, Any]:
        return {"current": self.current, "max": self.max}


def current(maximum: int, missing: int) -> int:
    """Return max(0, maximum − missing): a lowered maximum never leaves a pool below empty."""
    return max(0, maximum - missing)


def pools(maxima: Maxima, missing: Missing) -> dict[str, Pool]:
    """Return health, mana and stamina, each with its current value and maximum."""
    return {pool: Pool(_current(pool, maxima, missing), getattr(maxima, pool)) for pool in POOLS}


def is_down(maxima: Maxima, missing: Missing) -> bool:
    """Return whether current health is 0."""
    return _current("health", maxima, missing) == 0


def check_amount(amount: object, field: str = "amount") -> None:
    """Raise RuleViolation unless amount is a whole number from 1 to 9,999 (True is not a number)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise RuleViolation(field, f"Use a whole number from {MIN_AMOUNT} to {MAX_AMOUNT:,}.")


def damage(maxima: Maxima, missing: Missing, amount: int) -> Missing:
    """Lower current health by amount, not below 0."""
    check_amount(amount)
    return _set("health", maxima, missing, max(0, _current("health", maxima, missing) - amount))


def heal(maxima: Maxima, missing: Missing, amount: int) -> Missing:
    """Raise current health by amount, not above the maximum."""
    check_amount(amount)
    return _raised("health", maxima, missing, amount)


def spend(pool: str, name: str, maxima: Maxima, missing: Missing, amount: int) -> Missing:
    """Lower current mana or stamina by amount; refused when there is less than that."""
    _check_spendable(pool)
    check_amount(amount)
    have = _current(pool, maxima, missing)
    if have < amount:
        raise RuleViolation("amount", f"Needs {amount} {pool}; {name} has {have}.")
    return _set(pool, maxima, missing, have - amount)


def restore(pool: str, maxima: Maxima, missing: Missing, amount: int) -> Missing:
    """Raise current mana or stamina by amount, not above the maximum."""
    _check_spendable(pool)
    check_amount(amount)
    return _raised(pool, maxima, missing, amount)


def use_consumable(
    name: str, item_name: str, health: int, mana: int, stamina: int, maxima: Maxima, missing: Missing
) -> Missing:
    """Apply the item's positive health, mana and stamina bonuses; refused when that would change nothing."""
    amounts = {"health": health, "mana": mana, "stamina": stamina}
    restored = [pool for pool in POOLS if amounts[pool] > 0]
    if not restored:
        article = with_article(item_name)
        raise RuleViolation("item", f"{article[0].upper()}{article[1:]} restores nothing.")
    after = missing
    for pool in restored:
        after = _raised(pool, maxima, after, amounts[pool])
    if pools(maxima, after) == pools(maxima, missing):
        raise RuleViolation("item", f"{name} is already at full {join_and(restored)}.")
    return after


def short_rest(name: str, level: int, con_modifier: int, maxima: Maxima, missing: Missing) -> Missing:
    """Stamina back to full and level + CON modifier health (at least 1); refused while down."""
    _check_not_down(name, maxima, missing)
    healed = _raised("health", maxima, missing, max(1, level + con_modifier))
    return replace(healed, stamina=0)


def long_rest(name: str, maxima: Maxima, missing: Missing) -> Missing:
    """Every pool back to full; refused while down. The caller also ends every condition."""
    _check_not_down(name, maxima, missing)
    return Missing()


def _check_spendable(pool: str) -> None:
    if pool not in SPENDABLE:
        raise ValueError(f"Only mana or stamina is spent or restored, not {pool!r}")


def _check_not_down(name: str, maxima: Maxima, missing: Missing) -> None:
    if is_down(maxima, missing):
        raise RuleViolation("kind", f"{name} is down; heal them before resting.")


def _current(pool: str, maxima: Maxima, missing: Missing) -> int:
    return current(getattr(maxima, pool), getattr(missing, pool))


def _raised(pool: str, maxima: Maxima, missing: Missing, amount: int) -> Missing:
    maximum = getattr(maxima, pool)
    return _set(pool, maxima, missing, min(maximum, _current(pool, maxima, missing) + amount))


def _set(pool: str, maxima: Maxima, missing: Missing, new_current: int) -> Missing:
    """Store what is missing so that current becomes new_current (0 ≤ new_current ≤ maximum)."""
    return replace(missing, **{pool: max(0, getattr(maxima, pool) - new_current)})
