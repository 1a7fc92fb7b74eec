"""A character's pack: add, change quantity, drop and use items, with the load limit and visibility enforced."""

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from webapp import rules
from webapp.extensions import db
from webapp.models import InventoryEntry, Item
from webapp.services import access
from webapp.services.access import Action
from webapp.services.characters import resolve
from webapp.services.errors import InvalidInput, NotFound, RuleViolation, Violation
from webapp.services.sheets import LoadedSheet, load_locked

MAX_QUANTITY = 9999


@dataclass(frozen=True)
class Stack:
    """One inventory line as the pages show it: the item, how many, and the slots it fills."""

    item: Item
    quantity: int
    slots: tuple[str, ...]
    visible: bool

    @property
    def unequipped(self) -> int:
        return self.quantity - len(self.slots)


def stacks(actor, loaded: LoadedSheet) -> list[Stack]:
    """The inventory by item name, each line with the slots its item fills."""
    slots: dict = {}
    for row in loaded.character.equipment:
        slots.setdefault(row.item_id, []).append(str(row.slot))
    order = {slot: index for index, slot in enumerate(rules.EQUIP_SLOTS)}
    lines = [
        Stack(
            entry.item,
            entry.quantity,
            tuple(sorted(slots.get(entry.item_id, []), key=order.__getitem__)),
            access.can(actor, Action.VIEW, entry.item),
        )
        for entry in loaded.character.inventory
    ]
    return sorted(lines, key=lambda line: (line.item.name.casefold(), str(line.item.id)))


def _quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        message = f"Choose a quantity from 1 to {MAX_QUANTITY}."
        raise InvalidInput([Violation("quantity", message)], message)
    return quantity


def _find(loaded: LoadedSheet, item_id) -> InventoryEntry | None:
    return next((entry for entry in loaded.character.inventory if str(entry.item_id) == str(item_id)), None)


def _entry(loaded: LoadedSheet, item_id) -> InventoryEntry:
    entry = _find(loaded, item_id)
    if entry is None:
        raise NotFound(f"{loaded.character.name} doesn't carry that item.")
    return entry


def _equipped_count(loaded: LoadedSheet, item_id) -> int:
    return Counter(row.item_id for row in loaded.character.equipment)[item_id]


def _check_load(loaded: LoadedSheet, added_weight: float) -> None:
    sheet = loaded.sheet
    RuleViolation.raise_if_any(
        rules.check_load(loaded.character.name, sheet.capacity.value, sheet.load.value, added_weight)
    )


def _check_taking_off(loaded: LoadedSheet, entry: InventoryEntry, left: int, slots: int) -> None:
    """Raise RuleViolation (item_id) when keeping `left` of the entry and taking its item out of `slots` of the
    slots it fills lowers the capacity and leaves more than twice the new capacity to carry, as unequipping would.
    """
    if not slots:
        return
    data = loaded.data
    inventory = [(item, left if item.id == entry.item_id else quantity) for item, quantity in data.inventory]
    equipment = dict(data.equipment)
    for slot in [slot for slot, item in data.equipment.items() if item.id == entry.item_id][-slots:]:
        del equipment[slot]
    after = dataclasses.replace(data, inventory=[(item, quantity) for item, quantity in inventory if quantity])
    violations = rules.check_equipment_load(after, equipment)
    RuleViolation.raise_if_any([Violation("item_id", violation.message) for violation in violations])


def add_item(actor, character_id, item_id, quantity: int = 1) -> InventoryEntry:
    """Put items into the pack (onto the stack when it is there already); commits once.

    Raises NotFound / Forbidden for the character, InvalidInput (item_id: no item the actor can see; quantity
    out of 1–9999) or RuleViolation (item_id: above the campaign's highest rarity; quantity: too heavy).
    """
    quantity = _quantity(quantity)
    loaded = load_locked(actor, character_id)
    item = resolve(actor, Item, item_id, "item_id")
    entry = put_in_pack(loaded, item, quantity)
    db.session.commit()
    return entry


def put_in_pack(loaded: LoadedSheet, item: Item, quantity: int) -> InventoryEntry:
    """Stack items into the pack without committing (add_item, a GM's grant): the caller commits.

    Raises RuleViolation (item_id: above the highest rarity of the character's campaign; quantity: the load
    would pass twice the capacity) or InvalidInput (quantity: the stack would pass 9999).
    """
    campaign = loaded.campaign
    highest = str(campaign.max_rarity) if loaded.in_campaign and campaign.max_rarity else None
    if not rules.rarity_allowed(str(item.rarity), highest):
        message = f"{item.name} is {item.rarity}; the campaign {campaign.name} allows up to {campaign.max_rarity}"
        raise RuleViolation("item_id", message)
    _check_load(loaded, item.weight * quantity)
    entry = _find(loaded, item.id)
    if (entry.quantity if entry is not None else 0) + quantity > MAX_QUANTITY:
        raise InvalidInput([Violation("quantity", f"A stack holds at most {MAX_QUANTITY}.")])
    if entry is None:
        entry = InventoryEntry(item_id=item.id, quantity=0, item=item)
        loaded.character.inventory.append(entry)
    entry.quantity += quantity
    return entry


def set_quantity(
    actor, character_id, item_id, quantity: int, *, expect: Callable[[LoadedSheet], None] | None = None
) -> InventoryEntry:
    """Change how many of a carried item there are; commits once.

    `expect(loaded)` runs on the locked sheet before any change (the API's If-Match). Raises NotFound (not
    carried), InvalidInput (quantity not 1–9999; more of an item the actor can no longer see) or RuleViolation
    (quantity: fewer than the slots it fills, or too heavy).
    """
    quantity = _quantity(quantity)
    loaded = load_locked(actor, character_id)
    if expect is not None:
        expect(loaded)
    entry = _entry(loaded, item_id)
    added = quantity - entry.quantity
    if added > 0:
        resolve(actor, Item, entry.item_id, "item_id")
        _check_load(loaded, entry.item.weight * added)
    equipped = _equipped_count(loaded, entry.item_id)
    if quantity < equipped:
        message = f"{entry.item.name} is equipped in {equipped} slots; unequip it first or keep {equipped}."
        raise RuleViolation("quantity", message)
    entry.quantity = quantity
    db.session.commit()
    return entry


def drop_item(actor, character_id, item_id) -> None:
    """Remove a carried item entirely, taking it out of every slot it fills; commits once.

    Raises NotFound (not carried) or RuleViolation (item_id: taking it off lowers the capacity so far that what
    is left weighs more than twice the capacity, as unequipping it would).
    """
    loaded = load_locked(actor, character_id)
    entry = _entry(loaded, item_id)
    character = loaded.character
    worn = [row for row in character.equipment if row.item_id == entry.item_id]
    _check_taking_off(loaded, entry, left=0, slots=len(worn))
    for row in worn:
        character.equipment.remove(row)
    character.inventory.remove(entry)
    db.session.commit()


def use_item(actor, character_id, item_id) -> InventoryEntry | None:
    """Use up one of a consumable: the quantity drops by one, the line goes at zero; commits once.

    A slot it filled is emptied when no copy is left for it. Returns the entry, or None once it is gone.
    Raises NotFound (not carried) or RuleViolation (item_id: not a consumable).
    """
    loaded = load_locked(actor, character_id)
    entry = _entry(loaded, item_id)
    if not entry.item.is_consumable:
        raise RuleViolation("item_id", f"{entry.item.name} isn't something that gets used up.")
    character = loaded.character
    filled = [row for row in character.equipment if row.item_id == entry.item_id]
    _check_taking_off(loaded, entry, left=entry.quantity - 1, slots=len(filled[entry.quantity - 1 :]))
    entry.quantity -= 1
    for row in filled[entry.quantity :]:
        character.equipment.remove(row)
    if entry.quantity == 0:
        character.inventory.remove(entry)
        entry = None
    db.session.commit()
    return entry
