"""Reading the compendium: a kind by name, a page of its entries with their relations, one entry, pickers."""

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Tag, User
from webapp.models.compendium_kinds import KINDS, Kind, Relation
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import NotFound
from webapp.services.ids import as_uuid
from webapp.services.matching import contains
from webapp.services.pagination import Pagination, paginate

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
    pagination: Pagination
    relation_ids: dict[uuid.UUID, dict[str, list[str]]]
    total: int | None


def _filtered(actor: Actor, kind: Kind, filters: Filters) -> sa.Select:
    model = kind.model
    query = sa.select(model).where(access.visible(actor, model))
    if filters.search:
        query = query.where(contains(model.name, filters.search))
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
    actor: Actor,
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
    relation_ids = relation_ids_for(actor, kind, [row.id for row in rows]) if with_relations else {}
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) if with_total else None
    return EntryPage(rows, pagination, relation_ids, total)


def _link_columns(kind: Kind, relation: Relation) -> tuple[sa.Table, sa.Column, sa.Column]:
    """The association table of a relation, its column for the entry and its column for the target."""
    prop = getattr(kind.model, relation.attribute).property
    table = prop.secondary
    left = next(c for c in table.c if c.references(kind.model.__table__.c.id))
    right = next(c for c in table.c if c is not left)
    return table, left, right


def relation_ids_for(actor: Actor, kind: Kind, entry_ids: list) -> dict[uuid.UUID, dict[str, list[str]]]:
    """Every relation's target ids for these entries that the actor may see, in a single query whatever the number
    of relations (a PRIVATE skill of someone else on a PUBLIC item is left out, as its page leaves out its name)."""
    found: dict[uuid.UUID, dict[str, list[str]]] = {entry_id: {} for entry_id in entry_ids}
    if not kind.relations or not entry_ids:
        return found
    parts = []
    for relation in kind.relations:
        table, left, right = _link_columns(kind, relation)
        target = KINDS[relation.target].model
        parts.append(
            sa.select(sa.literal(relation.field).label("field"), left.label("entry_id"), right.label("target_id"))
            .select_from(table.join(target, right == target.id))
            .where(left.in_(entry_ids), access.visible(actor, target))
        )
    for row in db.session.execute(sa.union_all(*parts)):
        entry_id = as_uuid(row.entry_id)
        found.setdefault(entry_id, {}).setdefault(row.field, []).append(str(row.target_id))
    for fields in found.values():
        for ids in fields.values():
            ids.sort()
    return found


def get_entry(actor: Actor, kind: Kind, entry_id, with_relations: bool = False):
    """The entry if the actor may see it (relations loaded when asked); NotFound otherwise."""
    return access.load(
        actor, kind.model, entry_id, Action.VIEW, options=relation_options(kind) if with_relations else ()
    )


def relation_options(kind: Kind) -> list:
    return [selectinload(getattr(kind.model, r.attribute)) for r in kind.relations]


def relation_ids_of(actor: Actor, kind: Kind, entry) -> dict[str, list[str]]:
    return relation_ids_for(actor, kind, [entry.id]).get(entry.id, {})


def owner_name(entry) -> str | None:
    """The display name of a homebrew entry's author; None for system content."""
    if entry.owner_id is None:
        return None
    return db.session.scalar(sa.select(User.display_name).where(User.id == entry.owner_id))


def choices(actor: Actor, kind_name: str) -> list[tuple[str, str]]:
    """(id, name) of every entry of a kind the actor may see, by name: options for pickers."""
    model = KINDS[kind_name].model
    query = sa.select(model.id, model.name).where(access.visible(actor, model)).order_by(model.name)
    return [(str(row.id), row.name) for row in db.session.execute(query)]
