"""Equipment slots, what fits each one, and planning a change of equipment before it is saved."""

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from webapp.rules.campaign_rules import rarity_allowed
from webapp.rules.model import CharacterData, ItemData
from webapp.rules.violations import Violation
from webapp.rules.wording import join_or, needs_level

EQUIP_SLOTS = (
    "head",
    "face",
    "chest",
    "legs",
    "feet",
    "hands",
    "main_hand",
    "off_hand",
    "ring_left",
    "ring_right",
    "amulet",
    "belt",
    "backpack",
    "cloak",
)
ITEM_SLOTS = (
    "NONE",
    "HEAD",
    "FACE",
    "CHEST",
    "LEGS",
    "FEET",
    "HANDS",
    "ONE_HAND",
    "TWO_HANDS",
    "RING",
    "AMULET",
    "BELT",
    "BACKPACK",
    "CLOAK",
)
SLOT_ACCEPTS: dict[str, frozenset[str]] = {
    "head": frozenset({"HEAD"}),
    "face": frozenset({"FACE"}),
    "chest": frozenset({"CHEST"}),
    "legs": frozenset({"LEGS"}),
    "feet": frozenset({"FEET"}),
    "hands": frozenset({"HANDS"}),
    "main_hand": frozenset({"ONE_HAND", "TWO_HANDS"}),
    "off_hand": frozenset({"ONE_HAND"}),
    "ring_left": frozenset({"RING"}),
    "ring_right": frozenset({"RING"}),
    "amulet": frozenset({"AMULET"}),
    "belt": frozenset({"BELT"}),
    "backpack": frozenset({"BACKPACK"}),
    "cloak": frozenset({"CLOAK"}),
}
SLOT_LABELS = {
    "head": "Head",
    "face": "Face",
    "chest": "Chest",
    "legs": "Legs",
    "feet": "Feet",
    "hands": "Hands",
    "main_hand": "Main hand",
    "off_hand": "Off hand",
    "ring_left": "Left ring",
    "ring_right": "Right ring",
    "amulet": "Amulet",
    "belt": "Belt",
    "backpack": "Backpack",
    "cloak": "Cloak",
}
SLOT_FITS = {
    "head": "a helmet, hat or hood",
    "face": "a mask or glasses",
    "chest": "armour, a shirt or a robe",
    "legs": "greaves or trousers",
    "feet": "boots or shoes",
    "hands": "gloves or gauntlets",
    "main_hand": "a one-handed or two-handed item",
    "off_hand": "a one-handed item, such as a shield",
    "ring_left": "a ring",
    "ring_right": "a ring",
    "amulet": "an amulet",
    "belt": "a belt",
    "backpack": "a backpack",
    "cloak": "a cloak",
}


def slots_for(item_slot: str) -> list[str]:
    """Return the equipment slots an item of this slot fits, in body order ([] for NONE or unknown)."""
    return [slot for slot in EQUIP_SLOTS if item_slot in SLOT_ACCEPTS[slot]]


@dataclass(frozen=True)
class EquipPlan:
    """The verdict on a change; when refused, new_equipment is the current equipment and nothing moves."""

    allowed: bool
    violations: list[Violation]
    new_equipment: dict[str, ItemData]
    displaced: list[ItemData]  # items that leave a slot unasked: swapped out, or off hand cleared


def plan_equipment(
    character: CharacterData,
    changes: Mapping[str, ItemData | None],
    inventory_quantities: Mapping[Hashable, int],
    max_rarity: str | None = None,
) -> EquipPlan:
    """Return the plan for putting items into slots (None empties a slot); refusals are violations by slot.

    `max_rarity` is the highest rarity the character's campaign allows (None: any): nothing above it goes on,
    though what is already worn may come off.
    """
    violations = [
        Violation(slot, f"There is no equipment slot called “{slot}”") for slot in changes if slot not in SLOT_ACCEPTS
    ]
    known = {slot: item for slot, item in changes.items() if slot in SLOT_ACCEPTS}
    for slot, item in known.items():
        if item is not None:
            violations += _check_fit(character, slot, item, max_rarity)
    refused = {violation.field for violation in violations}
    wanted = {slot: item for slot, item in known.items() if slot not in refused}
    new_equipment = _apply(character.equipment, wanted)
    violations += _check_quantities(character.name, new_equipment, wanted, inventory_quantities)
    violations += _check_hands(new_equipment, wanted)
    if violations:
        return EquipPlan(False, violations, dict(character.equipment), [])
    new_equipment = _clear_off_hand_for_two_hands(new_equipment)
    displaced = [
        old
        for slot, old in character.equipment.items()
        if wanted.get(slot, old) is not None and _item_id(new_equipment.get(slot)) != old.id
    ]
    return EquipPlan(True, [], new_equipment, displaced)


def _item_id(item: ItemData | None) -> Hashable | None:
    return None if item is None else item.id


def _check_fit(character: CharacterData, slot: str, item: ItemData, max_rarity: str | None) -> list[Violation]:
    fits = slots_for(item.slot)
    if not fits:
        return [Violation(slot, f"{item.name} can't be equipped")]
    if slot not in fits:
        where = join_or([SLOT_LABELS[fit].lower() for fit in fits])
        message = f"{item.name} doesn't fit the {SLOT_LABELS[slot].lower()} slot; it fits {where}"
        return [Violation(slot, message)]
    if not rarity_allowed(item.rarity, max_rarity):
        return [Violation(slot, f"{item.name} is {item.rarity}; this campaign allows up to {max_rarity}")]
    if item.required_level > character.level:
        return [Violation(slot, needs_level(item.required_level, character.name, character.level))]
    return []


def _apply(equipment: Mapping[str, ItemData], wanted: Mapping[str, ItemData | None]) -> dict[str, ItemData]:
    result = dict(equipment)
    for slot, item in wanted.items():
        if item is None:
            result.pop(slot, None)
        else:
            result[slot] = item
    return result


def _check_quantities(
    name: str,
    new_equipment: Mapping[str, ItemData],
    wanted: Mapping[str, ItemData | None],
    inventory_quantities: Mapping[Hashable, int],
) -> list[Violation]:
    """Each item put into a slot must be carried, once for every slot it fills afterwards."""
    filled = Counter(item.id for item in new_equipment.values())
    violations = []
    checked: set[Hashable] = set()
    for slot, item in wanted.items():
        if item is None or item.id in checked:
            continue
        checked.add(item.id)
        have = inventory_quantities.get(item.id, 0)
        if have < 1:
            violations.append(Violation(slot, f"{item.name} isn't in {name}'s inventory"))
        elif filled[item.id] > have:
            need = filled[item.id]
            message = f"{item.name} in {need} slots needs quantity {need}; {name} has {have}"
            violations.append(Violation(slot, message))
    return violations


def _check_hands(new_equipment: Mapping[str, ItemData], wanted: Mapping[str, ItemData | None]) -> list[Violation]:
    """An item asked for in the off hand cannot sit beside a two-handed main hand."""
    main = new_equipment.get("main_hand")
    if main is None or main.slot != "TWO_HANDS" or wanted.get("off_hand") is None:
        return []
    return [Violation("off_hand", f"{main.name} takes both hands, so the off hand must stay empty")]


def _clear_off_hand_for_two_hands(equipment: dict[str, ItemData]) -> dict[str, ItemData]:
    main = equipment.get("main_hand")
    if main is not None and main.slot == "TWO_HANDS":
        equipment.pop("off_hand", None)
    return equipment
