"""One service for every compendium kind: list, read, create, change, hide and delete, and what uses an entry."""

import functools
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Image, Tag, User, Visibility
from webapp.models.base import Base, as_utc
from webapp.rules.wording import with_article
from webapp.services import access, locks
from webapp.services.access import Action
from webapp.services.characters import visible_by_ids
from webapp.services.compendium_kinds import BOOL, CHOICE, FLOAT, INT, KINDS, Field, Kind, Relation
from webapp.services.errors import Conflict, InvalidInput, NotFound, Violation
from webapp.services.pagination import paginate

MOST_USED = 5
REFERENCES_SHOWN = 20
NEW_WITHIN = timedelta(days=30)
OWNERS = ("mine", "system")


def kind_named(name: str) -> Kind:
    """Return the kind for a URL segment; raises NotFound for anything else."""
    kind = KINDS.get(name)
    if kind is None:
        raise NotFound("There is no such part of the compendium.")
    return kind


@dataclass(frozen=True)
class Filters:
    search: str | None = None
    tag_id: uuid.UUID | None = None
    owner: str | None = None  # "mine" or "system"
    choices: dict[str, str] = field(default_factory=dict)  # field → value, e.g. rarity → RARE
    min_level: int | None = None
    max_level: int | None = None
    bonus: str | None = None  # races with a positive bonus to this attribute


@dataclass(frozen=True)
class EntryPage:
    rows: list
    pagination: dict
    relation_ids: dict[uuid.UUID, dict[str, list[str]]]
    total: int | None


# --- reading ---------------------------------------------------------------------------------------------


def _filtered(actor, kind: Kind, filters: Filters) -> sa.Select:
    model = kind.model
    query = sa.select(model).where(access.visible(actor, model))
    if filters.search:
        pattern = "%" + filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(model.name.ilike(pattern, escape="\\"))
    if filters.tag_id is not None and hasattr(model, "tags"):
        query = query.where(model.tags.any(Tag.id == filters.tag_id))
    if filters.owner == "system":
        query = query.where(model.owner_id.is_(None))
    elif filters.owner == "mine":
        user_id = access.user_id_of(actor)
        query = query.where(model.owner_id == user_id) if user_id else query.where(sa.false())
    for name, value in filters.choices.items():
        query = query.where(getattr(model, name) == value)
    if kind.level_field:
        level = getattr(model, kind.level_field)
        if filters.min_level is not None:
            query = query.where(level >= filters.min_level)
        if filters.max_level is not None:
            query = query.where(level <= filters.max_level)
    if kind.bonus_filter and filters.bonus:
        query = query.where(getattr(model, f"{filters.bonus}_bonus") > 0)
    return query


def list_entries(
    actor,
    kind: Kind,
    filters: Filters,
    *,
    sort: str = "name",
    order: str = "asc",
    limit: int = 20,
    cursor: str | None = None,
    with_relations: bool = True,
    with_total: bool = False,
) -> EntryPage:
    """One page of the entries the actor may see; relation ids come in one extra query, the total in another.

    Raises BadQuery (400) for a cursor we did not give out.
    """
    query = _filtered(actor, kind, filters)
    sort_column = getattr(kind.model, sort if sort in kind.sorts else "name")
    rows, pagination = paginate(query, kind.model, sort_column, limit, cursor, order)
    relation_ids = relation_ids_for(kind, [row.id for row in rows]) if with_relations else {}
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) if with_total else None
    return EntryPage(rows, pagination, relation_ids, total)


def _link_columns(kind: Kind, relation: Relation) -> tuple[sa.Table, sa.Column, sa.Column]:
    """The association table of a relation, its column for the entry and its column for the target."""
    prop = getattr(kind.model, relation.attribute).property
    table = prop.secondary
    left = next(c for c in table.c if c.references(kind.model.__table__.c.id))
    right = next(c for c in table.c if c is not left)
    return table, left, right


def relation_ids_for(kind: Kind, entry_ids: list) -> dict[uuid.UUID, dict[str, list[str]]]:
    """Every relation's target ids for these entries, in a single query whatever the number of relations."""
    found: dict[uuid.UUID, dict[str, list[str]]] = {entry_id: {} for entry_id in entry_ids}
    if not kind.relations or not entry_ids:
        return found
    parts = []
    for relation in kind.relations:
        _table, left, right = _link_columns(kind, relation)
        parts.append(
            sa.select(
                sa.literal(relation.field).label("field"), left.label("entry_id"), right.label("target_id")
            ).where(left.in_(entry_ids))
        )
    for row in db.session.execute(sa.union_all(*parts)):
        entry_id = row.entry_id if isinstance(row.entry_id, uuid.UUID) else uuid.UUID(str(row.entry_id))
        found.setdefault(entry_id, {}).setdefault(row.field, []).append(str(row.target_id))
    for fields in found.values():
        for ids in fields.values():
            ids.sort()
    return found


def get_entry(actor, kind: Kind, entry_id, with_relations: bool = False):
    """The entry if the actor may see it (relations loaded when asked); NotFound otherwise."""
    return access.load(
        actor, kind.model, entry_id, Action.VIEW, options=_relation_options(kind) if with_relations else ()
    )


def _relation_options(kind: Kind) -> list:
    return [selectinload(getattr(kind.model, r.attribute)) for r in kind.relations]


def relation_ids_of(kind: Kind, entry) -> dict[str, list[str]]:
    return relation_ids_for(kind, [entry.id]).get(entry.id, {})


def as_dict(kind: Kind, entry, relation_ids: dict[str, list[str]]) -> dict:
    """The JSON shape of SPEC §6.1, plus id, owner_id, created_at and updated_at."""
    data = {"id": str(entry.id)}
    for f in kind.fields:
        value = getattr(entry, f.name)
        data[f.name] = value.value if hasattr(value, "value") else value
    for relation in kind.relations:
        data[relation.field] = relation_ids.get(relation.field, [])
    if kind.has_image:
        data["image_id"] = str(entry.image_id) if entry.image_id else None
    data["visibility"] = entry.visibility.value
    data["owner_id"] = str(entry.owner_id) if entry.owner_id else None
    data["created_at"] = _iso(entry.created_at)
    data["updated_at"] = _iso(entry.updated_at)
    return data


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def owner_name(entry) -> str | None:
    """The display name of a homebrew entry's author; None for system content."""
    if entry.owner_id is None:
        return None
    return db.session.scalar(sa.select(User.display_name).where(User.id == entry.owner_id))


def choices(actor, kind_name: str) -> list[tuple[str, str]]:
    """(id, name) of every entry of a kind the actor may see, by name: options for pickers."""
    model = KINDS[kind_name].model
    query = sa.select(model.id, model.name).where(access.visible(actor, model)).order_by(model.name)
    return [(str(row.id), row.name) for row in db.session.execute(query)]


# --- writing ---------------------------------------------------------------------------------------------


def create_entry(actor, kind: Kind, values: dict):
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


def update_entry(actor, kind: Kind, entry_id, values: dict, *, expect: Callable[[Any], None] | None = None):
    """Change the fields given; commits once. Raises NotFound, Forbidden, InvalidInput as create_entry does.

    `expect(entry)` runs on the locked entry before any change (the API's If-Match).
    """
    if "name" in values:
        locks.lock_owner_of(kind.model, entry_id)
    entry = access.load(actor, kind.model, entry_id, Action.EDIT, options=_relation_options(kind), for_update=True)
    if expect is not None:
        expect(entry)
    _apply(actor, kind, entry, values, creating=False)
    _commit_named(actor, kind, entry)
    return entry


def delete_entry(actor, kind: Kind, entry_id) -> None:
    """Delete an entry nothing uses any more; commits once.

    Raises NotFound, Forbidden, or Conflict listing what still uses it (names the actor may not see show as
    "[hidden]").
    """
    # Locked: of parallel deletes one deletes, the others find nothing (404); a new use of the entry waits.
    entry = access.load(actor, kind.model, entry_id, Action.DELETE, options=_relation_options(kind), for_update=True)
    references = references_to(actor, entry)
    if references:
        raise Conflict(f"“{entry.name}” is still used by {_summary(references)}.", references)
    name = entry.name
    db.session.delete(entry)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"Something started using “{name}” at the same moment; it was not deleted.") from None


def _commit_named(actor, kind: Kind, entry) -> None:
    """Commit; the listeners at the end of this module drop the cached lists and pages of what changed.

    A name taken at the same moment (system content has no owner row to queue on) is refused with the answer a
    request coming after the other would get.
    """
    taken = _taken_message(actor, kind, entry, entry.name)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput([Violation("name", taken)]) from None


def entry_problems(actor, kind: Kind, values: dict, entry_id=None) -> list[Violation]:
    """Every problem create_entry (or update_entry, given an id) would find in these values, changing nothing.

    For a form whose own checks already refused a number: the rest (a taken name, say) shows at the same time.
    Raises what create_entry or update_entry raise before looking at the values.
    """
    if entry_id is None:
        entry = kind.model(owner_id=access.require_creator(actor).id, visibility=Visibility.PUBLIC)
    else:
        entry = access.load(actor, kind.model, entry_id, Action.EDIT, options=_relation_options(kind))
    return _checked(actor, kind, entry, values, creating=entry_id is None)[2]


def _apply(actor, kind: Kind, entry, values: dict, creating: bool) -> None:
    """Validate every given value against the kind's description, then set them all, or raise InvalidInput."""
    cleaned, targets, violations = _checked(actor, kind, entry, values, creating)
    if violations:
        raise InvalidInput(violations)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    for attribute, chosen in targets.items():
        setattr(entry, attribute, chosen)


def _checked(actor, kind: Kind, entry, values: dict, creating: bool) -> tuple[dict, dict, list[Violation]]:
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
        violations.append(Violation("name", _taken_message(actor, kind, entry, cleaned["name"])))
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
        value = value.strip() if f.name == "name" else value
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


def _targets(actor, relation: Relation, raw, violations: list[Violation]) -> list:
    """The entries named by ids, all of which the actor must be able to see."""
    if not isinstance(raw, (list, tuple)):
        violations.append(Violation(relation.field, "Must be a list of ids."))
        return []
    try:
        return visible_by_ids(actor, KINDS[relation.target].model, raw, relation.field)
    except InvalidInput as error:
        violations += error.violations
        return []


def _image(actor, raw, violations: list[Violation]):
    if raw is None:
        return None
    try:
        return visible_by_ids(actor, Image, [raw], "image_id")[0].id
    except InvalidInput as error:
        violations += error.violations
        return None


def _visibility(actor, entry, raw, violations: list[Violation]) -> Visibility | None:
    try:
        visibility = Visibility(getattr(raw, "value", raw))
    except ValueError:
        violations.append(Violation("visibility", "Choose PUBLIC or PRIVATE."))
        return None
    if not access.may_set_visibility(actor, entry, visibility):
        violations.append(Violation("visibility", "Only moderators hide content or bring it back."))
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


def _taken_message(actor, kind: Kind, entry, name: str) -> str:
    if entry.owner_id is None:
        return f"There is already a system {kind.singular} called “{name}”."
    if access.owns(actor, entry):
        return f"You already have {with_article(kind.singular)} called “{name}”. Choose another name."
    return f"Its owner already has {with_article(kind.singular)} called “{name}”."


# --- what uses what --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Usage:
    column: sa.Column  # the column pointing at the entry
    entity: type  # the model of what uses it
    entity_column: sa.Column  # where that user's id is, in the same table


@functools.cache
def _usages(model: type) -> tuple[_Usage, ...]:
    """Every link to this model found in the mappings and the metadata, so no kind lists its users by hand.

    A many-to-many link counts for the side that holds the relationship (an item's tags use the tags, not the
    item); any other foreign key counts for the row's own entity, or its parent's when it has no id of its own.
    """
    target = model.__table__
    classes = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}
    secondaries = set()
    found = []
    for mapper in Base.registry.mappers:
        for prop in mapper.relationships:
            if prop.secondary is None:
                continue
            secondaries.add(prop.secondary)
            if prop.mapper.class_ is model:
                used = next(c for c in prop.secondary.c if c.references(target.c.id))
                user = next(c for c in prop.secondary.c if c is not used)
                found.append(_Usage(used, mapper.class_, user))
    for table in Base.metadata.sorted_tables:
        if table in secondaries:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not target:
                continue
            if "id" in table.c and table.c.id.primary_key and table in classes:
                found.append(_Usage(fk.parent, classes[table], table.c.id))
                continue
            for other in table.foreign_keys:
                if other is not fk and other.parent.primary_key and other.column.table in classes:
                    found.append(_Usage(fk.parent, classes[other.column.table], other.parent))
    return tuple(found)


def references_to(actor, entry, limit: int = REFERENCES_SHOWN) -> list[dict]:
    """What uses the entry: [{kind, id, name}], each once; names the actor may not see are "[hidden]"."""
    references: dict[tuple, dict] = {}
    for usage in _usages(type(entry)):
        query = sa.select(usage.entity).where(usage.column == entry.id)
        if usage.entity_column is not usage.entity.__table__.c.id:
            query = (
                sa.select(usage.entity)
                .join(usage.column.table, usage.entity_column == usage.entity.id)
                .where(usage.column == entry.id)
            )
        for user in db.session.scalars(query.limit(limit)):
            visible = access.can(actor, Action.VIEW, user)
            references.setdefault(
                (type(user).__name__, user.id),
                {
                    "kind": type(user).__name__.lower(),
                    "id": str(user.id) if visible else None,
                    "name": access.shown_name(actor, user),
                },
            )
    return list(references.values())[:limit]


def _summary(references: list[dict]) -> str:
    counts: dict[str, int] = {}
    for reference in references:
        counts[reference["kind"]] = counts.get(reference["kind"], 0) + 1
    parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items()]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _most_used(actor, kind: Kind) -> list[dict]:
    usages = _usages(kind.model)
    if not usages:
        return []
    uses = sa.union_all(
        *(sa.select(u.column.label("entry_id"), u.entity_column.label("user_id")) for u in usages)
    ).subquery()
    counts = (
        sa.select(uses.c.entry_id, sa.func.count(sa.distinct(uses.c.user_id)).label("uses"))
        .group_by(uses.c.entry_id)
        .subquery()
    )
    model = kind.model
    query = (
        sa.select(model.id, model.name, counts.c.uses)
        .join(counts, counts.c.entry_id == model.id)
        .where(access.visible(actor, model))
        .order_by(counts.c.uses.desc(), model.name)
        .limit(MOST_USED)
    )
    return [{"id": str(row.id), "name": row.name, "uses": row.uses} for row in db.session.execute(query)]


def entry_stats(actor, kind: Kind) -> dict:
    """Counts over the entries the actor may see: by visibility, system vs homebrew, new in 30 days, most used."""
    model = kind.model
    seen = access.visible(actor, model)
    by_visibility = dict.fromkeys((v.value for v in Visibility), 0)
    for visibility, count in db.session.execute(
        sa.select(model.visibility, sa.func.count()).where(seen).group_by(model.visibility)
    ):
        by_visibility[getattr(visibility, "value", visibility)] = count
    since = datetime.now(UTC) - NEW_WITHIN
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(model.owner_id),
            sa.func.count().filter(model.created_at >= since),
        ).where(seen)
    ).one()
    return {
        "total": row[0],
        "by_visibility": by_visibility,
        "system": row[0] - row[1],
        "homebrew": row[1],
        "new_last_30_days": row[2],
        "most_used": _most_used(actor, kind),
    }
