"""Conditions a character can be in, and what they do to attack rolls, checks, defense and stamina."""

from collections.abc import Iterable
from dataclasses import dataclass

from webapp.rules.model import Part

CONDITIONS = ("down", "poisoned", "frightened", "blessed", "prone", "stunned", "invisible", "exhausted")
SETTABLE = CONDITIONS[1:]  # down comes and goes with health alone
LABELS = {name: name.capitalize() for name in CONDITIONS}
DESCRIPTIONS = {
    "down": "Set and cleared by health alone. No attack rolls, no checks; defense −4.",
    "poisoned": "−2 on attack rolls and checks.",
    "frightened": "−2 on checks; attack rolls with disadvantage.",
    "blessed": "+2 on attack rolls and checks.",
    "prone": "Defense −2; attack rolls with disadvantage.",
    "stunned": "No attack rolls; defense −4.",
    "invisible": "Attack rolls with advantage; defense +2.",
    "exhausted": "−2 on attack rolls and checks; maximum stamina halved (rounded down).",
}

# Per condition: (attack, checks, defense) bonuses, advantage (+1/−1/0), forbids attack rolls, forbids checks.
_TABLE: dict[str, tuple[int, int, int, int, bool, bool]] = {
    "down": (0, 0, -4, 0, True, True),
    "poisoned": (-2, -2, 0, 0, False, False),
    "frightened": (0, -2, 0, -1, False, False),
    "blessed": (2, 2, 0, 0, False, False),
    "prone": (0, 0, -2, -1, False, False),
    "stunned": (0, 0, -4, 0, True, False),
    "invisible": (0, 0, 2, 1, False, False),
    "exhausted": (-2, -2, 0, 0, False, False),
}


@dataclass(frozen=True)
class Effects:
    attack: tuple[Part, ...]
    checks: tuple[Part, ...]
    defense: tuple[Part, ...]
    advantage: int  # +1, 0 or -1 on attack rolls: advantage and disadvantage cancel out
    no_attacks: str | None  # the label of the condition forbidding attack rolls
    no_checks: str | None
    stamina_halved: bool


NO_EFFECTS = Effects((), (), (), 0, None, None, False)


def check_known(conditions: Iterable[str]) -> frozenset[str]:
    """Return the conditions as a set; raises ValueError for a name outside CONDITIONS."""
    names = frozenset(conditions)
    unknown = sorted(names - set(CONDITIONS))
    if unknown:
        raise ValueError(f"Unknown conditions: {', '.join(unknown)}")
    return names


def effects(conditions: Iterable[str]) -> Effects:
    """Return what the conditions do together, each part labelled with its condition ("Prone", -2)."""
    names = check_known(conditions)
    active = [name for name in CONDITIONS if name in names]
    attack, checks, defense = [], [], []
    advantage = disadvantage = False
    no_attacks = no_checks = None
    for name in active:
        on_attack, on_checks, on_defense, edge, forbids_attacks, forbids_checks = _TABLE[name]
        label = LABELS[name]
        if on_attack:
            attack.append(Part(label, on_attack))
        if on_checks:
            checks.append(Part(label, on_checks))
        if on_defense:
            defense.append(Part(label, on_defense))
        advantage = advantage or edge > 0
        disadvantage = disadvantage or edge < 0
        if forbids_attacks and no_attacks is None:
            no_attacks = label
        if forbids_checks and no_checks is None:
            no_checks = label
    return Effects(
        attack=tuple(attack),
        checks=tuple(checks),
        defense=tuple(defense),
        advantage=int(advantage) - int(disadvantage),
        no_attacks=no_attacks,
        no_checks=no_checks,
        stamina_halved="exhausted" in names,
    )
