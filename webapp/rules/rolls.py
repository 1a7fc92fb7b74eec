"""Rolls from the sheet (checks, skill checks, attacks, initiative) and free rolls, planned as dice expressions."""

from dataclasses import dataclass

from webapp.rules.attributes import ATTRIBUTES, SHORT_LABELS
from webapp.rules.conditions import Effects
from webapp.rules.dice import ADVANTAGE, D20, DISADVANTAGE, ConstantTerm, DiceTerm, Expression, Roll, parse
from webapp.rules.model import Part
from webapp.rules.sheet import Sheet
from webapp.rules.violations import RuleViolation
from webapp.rules.wording import join_or

KINDS = ("check", "skill", "attack", "initiative", "free")
MAX_LABEL = 100


@dataclass(frozen=True)
class Planned:
    kind: str
    label: str  # "Strength check", "Perception (Wisdom)", "Attack", "Initiative", "Fireball"
    expression: Expression


def proficiency(level: int) -> int:
    """Return 2 + (level − 1) // 4: +2 at level 1, +3 at 5, +4 at 9."""
    return 2 + (level - 1) // 4


def plan_check(name: str, attribute: str, sheet: Sheet, effects: Effects) -> Planned:
    """1d20 + the attribute's modifier + conditions; refused when a condition forbids checks."""
    _check_attribute(attribute)
    _check_can_check(name, effects)
    terms = _terms(D20, _modifier(attribute, sheet), *effects.checks)
    return Planned("check", f"{attribute.capitalize()} check", terms)


def plan_skill(name: str, skill_name: str, attribute: str, proficient: bool, sheet: Sheet, effects: Effects) -> Planned:
    """A check on the attribute the player picks, + proficiency when the skill is learned or granted."""
    _check_attribute(attribute)
    _check_can_check(name, effects)
    bonus = [Part("Proficiency", proficiency(sheet.level))] if proficient else []
    terms = _terms(D20, _modifier(attribute, sheet), *bonus, *effects.checks)
    return Planned("skill", f"{skill_name} ({attribute.capitalize()})", terms)


def plan_attack(name: str, sheet: Sheet, effects: Effects) -> Planned:
    """d20 (with advantage or disadvantage) + STR modifier + proficiency + conditions."""
    if effects.no_attacks:
        raise RuleViolation("kind", f"{name} is {effects.no_attacks.lower()}: no attack rolls.")
    d20 = {1: ADVANTAGE, -1: DISADVANTAGE}.get(effects.advantage, D20)
    proficient = Part("Proficiency", proficiency(sheet.level))
    return Planned("attack", "Attack", _terms(d20, _modifier("strength", sheet), proficient, *effects.attack))


def plan_initiative(sheet: Sheet) -> Planned:
    """1d20 + DEX modifier; conditions do not touch it."""
    return Planned("initiative", "Initiative", _terms(D20, _modifier("dexterity", sheet)))


def plan_free(text: str, label: str | None = None) -> Planned:
    """Any expression; its label defaults to the normalised text."""
    expression = parse(text)
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise RuleViolation("label", f"Use at most {MAX_LABEL} characters for the label.")
    if not label.isprintable():
        raise RuleViolation("label", "Write the label on one line, without control characters.")
    return Planned("free", label or expression.text, expression)


def natural(roll: Roll) -> int | None:
    """Return the kept d20 of a roll whose first dice are one d20 kept (1d20, 2d20kh1, 2d20kl1), else None."""
    if not roll.dice:
        return None
    first = roll.dice[0]
    kept = [die.value for die in first.dice if die.kept]
    if first.sign != 1 or _sides(first.notation) != 20 or len(kept) != 1:
        return None
    return kept[0]


def attack_damage(roll: Roll, sheet: Sheet) -> tuple[int, bool]:
    """Return (damage, critical): the sheet's Attack value, doubled on a natural 20, never below 0."""
    critical = natural(roll) == 20
    value = int(sheet.attack.value) * (2 if critical else 1)
    return max(0, value), critical


def _sides(notation: str) -> int:
    """Return M of "NdM…"."""
    after = notation.partition("d")[2]
    digits = after.partition("k")[0]
    return int(digits) if digits.isdecimal() else 0


def _check_attribute(attribute: str) -> None:
    if attribute not in ATTRIBUTES:
        names = [name.capitalize() for name in ATTRIBUTES]
        raise RuleViolation("attribute", f"Choose one of {join_or(names)}.")


def _check_can_check(name: str, effects: Effects) -> None:
    if effects.no_checks:
        raise RuleViolation("kind", f"{name} is {effects.no_checks.lower()}: no checks.")


def _modifier(attribute: str, sheet: Sheet) -> Part:
    return Part(f"{SHORT_LABELS[attribute]} modifier", sheet.attributes[attribute].modifier)


def _terms(dice: DiceTerm, *parts: Part) -> Expression:
    constants = [ConstantTerm(-1 if part.amount < 0 else 1, abs(int(part.amount)), part.source) for part in parts]
    return Expression((dice, *constants))
