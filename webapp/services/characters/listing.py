"""Finding characters: the ones the actor may see, narrowed by filters; their own; one by id; counts."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Archetype, Character, Race
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import InvalidInput, Violation
from webapp.services.matching import contains
from webapp.services.sheets import CARD_OPTIONS
from webapp.services.tallies import Tally


@dataclass
class CharacterFilters:
    """What a list of characters may be narrowed by; attribute ranges are on base scores, (min, max) each."""

    mine: bool = False
    race_id: uuid.UUID | None = None
    archetype_id: uuid.UUID | None = None
    level_min: int | None = None
    level_max: int | None = None
    attributes: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    search: str | None = None


def range_violations(ranges: Mapping[str, tuple[int | None, int | None]]) -> list[Violation]:
    """One violation (field "<name>_min") for every range whose minimum is above its maximum."""
    return [
        Violation(f"{name}_min", f"{name}_min ({low}) is greater than {name}_max ({high})")
        for name, (low, high) in ranges.items()
        if low is not None and high is not None and low > high
    ]


def character_query(actor: Actor, filters: CharacterFilters) -> sa.Select:
    """A select of the characters the actor may see, narrowed by the filters (rows only: the list shows ids).

    Raises InvalidInput when a minimum is above its maximum.
    """
    ranges = {"level": (filters.level_min, filters.level_max), **filters.attributes}
    if problems := range_violations(ranges):
        raise InvalidInput(problems, problems[0].message)
    query = sa.select(Character).where(access.visible(actor, Character))
    if filters.mine:
        user = access.require_signed_in(actor, "Sign in to see your characters.")
        query = query.where(Character.owner_id == user.id)
    if filters.race_id is not None:
        query = query.where(Character.race_id == filters.race_id)
    if filters.archetype_id is not None:
        query = query.where(Character.archetype_id == filters.archetype_id)
    for name, (low, high) in ranges.items():
        column = getattr(Character, name)
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    if filters.search:
        query = query.where(contains(Character.name, filters.search))
    return query


def my_characters(actor: Actor, limit: int = 200) -> list[Character]:
    """The actor's own characters by name, race and archetype joined, equipment loaded for the cards."""
    user = access.require_signed_in(actor, "Sign in to see your characters.")
    query = (
        sa.select(Character)
        .where(Character.owner_id == user.id)
        .options(*CARD_OPTIONS)
        .order_by(sa.func.lower(Character.name), Character.id)
        .limit(limit)
    )
    return list(db.session.execute(query).unique().scalars())


def get_character(actor: Actor, character_id, action: Action = Action.VIEW) -> Character:
    """One character with race and archetype; raises NotFound (may not see it) or Forbidden (may not `action`)."""
    options = (joinedload(Character.race), joinedload(Character.archetype))
    return access.load(actor, Character, character_id, action, options=options)


@dataclass(frozen=True)
class CharacterCounts:
    total: int
    by_level: dict[int, int]
    by_race: list[Tally]  # characters per race, most first
    by_archetype: list[Tally]


def character_stats(actor: Actor) -> CharacterCounts:
    """Counts over the characters the actor may see: total, per level, per race and per archetype."""
    seen = access.visible(actor, Character)
    per_level = db.session.execute(
        sa.select(Character.level, sa.func.count()).where(seen).group_by(Character.level).order_by(Character.level)
    ).all()
    return CharacterCounts(
        total=sum(count for _, count in per_level),
        by_level=dict(per_level),
        by_race=_counts_by(actor, seen, Character.race_id, Race),
        by_archetype=_counts_by(actor, seen, Character.archetype_id, Archetype),
    )


def _counts_by(actor: Actor, seen, column, model) -> list[Tally]:
    counts = db.session.execute(sa.select(column, sa.func.count()).where(seen).group_by(column)).all()
    found = db.session.execute(sa.select(model).where(model.id.in_([ident for ident, _ in counts]))).scalars()
    entries = {obj.id: obj for obj in found}
    rows = [Tally(ident, access.shown_name(actor, entries[ident]), count) for ident, count in counts]
    return sorted(rows, key=lambda row: (-row.count, row.name))
