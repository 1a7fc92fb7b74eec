"""Export a character as a JSON document and import one, matching compendium entries by name."""

from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import selectinload

from webapp import rules, text
from webapp.extensions import db
from webapp.models import (
    ATTRIBUTE_NAMES,
    Archetype,
    Character,
    EquippedItem,
    EquipSlot,
    InventoryEntry,
    Item,
    Perk,
    Race,
    Skill,
    Visibility,
)
from webapp.services import access, locks
from webapp.services.access import Actor
from webapp.services.characters.checks import ARCHETYPE_OPTIONS, RACE_OPTIONS, name_violations, starting_violations
from webapp.services.characters.inputs import MAX_NAME, Age, CharacterName, Choosable, Description, Sex
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.inputs import trimmed
from webapp.services.inventory import MAX_QUANTITY
from webapp.services.sheets import archetype_data, item_data, load_sheet, race_data

FORMAT = "tavern.character"
VERSION = 1
MAX_ENTRIES = 500


class _Document(BaseModel):
    """JSON's types are kept, as in every other body: "5000" is not a number, `true` is not 1."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


class InventoryLine(_Document):
    item: trimmed(120, required=True)
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class CharacterDocument(_Document):
    """A character by names rather than ids, so it can move between accounts and sites."""

    format: Literal["tavern.character"] = FORMAT
    version: Literal[1] = VERSION
    name: CharacterName
    sex: Sex = ""
    age: Age | None = None
    description: Description = ""
    visibility: Choosable = "PRIVATE"
    race: trimmed(100, required=True)
    archetype: trimmed(100, required=True)
    attributes: dict[
        Literal["strength", "constitution", "dexterity", "intelligence", "wisdom", "charisma"],
        Annotated[int, Field(ge=rules.MIN_EFFECTIVE, le=rules.MAX_EFFECTIVE)],
    ]
    experience: int = Field(0, ge=0, le=rules.MAX_EXPERIENCE)
    skills: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)
    perks: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)
    inventory: list[InventoryLine] = Field(default_factory=list, max_length=MAX_ENTRIES)
    equipment: dict[str, trimmed(120, required=True)] = Field(default_factory=dict, max_length=len(rules.EQUIP_SLOTS))


@dataclass
class ImportResult:
    character: Character
    unmatched: list[Violation] = field(default_factory=list)  # what could not be matched and was left out
    notes: list[str] = field(default_factory=list)  # what was changed to fit, e.g. a renamed duplicate


def export_character(actor: Actor, character_id) -> dict[str, Any]:
    """The character as a CharacterDocument dict; nested entries the actor may not see are named "[hidden]"."""
    loaded = load_sheet(actor, character_id)
    character = loaded.character

    def name(obj) -> str:
        return access.shown_name(actor, obj)

    return {
        "format": FORMAT,
        "version": VERSION,
        "name": character.name,
        "sex": character.sex,
        "age": character.age,
        "description": character.description,
        "visibility": "PRIVATE" if character.visibility != "PUBLIC" else "PUBLIC",
        "race": name(loaded.race),
        "archetype": name(loaded.archetype),
        "attributes": {attribute: getattr(character, attribute) for attribute in ATTRIBUTE_NAMES},
        "experience": character.experience,
        "skills": [name(skill) for skill in loaded.skills],
        "perks": [name(perk) for perk in loaded.perks],
        "inventory": [
            {"item": name(entry.item), "quantity": entry.quantity}
            for entry in sorted(loaded.inventory, key=lambda entry: entry.item.name.casefold())
        ],
        "equipment": {row.slot: name(row.item) for row in sorted(loaded.equipment, key=_body_order)},
    }


def _body_order(row) -> int:
    return rules.EQUIP_SLOTS.index(row.slot)


def parse_document(payload: Any) -> CharacterDocument:
    """Validate an uploaded document; raises InvalidInput with one message per field that doesn't fit."""
    if not isinstance(payload, dict):
        raise InvalidInput([Violation("document", "The file must hold one JSON object")], "Not a character file.")
    if problems := text.violations_in(payload):  # a file's text never passed the request's own check
        raise InvalidInput(problems, problems[0].message)
    try:
        return CharacterDocument.model_validate(payload)
    except ValidationError as error:
        problems = [
            Violation(".".join(str(part) for part in item["loc"]) or "document", _message(item))
            for item in error.errors(include_url=False)
        ]
        raise InvalidInput(problems, problems[0].message) from None


def _message(item: dict) -> str:
    return "Unknown field." if item["type"] == "extra_forbidden" else item["msg"]


def import_character(actor: Actor, document: CharacterDocument) -> ImportResult:
    """Create a new character for the actor from a document; commits once.

    Race and archetype must match entries the actor can see (InvalidInput otherwise); skills, perks and items
    that match nothing are left out and listed in `unmatched`. Everything kept must obey the rules as on
    creation (point buy, archetype race, skills and perks for the level, load, equipment): RuleViolation.
    A name the actor already uses gets a number, noted in `notes`.
    """
    owner = access.require_creator(actor)
    locks.lock_owner(owner.id)  # the free name found below stays free until the commit
    result_notes: list[str] = []
    unmatched: list[Violation] = []
    problems = []
    race = _match_one(actor, Race, document.race, "race", RACE_OPTIONS)
    archetype = _match_one(actor, Archetype, document.archetype, "archetype", ARCHETYPE_OPTIONS)
    for kind, wanted, found in (("race", document.race, race), ("archetype", document.archetype, archetype)):
        if found is None:
            problems.append(Violation(kind, f"No {kind} called “{wanted}” that you can see"))
    if problems:
        raise InvalidInput(problems, problems[0].message)
    name = _free_name(owner.id, document.name, result_notes)
    skills = _in_order(document.skills, _match_many(actor, Skill, document.skills, "skills", unmatched))
    perks = _in_order(document.perks, _match_many(actor, Perk, document.perks, "perks", unmatched))
    lines = [line.item for line in document.inventory]
    items = _match_many(actor, Item, lines, "inventory", unmatched, _ITEM_OPTIONS)
    worn = list(document.equipment.values())
    equipment_items = _match_many(actor, Item, worn, "equipment", unmatched, _ITEM_OPTIONS)
    level = rules.level_for_xp(document.experience)
    scores = {attribute: document.attributes.get(attribute) for attribute in ATTRIBUTE_NAMES}
    violations = rules.check_point_buy(scores) + starting_violations(
        name, race, archetype, skills, perks, level, namer=access.namer(actor)
    )
    inventory = _inventory(document, items)
    violations += [
        Violation("inventory", f"A stack holds at most {MAX_QUANTITY}; the {item.name} lines come to {quantity}")
        for item, quantity in inventory.values()
        if quantity > MAX_QUANTITY
    ]
    character = Character(
        owner_id=owner.id,
        name=name,
        sex=document.sex,
        age=document.age,
        description=document.description,
        race_id=race.id,
        archetype_id=archetype.id,
        visibility=Visibility(document.visibility),
        experience=document.experience,
        level=level,
        skills=skills,
        perks=perks,
        **scores,
    )
    if all(score is not None for score in scores.values()):  # a sheet needs all six scores to be computed
        violations += _equipment_violations(character, race, archetype, document, equipment_items, inventory)
    RuleViolation.raise_if_any(violations)
    character.inventory = [InventoryEntry(item=item, quantity=quantity) for item, quantity in inventory.values()]
    character.equipment = [
        EquippedItem(slot=EquipSlot(slot), item=equipment_items[_key(item_name)])
        for slot, item_name in document.equipment.items()
        if _key(item_name) in equipment_items
    ]
    db.session.add(character)
    db.session.commit()
    return ImportResult(character, unmatched, result_notes)


_ITEM_OPTIONS = (selectinload(Item.bonus_skills), selectinload(Item.bonus_perks))


def _key(name: str) -> str:
    """A name as the database's lower() folds it, so that the match in SQL and the one here agree ("Straße" stays
    "straße"; case folding would make it "strasse", which no stored name's lower() is)."""
    return name.strip().lower()


def _preference(actor: Actor, model):
    """Own entries first, then system content, then others' PUBLIC ones; oldest first among equals."""
    user_id = access.user_id_of(actor)
    return (
        sa.case((model.owner_id == user_id, 0), (model.owner_id.is_(None), 1), else_=2),
        model.id,
    )


def _match_one(actor: Actor, model, name: str, kind: str, options=()):
    query = (
        sa.select(model)
        .where(sa.func.lower(model.name) == _key(name), access.visible(actor, model))
        .options(*options)
        .order_by(*_preference(actor, model))
        .limit(1)
    )
    return db.session.execute(query).scalars().first()


def _match_many(actor: Actor, model, names: list[str], field_name: str, unmatched: list[Violation], options=()) -> dict:
    """Entries by lower-cased name; each name that matches nothing becomes one `unmatched` line."""
    keys = {_key(name) for name in names}
    if not keys:
        return {}
    query = (
        sa.select(model)
        .where(sa.func.lower(model.name).in_(keys), access.visible(actor, model))
        .options(*options)
        .order_by(*_preference(actor, model))
    )
    found: dict = {}
    for obj in db.session.execute(query).scalars():
        found.setdefault(_key(obj.name), obj)
    kind = model.__name__.lower()
    for index, name in enumerate(names):
        if _key(name) not in found:
            unmatched.append(Violation(f"{field_name}[{index}]", f"No {kind} called “{name}” that you can see"))
    return found


def _in_order(names: list[str], found: dict) -> list:
    """The matched entries in the document's order, each once."""
    return list({found[_key(name)].id: found[_key(name)] for name in names if _key(name) in found}.values())


def _free_name(owner_id, wanted: str, notes: list[str]) -> str:
    name, number = wanted, 1
    while name_violations(owner_id, name):
        number += 1
        suffix = f" ({number})"
        name = wanted[: MAX_NAME - len(suffix)] + suffix
    if name != wanted:
        notes.append(f"You already have a character called {wanted}, so this one is called {name}")
    return name


def _inventory(document: CharacterDocument, items: dict) -> dict:
    """Matched inventory lines merged per item: {item id: (item, quantity)}."""
    merged: dict = {}
    for line in document.inventory:
        item = items.get(_key(line.item))
        if item is not None:
            _, quantity = merged.get(item.id, (item, 0))
            merged[item.id] = (item, quantity + line.quantity)
    return merged


def _equipment_violations(character, race, archetype, document, equipment_items, inventory) -> list[Violation]:
    """The equipment through the same planner the inventory uses, then the load against the limit."""
    unequipped = rules.CharacterData(
        name=character.name,
        base={attribute: getattr(character, attribute) for attribute in ATTRIBUTE_NAMES},
        experience=character.experience,
        race=race_data(race),
        archetype=archetype_data(archetype),
        inventory=[(item_data(item), quantity) for item, quantity in inventory.values()],
    )
    changes = {
        slot: item_data(equipment_items[_key(name)])
        for slot, name in document.equipment.items()
        if _key(name) in equipment_items
    }
    quantities = {item_id: quantity for item_id, (_, quantity) in inventory.items()}
    plan = rules.plan_equipment(unequipped, changes, quantities)
    if not plan.allowed:
        return plan.violations
    sheet = rules.compute_sheet(replace(unequipped, equipment=plan.new_equipment))
    too_heavy = rules.check_load(character.name, sheet.capacity.value, 0, sheet.load.value)
    return [Violation("inventory", violation.message) for violation in too_heavy]
