"""Writing the compendium: homebrew entries created, changed and deleted, every value checked against its kind."""

import math
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Image, Visibility
from webapp.models.compendium_kinds import BOOL, CHOICE, FLOAT, INT, KINDS, Field, Kind, Relation
from webapp.rules.wording import with_article
from webapp.services import access, locks
from webapp.services.access import Action, Actor
from webapp.services.characters import visible_by_ids
from webapp.services.commits import commit_or_raise
from webapp.services.compendium.reading import relation_options
from webapp.services.compendium.usage import describe_references, references_to
from webapp.services.errors import Conflict, InvalidInput, Taken, Violation
from webapp.services.inputs import TRIMMED, TRIMMED_WITH_LINES
from webapp.text import has_lines


def create_entry(actor: Actor, kind: Kind, values: dict):
    """Create a homebrew entry owned by the actor; commits once.

    Raises Forbidden when the actor may not create content, InvalidInput (field by field) for bad values,
    unknown fields, ids the actor cannot see or a name the owner already uses.
    """
    user = access.require_creator(actor)
    locks.lock_owner(user.id)
    entry = kind.model(owner_id=user.id, visibility=Visibility.PUBLIC)
    for relation in kind.relations:
        setattr(entry, relation.attribute, [])
    _apply(actor, kind, entry, values, creating=True)
    db.session.add(entry)
    _commit_named(actor, kind, entry)
    return entry


def update_entry(actor: Actor, kind: Kind, entry_id, values: dict, *, expect: Callable[[Any], None] | None = None):
    """Change the fields given; commits once. Raises NotFound, Forbidden, InvalidInput as create_entry does.

    `expect(entry)` runs on the locked entry before any change (the API's If-Match).
    """
    if "name" in values:
        locks.lock_owner_of(kind.model, entry_id)
    entry = access.load(actor, kind.model, entry_id, Action.EDIT, options=relation_options(kind), for_update=True)
    if expect is not None:
        expect(entry)
    _apply(actor, kind, entry, values, creating=False)
    _commit_named(actor, kind, entry)
    return entry


def delete_entry(actor: Actor, kind: Kind, entry_id) -> None:
    """Delete an entry nothing uses any more; commits once.

    Raises NotFound, Forbidden, or Conflict listing what still uses it (names the actor may not see show as
    "[hidden]").
    """
    # Locked: of parallel deletes one deletes, the others find nothing (404); a new use of the entry waits.
    entry = access.load(actor, kind.model, entry_id, Action.DELETE, options=relation_options(kind), for_update=True)
    references = references_to(actor, entry)
    if references:
        raise Conflict(f"“{entry.name}” is still used by {describe_references(references)}.", references)
    name = entry.name
    db.session.delete(entry)
    commit_or_raise(Conflict(f"Something started using “{name}” at the same moment; it was not deleted."))


def _commit_named(actor: Actor, kind: Kind, entry) -> None:
    """Commit; the listeners at the end of this module drop the cached lists and pages of what changed.

    A name taken at the same moment (system content has no owner row to queue on) is refused with the answer a
    request coming after the other would get.
    """
    commit_or_raise(InvalidInput([Taken("name", _taken_message(actor, kind, entry, entry.name))]))


def entry_problems(actor: Actor, kind: Kind, values: dict, entry_id=None) -> list[Violation]:
    """Every problem create_entry (or update_entry, given an id) would find in these values, changing nothing.

    For a form whose own checks already refused a number: the rest (a taken name, say) shows at the same time.
    Raises what create_entry or update_entry raise before looking at the values.
    """
    if entry_id is None:
        entry = kind.model(owner_id=access.require_creator(actor).id, visibility=Visibility.PUBLIC)
    else:
        entry = access.load(actor, kind.model, entry_id, Action.EDIT, options=relation_options(kind))
    return _checked(actor, kind, entry, values, creating=entry_id is None)[2]


def _apply(actor: Actor, kind: Kind, entry, values: dict, creating: bool) -> None:
    """Validate every given value against the kind's description, then set them all, or raise InvalidInput."""
    cleaned, targets, violations = _checked(actor, kind, entry, values, creating)
    if violations:
        raise InvalidInput(violations)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    for attribute, chosen in targets.items():
        setattr(entry, attribute, chosen)


def _checked(actor: Actor, kind: Kind, entry, values: dict, creating: bool) -> tuple[dict, dict, list[Violation]]:
    """The values to set, the related entries to link, and every violation found on the way."""
    allowed = {*kind.field_names, *(r.field for r in kind.relations), "visibility"}
    if kind.has_image:
        allowed.add("image_id")
    violations = [Violation(name, "Unknown field.") for name in values if name not in allowed]
    cleaned: dict = {}
    for f in kind.fields:
        if f.name in values:
            cleaned[f.name] = _clean(f, values[f.name], violations)
        elif creating and f.name != "durability":
            cleaned[f.name] = f.default
    if creating and "durability" in kind.field_names and "durability" not in values:
        cleaned["durability"] = cleaned.get("max_durability", 100)
    violations += _cross_checks(kind, entry, cleaned)
    targets = {
        r.attribute: _targets(actor, r, values[r.field], violations) for r in kind.relations if r.field in values
    }
    if "image_id" in values and kind.has_image:
        cleaned["image_id"] = _image(actor, values["image_id"], violations)
    if "visibility" in values:
        visibility = _visibility(actor, entry, values["visibility"], violations)
        if visibility is not None:
            cleaned["visibility"] = visibility
    if "name" in cleaned and cleaned["name"] and _name_taken(kind, entry, cleaned["name"]):
        violations.append(Taken("name", _taken_message(actor, kind, entry, cleaned["name"])))
    return cleaned, targets, violations


def _clean(f: Field, value, violations: list[Violation]):
    """The value checked against its field's type and bounds; appends a violation and returns None if wrong."""
    problem = None
    if value is None:
        problem = "This field is required."
    elif f.type == BOOL:
        problem = None if isinstance(value, bool) else "Must be true or false."
    elif f.type == CHOICE:
        value = getattr(value, "value", value)
        problem = None if value in f.choices else f"Choose one of: {', '.join(f.choices)}."
    elif f.type in (INT, FLOAT):
        number_types = (int, float) if f.type == FLOAT else (int,)
        if isinstance(value, bool) or not isinstance(value, number_types) or _infinite(value):
            problem = "Must be a number." if f.type == FLOAT else "Must be a whole number."
        elif (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
            problem = range_message(f)
        else:
            value = float(value) if f.type == FLOAT else value
    elif not isinstance(value, str):
        problem = "Must be text."
    else:
        value = value.strip(TRIMMED_WITH_LINES if has_lines(f.name) else TRIMMED)  # as the API's documents trim
        if f.required and not value:
            problem = f"Give it a {f.label.lower()}."
        elif f.max_length is not None and len(value) > f.max_length:
            problem = f"At most {f.max_length} characters."
    if problem:
        violations.append(Violation(f.name, problem))
        return None
    return value


def _infinite(value) -> bool:
    """NaN or ±inf: a float that passes every comparison with a bound, or none."""
    return isinstance(value, float) and not math.isfinite(value)


def range_message(f: Field) -> str:
    """What the form and the service say about a number outside its field's bounds."""
    return f"Must be between {_number(f.minimum)} and {_number(f.maximum)}."


def _number(bound: float | None) -> str:
    return f"{bound:g}" if bound is not None else "any"


def _cross_checks(kind: Kind, entry, cleaned: dict) -> list[Violation]:
    if "max_durability" not in kind.field_names:
        return []
    durability = cleaned.get("durability", getattr(entry, "durability", None))
    maximum = cleaned.get("max_durability", getattr(entry, "max_durability", None))
    if durability is None or maximum is None or durability <= maximum:
        return []
    return [Violation("durability", f"Durability can't exceed the max durability ({maximum}).")]


def _targets(actor: Actor, relation: Relation, raw, violations: list[Violation]) -> list:
    """The entries named by ids, all of which the actor must be able to see."""
    if not isinstance(raw, (list, tuple)):
        violations.append(Violation(relation.field, "Must be a list of ids."))
        return []
    try:
        return visible_by_ids(actor, KINDS[relation.target].model, raw, relation.field)
    except InvalidInput as error:
        violations += error.violations
        return []


def _image(actor: Actor, raw, violations: list[Violation]):
    if raw is None:
        return None
    try:
        return visible_by_ids(actor, Image, [raw], "image_id")[0].id
    except InvalidInput as error:
        violations += error.violations
        return None


def _visibility(actor: Actor, entry, raw, violations: list[Violation]) -> Visibility | None:
    try:
        visibility = Visibility(getattr(raw, "value", raw))
    except ValueError:
        violations.append(Violation("visibility", "Choose PUBLIC or PRIVATE."))
        return None
    refusal = access.visibility_refusal(actor, entry, visibility, "Only moderators hide content or bring it back.")
    if refusal is not None:
        violations.append(Violation("visibility", refusal))
        return None
    return visibility


def _name_taken(kind: Kind, entry, name: str) -> bool:
    """Whether the entry's owner (or system content, for system entries) already has this name."""
    model = kind.model
    owner = model.owner_id.is_(None) if entry.owner_id is None else model.owner_id == entry.owner_id
    query = sa.select(model.id).where(owner, sa.func.lower(model.name) == name.lower())
    if entry.id is not None:
        query = query.where(model.id != entry.id)
    return db.session.execute(query.limit(1)).first() is not None


def _taken_message(actor: Actor, kind: Kind, entry, name: str) -> str:
    if entry.owner_id is None:
        return f"There is already a system {kind.singular} called “{name}”."
    if access.owns(actor, entry):
        return f"You already have {with_article(kind.singular)} called “{name}”. Choose another name."
    return f"Its owner already has {with_article(kind.singular)} called “{name}”."
