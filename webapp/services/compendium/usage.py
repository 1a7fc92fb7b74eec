"""What uses a compendium entry (found in the mappings, never listed by hand), and counts over a kind."""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Visibility
from webapp.models.base import Base
from webapp.models.compendium_kinds import Kind
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.tallies import Tally

MOST_USED = 5
REFERENCES_SHOWN = 20
NEW_WITHIN = timedelta(days=30)


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


def references_to(actor: Actor, entry, limit: int = REFERENCES_SHOWN) -> list[dict]:
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


def describe_references(references: list[dict]) -> str:
    """ "2 characters and 1 item": what the references are, counted by kind."""
    counts: dict[str, int] = {}
    for reference in references:
        counts[reference["kind"]] = counts.get(reference["kind"], 0) + 1
    parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items()]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


@dataclass(frozen=True)
class EntryCounts:
    """The entries of a kind the actor may see: how many, whose, how new, how visible, and the most used."""

    total: int
    system: int
    homebrew: int
    new_last_30_days: int
    by_visibility: dict[str, int]
    most_used: list[Tally]  # by how many characters or entries use each


def _most_used(actor: Actor, kind: Kind) -> list[Tally]:
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
    return [Tally(row.id, row.name, row.uses) for row in db.session.execute(query)]


def entry_stats(actor: Actor, kind: Kind) -> EntryCounts:
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
    return EntryCounts(
        total=row[0],
        by_visibility=by_visibility,
        system=row[0] - row[1],
        homebrew=row[1],
        new_last_30_days=row[2],
        most_used=_most_used(actor, kind),
    )
