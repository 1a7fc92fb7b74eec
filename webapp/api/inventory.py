"""A character's inventory and equipment over JSON, with a dry run that previews an equipment change."""

import uuid

from flask import request
from pydantic import Field, create_model

from webapp import rules
from webapp.api.entries import entry_model, entry_out
from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.sheet_shapes import BareSheetOut
from webapp.api.spec import Schema, endpoint
from webapp.api.wire import Out, ViolationOut, list_of
from webapp.list_queries import Query
from webapp.models.compendium_kinds import KINDS
from webapp.services import access, equipment, inventory
from webapp.services.access import HIDDEN_LABEL, Action
from webapp.services.errors import NotFound
from webapp.services.inputs import Id
from webapp.services.inventory import InventoryAdd, InventoryPatch
from webapp.services.sheets import LoadedSheet, load_sheet

TAG = "inventory"
ITEMS = KINDS["items"]
CHARACTER = "/characters/<uuid:character_id>"


EquipmentChange = create_model(
    "EquipmentChange",
    __base__=Schema,
    **{
        slot: (Id | None, Field(None, description=f"{rules.SLOT_LABELS[slot]}: an item id, or null to empty"))
        for slot in rules.EQUIP_SLOTS
    },
)


class EquipmentQuery(Query):
    dry_run: bool = Field(False, description="Answer with the preview and save nothing.")


ItemOut = entry_model(ITEMS)


class PackLineOut(Out):
    """One stack of a character's inventory."""

    item: ItemOut  # type: ignore[valid-type]
    quantity: int = Field(description=f"1–{inventory.MAX_QUANTITY}")


EquipmentOut = create_model(
    "EquipmentOut",
    __base__=Out,
    **{
        slot: (ItemOut | None, Field(..., description=f"{rules.SLOT_LABELS[slot]}: the item worn there, or null"))
        for slot in rules.EQUIP_SLOTS
    },
)


class EquipmentPreviewOut(Out):
    """What an equipment change would do (dry_run): nothing is saved."""

    allowed: bool
    violations: list[ViolationOut] = Field(description="Why it is refused, one entry per reason.")
    displaced: list[uuid.UUID] = Field(description="Items the change would take off.")
    before: BareSheetOut
    after: BareSheetOut


def items_as_dicts(actor, items: list) -> dict:
    """Reference entries of items in the compendium's shape, by id; an item the actor may not see keeps only its
    id and numbers: no name, maker, picture, tags or what it grants."""
    shown = {}
    for item in items:
        visible = access.can(actor, Action.VIEW, item)
        relation_ids = {
            relation.field: list(getattr(item, relation.field)) if visible else [] for relation in ITEMS.relations
        }
        data = entry_out(ITEMS, item, relation_ids)
        if not visible:
            data.update(name=HIDDEN_LABEL, description=HIDDEN_LABEL, owner_id=None, image_id=None)
        shown[item.id] = data
    return shown


def _inventory(actor, loaded: LoadedSheet) -> dict:
    entries = loaded.inventory
    items = items_as_dicts(actor, [entry.item for entry in entries])
    ordered = sorted(entries, key=lambda entry: (items[entry.item_id]["name"].casefold(), str(entry.item_id)))
    return {"data": [{"item": items[entry.item_id], "quantity": entry.quantity} for entry in ordered]}


def _entry(actor, loaded: LoadedSheet, item_id) -> dict:
    entry = loaded.carried(item_id)
    if entry is None:
        raise NotFound(f"{loaded.character.name} doesn't carry that item.")
    return {"item": items_as_dicts(actor, [entry.item])[entry.item_id], "quantity": entry.quantity}


def _equipment(actor, loaded: LoadedSheet) -> dict:
    worn = equipment.equipment_of(loaded)
    items = items_as_dicts(actor, [item for item in worn.values() if item is not None])
    return {slot: None if item is None else items[item.id] for slot, item in worn.items()}


def _public(caller) -> bool:
    return caller.user is None


@endpoint("GET", f"{CHARACTER}/inventory", "A character's inventory", TAG, response=list_of(PackLineOut))
def inventory_list(caller, character_id):
    return json_response(_inventory(caller.user, load_sheet(caller.user, character_id)), public=_public(caller))


@endpoint(
    "GET", f"{CHARACTER}/inventory/<uuid:item_id>", "One item of a character's inventory", TAG, response=PackLineOut
)
def inventory_get(caller, character_id, item_id):
    loaded = load_sheet(caller.user, character_id)
    return json_response(_entry(caller.user, loaded, item_id), public=_public(caller))


@endpoint(
    "POST",
    f"{CHARACTER}/inventory",
    "Add an item",
    TAG,
    body=InventoryAdd,
    response=PackLineOut,
    status=201,
    auth="write",
    links={"item_id": "$response.body#/item/id"},
)
def inventory_add(caller, character_id, body: InventoryAdd):
    inventory.add_item(caller.user, character_id, body)
    loaded = load_sheet(caller.user, character_id)
    return json_response(_entry(caller.user, loaded, body.item_id), status=201)


@endpoint(
    "PATCH",
    f"{CHARACTER}/inventory/<uuid:item_id>",
    "Change a quantity",
    TAG,
    body=InventoryPatch,
    response=PackLineOut,
    auth="write",
    if_match=True,
)
def inventory_update(caller, character_id, item_id, body: InventoryPatch):
    changed = inventory.set_quantity(caller.user, character_id, item_id, body, expect=_line_as_read(caller, item_id))
    return json_response(_entry(caller.user, changed, item_id))


def _line_as_read(caller, item_id):
    """The If-Match check of a change to one line of the pack: the line as it is now must be the one read."""

    def fresh(loaded):
        if request.headers.get("If-Match"):
            require_fresh(_entry(caller.user, loaded, item_id), PackLineOut)

    return fresh


@endpoint(
    "DELETE", f"{CHARACTER}/inventory/<uuid:item_id>", "Drop an item", TAG, status=204, auth="write", if_match=True
)
def inventory_drop(caller, character_id, item_id):
    inventory.drop_item(caller.user, character_id, item_id, expect=_line_as_read(caller, item_id))
    return no_content()


@endpoint(
    "POST",
    f"{CHARACTER}/inventory/<uuid:item_id>/use",
    "Use up one consumable",
    TAG,
    answers={200: PackLineOut, 204: None},
    auth="write",
    if_match=True,
)
def inventory_use(caller, character_id, item_id):
    """Answers the remaining line, or 204 when the last one was used."""
    if inventory.use_item(caller.user, character_id, item_id, expect=_line_as_read(caller, item_id)) == 0:
        return no_content()
    loaded = load_sheet(caller.user, character_id)
    return json_response(_entry(caller.user, loaded, item_id))


@endpoint("GET", f"{CHARACTER}/equipment", "A character's equipment", TAG, response=EquipmentOut)
def equipment_get(caller, character_id):
    loaded = equipment.get_equipment(caller.user, character_id)
    return json_response(_equipment(caller.user, loaded), public=_public(caller))


def _preview(preview: equipment.EquipPreview) -> dict:
    """What a change of equipment would do: {allowed, violations, displaced, before, after}."""
    return {
        "allowed": preview.allowed,
        "violations": [{"field": v.field, "message": v.message} for v in preview.violations],
        "displaced": [str(item.id) for item in preview.displaced],
        "before": preview.before.to_dict(),
        "after": preview.after.to_dict(),
    }


@endpoint(
    "PUT",
    f"{CHARACTER}/equipment",
    "Change equipment (dry_run previews)",
    TAG,
    body=EquipmentChange,
    query=EquipmentQuery,
    response=EquipmentOut | EquipmentPreviewOut,
    auth="write",
    if_match=True,
)
def equipment_put(caller, character_id, body, query):
    """Only the slots named change; with dry_run the answer is {allowed, violations, displaced, before, after}."""
    changes = {slot: getattr(body, slot) for slot in body.model_fields_set}
    if query.dry_run:
        preview = equipment.preview_equipment(caller.user, character_id, changes)
        return json_response(_preview(preview), headers={"Cache-Control": "no-store"})

    def fresh(loaded):
        if request.headers.get("If-Match"):
            require_fresh(_equipment(caller.user, loaded), EquipmentOut)

    equipment.change_equipment(caller.user, character_id, changes, expect=fresh)
    return json_response(_equipment(caller.user, equipment.get_equipment(caller.user, character_id)))
