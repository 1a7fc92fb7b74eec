"""A character's sheet: effective attributes and derived numbers, each with a breakdown that adds up."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from webapp.rules.attributes import ATTRIBUTES, MAX_EFFECTIVE, MIN_EFFECTIVE, SHORT_LABELS, modifier
from webapp.rules.conditions import CONDITIONS, Effects, effects
from webapp.rules.equipment import EQUIP_SLOTS
from webapp.rules.load import OVERLOAD_FACTOR, check_capacity_change, load_limit
from webapp.rules.model import ArchetypeData, CharacterData, ItemData, Part, RaceData
from webapp.rules.rounding import round_half_away, round_kg
from webapp.rules.violations import Violation
from webapp.rules.wording import format_kg

NO_RACE = RaceData(id=None, name="No race")
NO_ARCHETYPE = ArchetypeData(id=None, name="No archetype")
BASE_DEFENSE = 10
KG_PER_STRENGTH = 5


def _parts_to_dicts(parts: Iterable[Part]) -> list[dict[str, Any]]:
    return [{"source": part.source, "amount": part.amount} for part in parts]


@dataclass(frozen=True)
class Stat:
    value: int | float
    breakdown: tuple[Part, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "breakdown": _parts_to_dicts(self.breakdown)}


@dataclass(frozen=True)
class AttributeStat:
    value: int
    modifier: int
    breakdown: tuple[Part, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "modifier": self.modifier, "breakdown": _parts_to_dicts(self.breakdown)}


@dataclass(frozen=True)
class Sheet:
    level: int
    experience: int
    attributes: dict[str, AttributeStat]
    max_health: Stat
    max_mana: Stat
    max_stamina: Stat
    attack: Stat
    defense: Stat
    capacity: Stat  # kg
    load: Stat  # kg, the whole inventory
    load_limit: Stat  # kg, 2 × capacity: additions, and equipment that lowers the capacity, beyond it are refused
    encumbered: bool  # load > capacity
    skill_ids: frozenset[Hashable]  # learned and granted by equipped items
    perk_ids: frozenset[Hashable]
    granted_skill_ids: frozenset[Hashable]
    granted_perk_ids: frozenset[Hashable]
    equipment_ids: dict[str, Hashable | None]  # every slot, in body order
    conditions: tuple[str, ...] = ()  # the settable ones, in conditions.CONDITIONS order; down is apart
    down: bool = False

    def to_dict(
        self, *, skills: list[Any] | None = None, perks: list[Any] | None = None, equipment: Any = None
    ) -> dict[str, Any]:
        """Return the JSON shape of GET /characters/<id>/sheet; skills, perks and equipment default to ids."""
        return {
            "level": self.level,
            "experience": self.experience,
            "attributes": {name: stat.to_dict() for name, stat in self.attributes.items()},
            "max_health": self.max_health.to_dict(),
            "max_mana": self.max_mana.to_dict(),
            "max_stamina": self.max_stamina.to_dict(),
            "attack": self.attack.to_dict(),
            "defense": self.defense.to_dict(),
            "capacity": self.capacity.to_dict(),
            "load": self.load.to_dict(),
            "load_limit": self.load_limit.to_dict(),
            "encumbered": self.encumbered,
            "skills": skills if skills is not None else sorted(str(i) for i in self.skill_ids),
            "perks": perks if perks is not None else sorted(str(i) for i in self.perk_ids),
            "equipment": equipment if equipment is not None else _equipment_strings(self.equipment_ids),
            "conditions": list(self.conditions),
            "down": self.down,
        }


def _equipment_strings(equipment_ids: dict[str, Hashable | None]) -> dict[str, str | None]:
    return {slot: None if item_id is None else str(item_id) for slot, item_id in equipment_ids.items()}


def compute_sheet(character: CharacterData) -> Sheet:
    """Return the character's sheet with its equipment as given; raises KeyError for a missing base score.

    A draft without a race counts as "No race" (no bonuses, every percentage 100); one without an archetype
    counts as "No archetype" (0 health, mana and stamina per level), so the minimums carry its pools.
    Conditions (and down) show in defense and maximum stamina; unknown condition names raise ValueError.
    """
    race = character.race or NO_RACE
    archetype = character.archetype or NO_ARCHETYPE
    equipped = [character.equipment[slot] for slot in EQUIP_SLOTS if slot in character.equipment]
    level = character.level
    attributes = {name: _attribute(name, character.base[name], race, equipped) for name in ATTRIBUTES}
    scores = {name: stat.value for name, stat in attributes.items()}
    capacity = _capacity(scores["strength"])
    load = _load(character.inventory)
    granted_skill_ids = frozenset().union(*(item.bonus_skill_ids for item in equipped))
    granted_perk_ids = frozenset().union(*(item.bonus_perk_ids for item in equipped))
    held = frozenset(character.conditions)
    max_health = _pool("health", level, scores, race, archetype, equipped)
    down = character.down or "down" in held or character.health_lost >= max_health.value
    effect = effects(held | ({"down"} if down else set()))
    return Sheet(
        level=level,
        experience=character.experience,
        attributes=attributes,
        max_health=max_health,
        max_mana=_pool("mana", level, scores, race, archetype, equipped),
        max_stamina=_halved(_pool("stamina", level, scores, race, archetype, equipped), effect),
        attack=_attack(scores["strength"], equipped),
        defense=_defense(scores["dexterity"], equipped, effect),
        capacity=capacity,
        load=load,
        load_limit=_load_limit(capacity),
        encumbered=load.value > capacity.value,
        skill_ids=character.skill_ids | granted_skill_ids,
        perk_ids=character.perk_ids | granted_perk_ids,
        granted_skill_ids=granted_skill_ids,
        granted_perk_ids=granted_perk_ids,
        equipment_ids={slot: _id_or_none(character.equipment.get(slot)) for slot in EQUIP_SLOTS},
        conditions=tuple(name for name in CONDITIONS if name in held and name != "down"),
        down=down,
    )


def check_equipment_load(character: CharacterData, new_equipment: Mapping[str, ItemData]) -> list[Violation]:
    """Return a violation when wearing `new_equipment` instead lowers the capacity (a −STR item put on, a +STR
    ring taken off) and leaves the load past twice the new capacity; its field is the first slot that changes.
    """
    before = compute_sheet(character)
    after = compute_sheet(replace(character, equipment=dict(new_equipment)))
    changed = [slot for slot in EQUIP_SLOTS if character.equipment.get(slot) != new_equipment.get(slot)]
    if not changed:
        return []
    return check_capacity_change(
        character.name, before.load.value, before.capacity.value, after.capacity.value, changed[0]
    )


def _id_or_none(item: ItemData | None) -> Hashable | None:
    return None if item is None else item.id


def _sum(parts: list[Part]) -> Stat:
    return Stat(sum(part.amount for part in parts), tuple(parts))


def _attribute(name: str, base: int, race: RaceData, equipped: list[ItemData]) -> AttributeStat:
    """Base + race bonus + equipped bonuses, clamped to 1–30 by a visible "Limit" part."""
    parts = [Part("Base", base)]
    if race.bonuses.get(name):
        parts.append(Part(race.name, race.bonuses[name]))
    parts += [Part(item.name, item.bonuses[name]) for item in equipped if item.bonuses.get(name)]
    raw = sum(part.amount for part in parts)
    value = min(max(raw, MIN_EFFECTIVE), MAX_EFFECTIVE)
    if value != raw:
        parts.append(Part(f"Limit ({MIN_EFFECTIVE}–{MAX_EFFECTIVE})", value - raw))
    return AttributeStat(value, modifier(value), tuple(parts))


# Each pool: the attribute whose modifier grows it, whether the level is its minimum (else 0), its floor after bonuses.
_POOLS = {"health": ("constitution", True, 1), "mana": ("intelligence", False, 0), "stamina": ("dexterity", True, 0)}


def _pool(
    pool: str, level: int, scores: dict[str, int], race: RaceData, archetype: ArchetypeData, equipped: list[ItemData]
) -> Stat:
    """max(floor, max(minimum, round((per_level + mod) · level · pct / 100)) + equipped bonuses).

    Equipment may take a pool down, never below its floor; a visible part lifts it there.
    """
    attribute, level_is_minimum, floor = _POOLS[pool]
    per_level = getattr(archetype, f"{pool}_per_level")
    pct = getattr(race, f"{pool}_pct")
    minimum, minimum_source = (level, "minimum (level)") if level_is_minimum else (0, "minimum (0)")
    mod = modifier(scores[attribute])
    grown = round_half_away((per_level + mod) * level * pct / 100)
    source = (
        f"{archetype.name} {per_level}/level + {SHORT_LABELS[attribute]} modifier {mod}, × level {level}"
        f" × {race.name} {pct}%"
    )
    parts = [Part(source, grown)]
    if grown < minimum:
        parts.append(Part(minimum_source, minimum - grown))
    parts += [Part(item.name, getattr(item, f"bonus_{pool}")) for item in equipped if getattr(item, f"bonus_{pool}")]
    total = sum(part.amount for part in parts)
    if total < floor:
        parts.append(Part(f"at least {floor} after bonuses", floor - total))
    return _sum(parts)


def _attack(strength: int, equipped: list[ItemData]) -> Stat:
    """Equipped damage + STR modifier."""
    parts = [Part(item.name, item.damage) for item in equipped if item.damage]
    return _sum([*parts, Part("STR modifier", modifier(strength))])


def _defense(dexterity: int, equipped: list[ItemData], effect: Effects) -> Stat:
    """10 + equipped defense + DEX modifier + conditions ("Prone" −2)."""
    parts = [Part(item.name, item.defense) for item in equipped if item.defense]
    return _sum([Part("Base", BASE_DEFENSE), *parts, Part("DEX modifier", modifier(dexterity)), *effect.defense])


def _halved(stamina: Stat, effect: Effects) -> Stat:
    """Maximum stamina halved, rounded down, by a visible "Exhausted" part."""
    if not effect.stamina_halved or not stamina.value:
        return stamina
    return _sum([*stamina.breakdown, Part("Exhausted", stamina.value // 2 - stamina.value)])


def _capacity(strength: int) -> Stat:
    kg = float(KG_PER_STRENGTH * strength)
    return Stat(kg, (Part(f"{KG_PER_STRENGTH} kg × STR {strength}", kg),))


def _load_limit(capacity: Stat) -> Stat:
    kg = load_limit(capacity.value)
    return Stat(kg, (Part(f"{OVERLOAD_FACTOR} × capacity {format_kg(capacity.value)}", kg),))


def _load(inventory: list[tuple[ItemData, int]]) -> Stat:
    """Σ weight × quantity, one part per carried item with weight, each rounded to hundredths of a kg."""
    parts = [
        Part(item.name if quantity == 1 else f"{item.name} × {quantity}", round_kg(item.weight * quantity))
        for item, quantity in inventory
        if item.weight
    ]
    return Stat(round_kg(sum(part.amount for part in parts)), tuple(parts))
