"""The inventory page: search and add items, quantities, drop, use, and equip through a before → after preview."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, flash, redirect, request, url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp import character_views, rules
from webapp.models.compendium_kinds import KINDS
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.render import is_fragment_request, render, render_blocks, toast
from webapp.pages.row_urls import per_row
from webapp.pages.sheet_view import STAT_CARDS, character_portrait, paper_doll
from webapp.pages.trimmed_form import TrimmedForm
from webapp.rules.wording import format_kg, needs_level
from webapp.services import access, compendium, equipment, inventory
from webapp.services.access import Action
from webapp.services.errors import InvalidInput, NotFound, RuleViolation, Violation
from webapp.services.sheets import LoadedSheet, load_sheet

PAGE = "inventory/show.html"
PREVIEW = "inventory/preview.html"
SEARCH_RESULTS = 12


class QuantityForm(TrimmedForm):
    quantity = IntegerField(
        "Quantity", [InputRequired("Enter a number."), NumberRange(1, inventory.MAX_QUANTITY)], default=1
    )

    def _posted(self) -> dict:
        """The posted values; InvalidInput (field quantity) when the quantity is missing or out of range."""
        if not self.validate():
            raise InvalidInput([Violation("quantity", " ".join(self.quantity.errors))])
        return {"quantity": self.quantity.data}

    def change(self) -> inventory.InventoryPatch:
        return inventory.InventoryPatch.read(self._posted())


class AddForm(QuantityForm):
    item_id = HiddenField()

    def addition(self) -> inventory.InventoryAdd:
        return inventory.InventoryAdd.read({**self._posted(), "item_id": self.item_id.data})


class EquipForm(TrimmedForm):
    item_id = HiddenField(validators=[Optional()])
    slot = SelectField("Slot", choices=[SelectChoice(slot, rules.SLOT_LABELS[slot]) for slot in rules.EQUIP_SLOTS])


def _url(character_id) -> str:
    return url_for("pages.inventory_show", character_id=character_id)


def _load(character_id, action: Action = Action.VIEW) -> LoadedSheet:
    loaded = load_sheet(me(), character_id, action)
    return loaded


def _meter(sheet: rules.Sheet) -> dict:
    """The encumbrance bar: green up to the capacity, amber when encumbered, red in the last tenth to the limit."""
    limit = sheet.load_limit.value
    return {"value": min(sheet.load.value, limit), "max": limit, "low": sheet.capacity.value, "high": limit * 0.9}


def _context(loaded: LoadedSheet, search: str | None = None) -> dict:
    actor, character, sheet = me(), loaded.character, loaded.sheet
    may_edit = access.can(actor, Action.EDIT, character)
    return {
        "character": character,
        "loaded": loaded,
        "sheet": sheet,
        "pack": _pack(actor, loaded),
        "doll": paper_doll(actor, loaded),
        "meter": _meter(sheet),
        "stat_cards": [(label, getattr(sheet, key)) for key, label in STAT_CARDS],
        "may_edit": may_edit,
        "search": search,
        "results": _search(loaded, search) if may_edit and search else [],
        "portrait": character_portrait(actor, loaded, 64),
        "sheet_url": url_for("pages.character_show", character_id=character.id),
        "format_kg": format_kg,
        "shown_name": access.namer(actor),
        "csrf": generate_csrf(),  # for the forms of the pack and the doll: once, not a csrf_token() call each
    }


@dataclass(frozen=True)
class PackLine:
    """A line of the pack as its row shows it, worked out here once rather than in the template's expressions."""

    id: str
    name: str  # "[hidden]" when the actor may not see the item
    rarity: str  # "rare": the class of its name and badge
    rarity_label: str  # "Rare"
    slot: str  # "One hand", or "—" for what is only carried
    weight: str  # the whole stack's, "2.5 kg"
    quantity: int
    lowest: int  # the least the stepper offers: one for each slot the item fills, and never 0
    equipped: str  # the slots it fills, "main hand, off hand", or ""
    equippable: bool  # it fits a slot and the actor may see it
    consumable: bool
    quantity_url: str
    equip_url: str
    use_url: str
    drop_url: str


def _pack(actor, loaded: LoadedSheet, only: str | None = None) -> list[PackLine]:
    """The pack's lines, in the order inventory.stacks gives them; `only` the line of that item id."""
    character_id = loaded.character.id
    quantity_url = per_row("pages.inventory_quantity", "item_id", character_id=character_id)
    equip_url = per_row("pages.equipment_preview", "item_id", character_id=character_id)
    use_url = per_row("pages.inventory_use", "item_id", character_id=character_id)
    drop_url = per_row("pages.inventory_drop", "item_id", character_id=character_id)
    lines = []
    for stack in inventory.stacks(actor, loaded):
        item, ident = stack.item, str(stack.item.id)
        if only is not None and ident != only:
            continue
        slot = str(item.slot)
        lines.append(
            PackLine(
                id=ident,
                name=item.name if stack.visible else access.HIDDEN_LABEL,
                rarity=str(item.rarity).lower(),
                rarity_label=str(item.rarity).capitalize(),
                slot=slot.replace("_", " ").capitalize() if slot != "NONE" else "—",
                weight=format_kg(item.weight * stack.quantity),
                quantity=stack.quantity,
                lowest=max(1, len(stack.slots)),
                equipped=", ".join(rules.SLOT_LABELS[worn].lower() for worn in stack.slots),
                equippable=stack.visible and stack.may_equip_more,
                consumable=item.is_consumable,
                quantity_url=quantity_url(ident),
                equip_url=equip_url(ident),
                use_url=use_url(ident),
                drop_url=drop_url(ident),
            )
        )
    return lines


def _search(loaded: LoadedSheet, search: str) -> list[dict]:
    """Items to add, each with why it can't be carried (too heavy) or worn (level) before anything is saved."""
    filters = compendium.Filters(search=search[:100])
    page = compendium.list_entries(me(), KINDS["items"], filters, limit=SEARCH_RESULTS, with_relations=False)
    sheet, data = loaded.sheet, loaded.data
    results = []
    for item in page.rows:
        heavy = rules.check_load(data.name, sheet.capacity.value, sheet.load.value, item.weight)
        needs = item.required_level > data.level and rules.slots_for(str(item.slot))
        results.append(
            {
                "item": item,
                "too_heavy": heavy[0].message if heavy else None,
                "needs_level": needs_level(item.required_level, data.name, data.level) if needs else None,
            }
        )
    return results


def _changed(
    character_id,
    message: str | Callable[[LoadedSheet], str],
    close_dialog: bool = False,
    changed: LoadedSheet | None = None,
) -> Response:
    """After a change: the inventory fragment, a toast and `stats-changed` for htmx; a 303 with a flash otherwise.

    `message` may be worked out from the sheet as the change left it: `changed` when the service answered with it,
    else reloaded (the service's objects are expired by its commit).
    """
    loaded = changed if changed is not None else _load(character_id)
    text = message(loaded) if callable(message) else message
    if not is_fragment_request():
        flash(text, "success")
        return redirect(_url(character_id), code=303)
    response = render(PAGE, "inventory", **_context(loaded))
    events = {"stats-changed": None, "equip-done": None} if close_dialog else {"stats-changed": None}
    return toast(response, text, events=events)


def _row(loaded: LoadedSheet, item_id, status: int = 200, row_errors: dict | None = None) -> Response:
    """One carried line of the pack for htmx (its quantity form targets its own row); a change also replaces the
    load card and the stats panel out of band, a refusal only the line."""
    actor, character, sheet = me(), loaded.character, loaded.sheet
    line = _pack(actor, loaded, only=str(item_id))[0]
    blocks = ["pack_row"] if row_errors else ["pack_row", "load", "stats"]
    return render_blocks(
        PAGE,
        blocks,
        status=status,
        line=line,
        row_errors=row_errors,
        character=character,
        sheet=sheet,
        meter=_meter(sheet),
        stat_cards=[(label, getattr(sheet, key)) for key, label in STAT_CARDS],
        may_edit=access.can(actor, Action.EDIT, character),
        format_kg=format_kg,
        csrf=generate_csrf(),
    )


def _added(loaded: LoadedSheet, item_id, added: int) -> str:
    """What an addition says, from the pack as it is now: dropped in another tab meanwhile, it says so."""
    if loaded.carried(item_id) is None:
        return f"Added {added}, but the line has been dropped since."
    return f"Added {added} × {_carried(loaded, item_id)[0]}."


def _carried(loaded: LoadedSheet, item_id) -> tuple[str, int]:
    """The name and quantity of a carried item, as the reloaded character has it."""
    entry = loaded.carried(item_id)
    return access.shown_name(me(), entry.item), entry.quantity


def _refused(character_id, error: RuleViolation | InvalidInput, item_id=None) -> Response:
    """Without htmx a refusal comes back to the page as a message. htmx gets a refusal about a line of the pack
    beside that line (422, the whole pack), any other as a toast."""
    if is_fragment_request():
        loaded = _load(character_id) if item_id is not None else None
        if loaded is None or loaded.carried(item_id) is None:
            raise error
        row_errors = {str(item_id): _row_error(error)}
        return render(PAGE, "inventory", status=422, row_errors=row_errors, **_context(loaded))
    for violation in error.violations:
        flash(violation.message, "error")
    return redirect(_url(character_id), code=303)


def _row_error(error: RuleViolation | InvalidInput, typed: str | None = None) -> dict:
    """What a line of the pack shows beside its quantity: each reason once, and the value typed (kept short)."""
    message = " ".join(dict.fromkeys(violation.message for violation in error.violations))
    return {"message": message, "typed": None if typed is None else typed[:12]}


@bp.get("/characters/<uuid:character_id>/inventory")
def inventory_show(character_id):
    return character_views.respond("inventory", character_id, lambda: _inventory_page(character_id))


def _inventory_page(character_id) -> Response:
    search = (request.args.get("search") or "").strip() or None
    context = _context(_load(character_id), search)
    block = "search_results" if "search" in request.args else "inventory"
    return render(PAGE, block, **context)


@bp.get("/characters/<uuid:character_id>/inventory/stats")
def inventory_stats(character_id):
    return render(PAGE, "stats", **_context(_load(character_id)))


@bp.post("/characters/<uuid:character_id>/inventory")
@login_required
def inventory_add(character_id):
    try:
        addition = AddForm().addition()
        inventory.add_item(me(), character_id, addition)
    except (RuleViolation, InvalidInput) as error:
        return _refused(character_id, error)
    added, item_id = addition.quantity, addition.item_id
    return _changed(character_id, lambda loaded: _added(loaded, item_id, added))


@bp.post("/characters/<uuid:character_id>/inventory/<uuid:item_id>/quantity")
@login_required
def inventory_quantity(character_id, item_id):
    try:
        changed = inventory.set_quantity(me(), character_id, item_id, QuantityForm().change())
    except NotFound as error:
        return _pack_now(character_id, error)
    except (RuleViolation, InvalidInput) as error:
        if is_fragment_request() and (loaded := _load(character_id)).carried(item_id) is not None:
            return _row(loaded, item_id, 422, {str(item_id): _row_error(error, request.form.get("quantity", ""))})
        return _refused(character_id, error, item_id)
    message = "{}: {} now.".format(*_carried(changed, item_id))
    if not is_fragment_request():
        return _changed(character_id, message, changed=changed)
    return toast(_row(changed, item_id), message)


@bp.post("/characters/<uuid:character_id>/inventory/<uuid:item_id>/use")
@login_required
def inventory_use(character_id, item_id):
    try:
        left = inventory.use_item(me(), character_id, item_id)
    except NotFound as error:
        return _pack_now(character_id, error)
    except RuleViolation as error:
        return _refused(character_id, error, item_id)
    return _changed(character_id, "Used one." if left else "Used the last one.")


@bp.post("/characters/<uuid:character_id>/inventory/<uuid:item_id>/drop")
@login_required
def inventory_drop(character_id, item_id):
    try:
        inventory.drop_item(me(), character_id, item_id)
    except NotFound as error:
        return _pack_now(character_id, error)
    except RuleViolation as error:
        return _refused(character_id, error, item_id)
    return _changed(character_id, "Dropped.")


def _pack_now(character_id, error: NotFound) -> Response:
    """A line gone meanwhile (dropped in another tab): htmx gets the pack as it is now, the refusal as a toast, so
    the line a person pressed does not stay on screen. NotFound itself when the character is gone too."""
    if not is_fragment_request():
        raise error
    response = render(PAGE, "inventory", **_context(_load(character_id)))
    response.headers["HX-Retarget"] = "#inventory"
    response.headers["HX-Reswap"] = "outerHTML"
    return toast(response, error.message, "error")


def _preview_slot(loaded: LoadedSheet, item, asked: str | None) -> str:
    """The slot asked for if the item fits it, else the first free slot it fits, else the first it fits."""
    fits = rules.slots_for(str(item.slot)) or list(rules.EQUIP_SLOTS)
    if asked in fits:
        return asked
    worn = {row.slot for row in loaded.equipment}
    here = [row.slot for row in loaded.equipment if row.item.id == item.id]
    return next((slot for slot in fits if slot not in worn), next((slot for slot in fits if slot not in here), fits[0]))


def _comparison(before: rules.Sheet, after: rules.Sheet) -> list[dict]:
    """Every derived number before → after, attributes first, then pools, attack, defense and carrying."""
    rows = [
        (name.capitalize(), before.attributes[name].value, after.attributes[name].value) for name in rules.ATTRIBUTES
    ]
    rows += [(label, getattr(before, key).value, getattr(after, key).value) for key, label in STAT_CARDS]
    rows += [
        ("Capacity", format_kg(before.capacity.value), format_kg(after.capacity.value)),
        ("Load limit", format_kg(before.load_limit.value), format_kg(after.load_limit.value)),
    ]
    return [{"label": label, "before": old, "after": new, "changed": old != new} for label, old, new in rows]


@bp.get("/characters/<uuid:character_id>/equipment/preview")
@login_required
def equipment_preview(character_id):
    """What equipping an item into a slot would do, before anything is saved: the body of the equip dialog."""
    actor = me()
    item = compendium.get_entry(actor, KINDS["items"], request.args.get("item_id", ""))
    loaded = _load(character_id, Action.EDIT)
    slot = _preview_slot(loaded, item, request.args.get("slot"))
    preview = equipment.preview_equipment(actor, character_id, {slot: item.id})
    fits = rules.slots_for(str(item.slot))
    form = EquipForm(formdata=None, item_id=str(item.id), slot=slot)
    form.slot.choices = [SelectChoice(fit, rules.SLOT_LABELS[fit]) for fit in fits or [slot]]
    return render(
        PREVIEW,
        "preview",
        character=preview.loaded.character,
        item=item,
        slot=slot,
        form=form,
        preview=preview,
        comparison=_comparison(preview.before, preview.after),
        load=(format_kg(preview.before.load.value), format_kg(preview.before.capacity.value)),
        after_capacity=format_kg(preview.after.capacity.value),
        encumbered=(preview.before.encumbered, preview.after.encumbered),
        inventory_url=_url(character_id),
    )


@bp.post("/characters/<uuid:character_id>/equipment")
@login_required
def equipment_update(character_id):
    """Equip the posted item into the posted slot, or empty the slot when no item is posted."""
    slot = request.form.get("slot", "")
    item_id = request.form.get("item_id") or None
    try:
        preview = equipment.change_equipment(me(), character_id, {slot: item_id})
    except RuleViolation as error:
        return _refused(character_id, error)
    label = rules.SLOT_LABELS.get(slot, slot)
    if item_id is None:
        return _changed(character_id, f"{label} emptied.")
    worn = preview.new_equipment.get(slot)
    return _changed(character_id, f"Equipped {worn.name} ({label.lower()}).", close_dialog=True)
