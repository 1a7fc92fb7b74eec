"""Plain data the rules work on; services fill these from the database (ids are opaque, UUIDs in practice)."""

from collections.abc import Hashable
from dataclasses import dataclass, field

from webapp.rules.attributes import ATTRIBUTES
from webapp.rules.progression import MAX_LEVEL, level_for_xp


def _average_scores() -> dict[str, int]:
    return dict.fromkeys(ATTRIBUTES, 10)


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: where an amount comes from ("Dwarf", "Prone") and the signed amount."""

    source: str
    amount: int | float


@dataclass(frozen=True)
class RaceData:
    id: Hashable
    name: str
    bonuses: dict[str, int] = field(default_factory=dict)
    health_pct: int = 100
    mana_pct: int = 100
    stamina_pct: int = 100
    skill_ids: frozenset[Hashable] = frozenset()


@dataclass(frozen=True)
class ArchetypeData:
    id: Hashable
    name: str
    health_per_level: int = 0
    mana_per_level: int = 0
    stamina_per_level: int = 0
    primary_attribute: str = "strength"
    required_race_ids: frozenset[Hashable] = frozenset()
    required_race_names: tuple[str, ...] = ()  # the same races, for messages
    skill_ids: frozenset[Hashable] = frozenset()


@dataclass(frozen=True)
class ItemData:
    id: Hashable
    name: str
    slot: str = "NONE"
    rarity: str = "COMMON"
    required_level: int = 1
    weight: float = 0.0
    damage: int = 0
    defense: int = 0
    bonuses: dict[str, int] = field(default_factory=dict)
    bonus_health: int = 0
    bonus_mana: int = 0
    bonus_stamina: int = 0
    bonus_skill_ids: frozenset[Hashable] = frozenset()
    bonus_perk_ids: frozenset[Hashable] = frozenset()


@dataclass(frozen=True)
class SkillData:
    id: Hashable
    name: str
    required_level: int = 1


@dataclass(frozen=True)
class PerkData:
    id: Hashable
    name: str
    required_level: int = 1


@dataclass(frozen=True)
class CharacterData:
    """A character as the rules see it; equipped items are also entries of the inventory."""

    name: str
    base: dict[str, int] = field(default_factory=_average_scores)
    experience: int = 0
    race: RaceData | None = None
    archetype: ArchetypeData | None = None
    equipment: dict[str, ItemData] = field(default_factory=dict)
    inventory: list[tuple[ItemData, int]] = field(default_factory=list)
    skill_ids: frozenset[Hashable] = frozenset()
    perk_ids: frozenset[Hashable] = frozenset()
    level_cap: int = MAX_LEVEL
    conditions: frozenset[str] = frozenset()  # settable ones (conditions.SETTABLE); down is below
    down: bool = False  # down whatever its health (a test's shortcut); else health decides, below
    health_lost: int = 0  # what is missing from maximum health: at 0 current health the character is down

    @property
    def level(self) -> int:
        """The level its experience reaches, capped at level_cap."""
        return level_for_xp(self.experience, self.level_cap)
