"""Equipping and unequipping: plan a change with the rules, preview it before → after, or save it."""

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from webapp import reference, rules
from webapp.extensions import db
from webapp.models import EquippedItem, Item
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import RuleViolation, Violation
from webapp.services.ids import uuid_or_none
from webapp.services.sheets import LoadedSheet, item_data, load_locked, load_sheet


@dataclass(frozen=True)
class EquipPreview:
    """What a change of equipment does; when refused, `after` equals `before` and `violations` say why."""

    loaded: LoadedSheet
    changes: dict[str, Item | None]  # the slots asked for, by slot
    allowed: bool
    violations: list[Violation]
    displaced: list[Item]  # items that leave a slot unasked: swapped out, or the off hand cleared
    before: rules.Sheet
    after: rules.Sheet
    new_equipment: dict[str, Item]

    @property
    def already_worn(self) -> bool:
        """Every item asked for already fills the slot asked for it: equipping would change nothing."""
        worn = {row.slot: row.item.id for row in self.loaded.equipment}
        return all(item is not None and worn.get(slot) == item.id for slot, item in self.changes.items())


def equipment_of(loaded: LoadedSheet) -> dict[str, Item | None]:
    """Every slot in body order with the item in it, or None."""
    worn = {row.slot: row.item for row in loaded.equipment}
    return {slot: worn.get(slot) for slot in rules.EQUIP_SLOTS}


def get_equipment(actor: Actor, character_id) -> LoadedSheet:
    """The character's sheet for reading its equipment; raises NotFound when the actor may not see it."""
    return load_sheet(actor, character_id, Action.VIEW)


def preview_equipment(actor: Actor, character_id, changes: Mapping[str, object]) -> EquipPreview:
    """Plan putting items (by id) into slots, None emptying one, without saving anything.

    Raises NotFound (may not see the character) or Forbidden (may not change it); everything the rules refuse
    comes back as violations by slot.
    """
    return _plan(actor, load_sheet(actor, character_id, Action.EDIT), changes)


def change_equipment(
    actor, character_id, changes: Mapping[str, object], *, expect: Callable[[LoadedSheet], None] | None = None
) -> EquipPreview:
    """Plan and save a change of equipment; commits once. Items swapped out stay in the inventory.

    `expect(loaded)` runs on the locked sheet before any change (the API's If-Match). Raises NotFound,
    Forbidden, or RuleViolation with every refusal by slot (required level, slot, not in the inventory,
    quantity short of the slots it fills, two hands, an item the actor cannot see, a rarity above the
    campaign's, a lower capacity that leaves the load past twice the capacity).
    """
    loaded = load_locked(actor, character_id)
    if expect is not None:
        expect(loaded)
    preview = _plan(actor, loaded, changes)
    RuleViolation.raise_if_any(preview.violations)
    character = preview.loaded.character
    query = sa.select(EquippedItem).where(EquippedItem.character_id == character.id)
    rows = {str(row.slot): row for row in db.session.scalars(query)}
    for slot in rules.EQUIP_SLOTS:
        item, row = preview.new_equipment.get(slot), rows.get(slot)
        if item is None and row is not None:
            db.session.delete(row)
        elif item is not None and row is None:
            db.session.add(EquippedItem(character_id=character.id, slot=slot, item_id=item.id))
        elif item is not None and row.item_id != item.id:
            row.item_id = item.id
    db.session.commit()
    return preview


def _plan(actor: Actor, loaded: LoadedSheet, changes: Mapping[str, object]) -> EquipPreview:
    wanted = {slot: uuid_or_none(value) for slot, value in changes.items() if value not in (None, "")}
    items = reference.current().entries["items"]
    visible = {
        item_id: items[item_id]
        for item_id in wanted.values()
        if item_id in items and access.can(actor, Action.VIEW, items[item_id])
    }
    # An item the actor cannot see is refused exactly like one that does not exist.
    violations = [
        Violation(slot, "There is no such item.")
        for slot, item_id in wanted.items()
        if item_id not in visible and slot in rules.SLOT_ACCEPTS
    ]
    refused = {violation.field for violation in violations}
    asked = {slot: visible.get(wanted.get(slot)) for slot in changes if slot not in refused}
    data = loaded.data
    quantities = {entry.item_id: entry.quantity for entry in loaded.inventory}
    rule_items = {slot: None if item is None else _rule_item(item, data) for slot, item in asked.items()}
    campaign = loaded.campaign
    max_rarity = str(campaign.max_rarity) if loaded.in_campaign and campaign.max_rarity else None
    plan = rules.plan_equipment(data, rule_items, quantities, max_rarity=max_rarity)
    violations += plan.violations
    if plan.allowed:
        violations += rules.check_equipment_load(data, plan.new_equipment)
    known = {entry.item.id: entry.item for entry in loaded.inventory}
    known.update({row.item.id: row.item for row in loaded.equipment})
    known.update(visible)
    allowed = not violations
    new_equipment = {slot: known[item.id] for slot, item in plan.new_equipment.items()} if allowed else {}
    after = rules.compute_sheet(dataclasses.replace(data, equipment=plan.new_equipment)) if allowed else loaded.sheet
    return EquipPreview(
        loaded=loaded,
        changes=asked,
        allowed=allowed,
        violations=violations,
        displaced=[known[item.id] for item in plan.displaced] if allowed else [],
        before=loaded.sheet,
        after=after,
        new_equipment=new_equipment,
    )


def _rule_item(item, data: rules.CharacterData) -> rules.ItemData:
    """The item as the rules already know it from the character, so bonuses are read once."""
    for known, _quantity in data.inventory:
        if known.id == item.id:
            return known
    return item_data(item)
