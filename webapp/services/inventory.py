"""A character's pack: add, change quantity, drop and use items, with the load limit and visibility enforced."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from webapp import invalidation, rules
from webapp.extensions import db
from webapp.invalidation import stale
from webapp.models import EquippedItem, EventKind, InventoryEntry, Item, Seen
from webapp.rules import pools
from webapp.services import access, campaign_events, table
from webapp.services.access import HIDDEN_LABEL, Action, Actor
from webapp.services.commits import commit_keeping_objects
from webapp.services.errors import InvalidInput, NotFound, RuleViolation, Violation
from webapp.services.inputs import Input, entry_id, whole
from webapp.services.sheets import Carried, LoadedSheet, load_locked

MAX_QUANTITY = 9999
Quantity = whole(1, MAX_QUANTITY, f"Choose a quantity from 1 to {MAX_QUANTITY}.")


class InventoryAdd(Input):
    """Items to put into a character's pack."""

    item_id: entry_id("item")
    quantity: Quantity = Field(1, description=f"How many, 1–{MAX_QUANTITY}; a stack holds at most {MAX_QUANTITY}.")


class InventoryPatch(Input):
    """How many of a carried item there are now."""

    quantity: Quantity = Field(description=f"1–{MAX_QUANTITY}; to drop an item, DELETE it.")


@dataclass(frozen=True)
class Stack:
    """One inventory line as the pages show it: the item, how many, and the slots it fills."""

    item: Any  # a reference entry
    quantity: int
    slots: tuple[str, ...]
    visible: bool

    @property
    def unequipped(self) -> int:
        return self.quantity - len(self.slots)

    @property
    def may_equip_more(self) -> bool:
        """Whether one more of it may go into a slot it fits and does not fill yet (what is worn wherever it can
        be, or has none to spare, is taken off instead)."""
        return self.unequipped > 0 and any(fit not in self.slots for fit in rules.slots_for(str(self.item.slot)))


def stacks(actor: Actor, loaded: LoadedSheet) -> list[Stack]:
    """The inventory by item name, each line with the slots its item fills."""
    slots: dict = {}
    for row in loaded.equipment:
        slots.setdefault(row.item_id, []).append(row.slot)
    order = {slot: index for index, slot in enumerate(rules.EQUIP_SLOTS)}
    lines = [
        Stack(
            entry.item,
            entry.quantity,
            tuple(sorted(slots.get(entry.item_id, []), key=order.__getitem__)),
            access.can(actor, Action.VIEW, entry.item),
        )
        for entry in loaded.inventory
    ]
    # By the name the actor sees: a hidden item's place in the list would tell its initial.
    return sorted(
        lines, key=lambda line: ((line.item.name if line.visible else HIDDEN_LABEL).casefold(), str(line.item.id))
    )


def _entry(loaded: LoadedSheet, item_id) -> Carried:
    entry = loaded.carried(item_id)
    if entry is None:
        raise NotFound(f"{loaded.character.name} doesn't carry that item.")
    return entry


def _worn_count(loaded: LoadedSheet, item_id) -> int:
    return sum(1 for row in loaded.equipment if row.item_id == item_id)


def _stack_row(loaded: LoadedSheet, item_id) -> InventoryEntry:
    """The stack's own row, to change or delete it (the sheet holds only what it shows)."""
    return db.session.get(InventoryEntry, (loaded.character.id, item_id))


def _set_stack(loaded: LoadedSheet, item_id, quantity: int) -> None:
    """One statement changes the stack (the flush does not see it: named stale here). No stack row is in the
    session (the sheet holds reference entries), so nothing there needs the new value."""
    character_id = loaded.character.id
    db.session.execute(_SET_STACK, {"character": character_id, "item": item_id, "new_quantity": quantity})
    stale(db.session, invalidation.pack(character_id))


# Built once: a statement built per request costs more than the query it runs.
_STACKS = InventoryEntry.__table__
_SET_STACK = (
    sa.update(_STACKS)
    .where(
        _STACKS.c.character_id == sa.bindparam("character", type_=sa.Uuid),
        _STACKS.c.item_id == sa.bindparam("item", type_=sa.Uuid),
    )
    .values(quantity=sa.bindparam("new_quantity", type_=sa.Integer))
)


def _worn_rows(loaded: LoadedSheet, item_id) -> list[EquippedItem]:
    """The rows of the slots this item fills, in body order."""
    query = sa.select(EquippedItem).where(
        EquippedItem.character_id == loaded.character.id, EquippedItem.item_id == item_id
    )
    order = {slot: index for index, slot in enumerate(rules.EQUIP_SLOTS)}
    return sorted(db.session.scalars(query), key=lambda row: order[str(row.slot)])


def _check_load(loaded: LoadedSheet, added_weight: float) -> None:
    sheet = loaded.sheet
    RuleViolation.raise_if_any(
        rules.check_load(loaded.character.name, sheet.capacity.value, sheet.load.value, added_weight)
    )


def _check_taking_off(loaded: LoadedSheet, entry: Carried, left: int, slots: int) -> None:
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


def add_item(actor: Actor, character_id, addition: InventoryAdd) -> int:
    """Put items into the pack (onto the stack when it is there already); commits once. Returns the stack's size.

    Raises NotFound / Forbidden for the character, InvalidInput (item_id: no item the actor can see; quantity: the
    stack would pass 9999) or RuleViolation (item_id: above the campaign's highest rarity; quantity: too heavy).
    """
    loaded = load_locked(actor, character_id)
    item = access.load_chosen(actor, Item, addition.item_id, "item_id")
    stacked = put_in_pack(loaded, item, addition.quantity)
    db.session.commit()
    return stacked


def put_in_pack(loaded: LoadedSheet, item: Item, quantity: int) -> int:
    """Stack items into the pack without committing (add_item, a GM's grant): the caller commits. Returns the
    stack's new size.

    Raises RuleViolation (item_id: above the highest rarity of the character's campaign; quantity: the load
    would pass twice the capacity) or InvalidInput (quantity: the stack would pass 9999).
    """
    _check_rarity(loaded, item)
    _check_load(loaded, item.weight * quantity)
    carried = loaded.carried(item.id)
    if (carried.quantity if carried is not None else 0) + quantity > MAX_QUANTITY:
        raise InvalidInput([Violation("quantity", f"A stack holds at most {MAX_QUANTITY}.")])
    if carried is None:
        db.session.add(InventoryEntry(character_id=loaded.character.id, item_id=item.id, quantity=quantity))
        return quantity
    row = _stack_row(loaded, item.id)
    row.quantity += quantity
    return row.quantity


def _check_rarity(loaded: LoadedSheet, item) -> None:
    """Raises RuleViolation (item_id) for an item above the highest rarity of the character's campaign."""
    campaign = loaded.campaign
    highest = str(campaign.max_rarity) if loaded.in_campaign and campaign.max_rarity else None
    if not rules.rarity_allowed(str(item.rarity), highest):
        message = f"{item.name} is {item.rarity}; the campaign {campaign.name} allows up to {campaign.max_rarity}"
        raise RuleViolation("item_id", message)


def set_quantity(
    actor, character_id, item_id, change: InventoryPatch, *, expect: Callable[[LoadedSheet], None] | None = None
) -> LoadedSheet:
    """Change how many of a carried item there are; commits once. Returns the sheet as the change leaves it.

    `expect(loaded)` runs on the locked sheet before any change (the API's If-Match). Raises NotFound (not
    carried), InvalidInput (more of an item the actor can no longer see) or RuleViolation (quantity: fewer than
    the slots it fills, or too heavy).
    """
    quantity = change.quantity
    loaded = load_locked(actor, character_id)
    if expect is not None:
        expect(loaded)
    entry = _entry(loaded, item_id)
    added = quantity - entry.quantity
    if added > 0:
        if not access.can(actor, Action.VIEW, entry.item):
            raise InvalidInput([Violation("item_id", "There is no such item")], "There is no such item.")
        _check_rarity(loaded, entry.item)  # more of it is as much an addition as a new stack
        _check_load(loaded, entry.item.weight * added)
    equipped = _worn_count(loaded, entry.item_id)
    if quantity < equipped:
        message = f"{entry.item.name} is equipped in {equipped} slots; unequip it first or keep {equipped}."
        raise RuleViolation("quantity", message)
    _set_stack(loaded, entry.item_id, quantity)
    commit_keeping_objects()
    return loaded.with_stack(entry.item_id, quantity)


def drop_item(actor: Actor, character_id, item_id, *, expect: Callable[[LoadedSheet], None] | None = None) -> None:
    """Remove a carried item entirely, taking it out of every slot it fills; commits once.

    `expect(loaded)` runs on the locked sheet first (the API's If-Match). Raises NotFound (not carried) or
    RuleViolation (item_id: taking it off lowers the capacity so far that what is left weighs more than twice the
    capacity, as unequipping it would).
    """
    loaded = load_locked(actor, character_id)
    if expect is not None:
        expect(loaded)
    entry = _entry(loaded, item_id)
    _check_taking_off(loaded, entry, left=0, slots=_worn_count(loaded, entry.item_id))
    for row in _worn_rows(loaded, entry.item_id):
        db.session.delete(row)
    db.session.delete(_stack_row(loaded, entry.item_id))
    db.session.commit()


def use_item(actor: Actor, character_id, item_id, *, expect: Callable[[LoadedSheet], None] | None = None) -> int:
    """Use up one of a consumable: its positive health, mana and stamina bonuses heal and restore, then the quantity
    drops by one and the line goes at zero; in a campaign, its log says so. Commits once.

    A slot it filled is emptied when no copy is left for it. `expect(loaded)` runs on the locked sheet first (the
    API's If-Match). Returns how many are left (0: the line is gone). Raises NotFound (not carried) or
    RuleViolation (item_id: not a consumable, or one that would restore nothing: "Mira is already at full health.").
    """
    loaded = load_locked(actor, character_id)
    if expect is not None:
        expect(loaded)
    entry = _entry(loaded, item_id)
    item, character = entry.item, loaded.character
    if not item.is_consumable:
        raise RuleViolation("item_id", f"{item.name} isn't something that gets used up.")
    maxima, before = pools.Maxima.of(loaded.sheet), table.missing_of(character)
    after = _restored(loaded, item, maxima, before)
    left = entry.quantity - 1
    worn = _worn_rows(loaded, entry.item_id)
    _check_taking_off(loaded, entry, left=left, slots=len(worn[left:]))
    for row in worn[left:]:
        db.session.delete(row)
    row = _stack_row(loaded, entry.item_id)
    if left == 0:
        db.session.delete(row)
    else:
        row.quantity = left
    character.health_lost, character.mana_spent, character.stamina_spent = after.health, after.mana, after.stamina
    if loaded.in_campaign:
        body = f"{character.name} used {rules.wording.with_article(item.name)}{_regained(maxima, before, after)}."
        data = {"item_id": str(item.id), "item": item.name, "left": left}
        user = access.user_of(actor)
        campaign_events.record(loaded.campaign, EventKind.ITEM_USED, user, body, character, data, Seen.PUBLIC)
    db.session.commit()
    return left


def _restored(loaded: LoadedSheet, item, maxima: pools.Maxima, missing: pools.Missing) -> pools.Missing:
    """What is missing once the item's positive pool bonuses heal and restore; unchanged for an item without any.
    Raises RuleViolation (item_id) when they would change nothing."""
    amounts = [max(0, getattr(item, f"bonus_{pool}")) for pool in pools.POOLS]
    if not any(amounts):
        return missing
    try:
        return pools.use_consumable(loaded.character.name, item.name, *amounts, maxima, missing)
    except RuleViolation as refusal:
        raise RuleViolation("item_id", refusal.violations[0].message) from None


def _regained(maxima: pools.Maxima, before: pools.Missing, after: pools.Missing) -> str:
    """What the log adds after the item's name: ", regaining 5 health and 3 mana", or nothing."""
    was, now = pools.pools(maxima, before), pools.pools(maxima, after)
    gained = [f"{now[pool].current - was[pool].current} {pool}" for pool in pools.POOLS if now[pool] != was[pool]]
    return f", regaining {rules.wording.join_and(gained)}" if gained else ""
