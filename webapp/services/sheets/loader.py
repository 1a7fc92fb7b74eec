"""One loader that reads everything a character's sheet needs in one query, and the sheet it computes."""

import dataclasses
import uuid
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from webapp import reference, rules
from webapp.extensions import db
from webapp.models import Campaign, Character, EquippedItem, InventoryEntry, Membership, MembershipStatus
from webapp.models.character import character_perks, character_skills
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import NotFound
from webapp.services.ids import as_uuid, parse_id, uuid_or_none
from webapp.services.sheets import kept_rows
from webapp.services.sheets.rules_view import Carried, Namer, Worn, character_data, level_cap_of, sheet_data


@dataclass
class LoadedSheet:
    """A character (its own row), its active membership and campaign, the compendium entries it carries, wears and
    knows, and the computed sheet. Entries come from the worker's reference snapshot (webapp/reference.py)."""

    character: Character
    membership: Membership | None
    campaign: Campaign | None
    race: Any
    archetype: Any
    inventory: list[Carried]
    equipment: list[Worn]
    skills: list  # learned, by name
    perks: list  # taken, by name
    data: rules.CharacterData
    sheet: rules.Sheet
    perk_choices: list | None = None  # visible perks not yet taken, when asked for (sorted by level, name)

    @property
    def in_campaign(self) -> bool:
        """True while the character is an APPROVED member of an active campaign."""
        return self.membership is not None and self.membership.status == MembershipStatus.APPROVED

    def carried(self, item_id) -> Carried | None:
        key = uuid_or_none(item_id)
        return next((line for line in self.inventory if line.item_id == key), None)

    def with_stack(self, item_id, quantity: int) -> "LoadedSheet":
        """The same sheet with the stack of a carried item at `quantity`, computed afresh: what a change of quantity
        leaves, without reading it back."""
        key = uuid_or_none(item_id)
        inventory = [Carried(line.item, quantity) if line.item_id == key else line for line in self.inventory]
        pairs = [(item, quantity if item.id == key else held) for item, held in self.data.inventory]
        data = dataclasses.replace(self.data, inventory=pairs)
        return dataclasses.replace(self, inventory=inventory, data=data, sheet=rules.compute_sheet(data))

    def recomputed(self) -> "LoadedSheet":
        """The same sheet computed afresh from the character's row as it is now (its pools and conditions changed)."""
        character = self.character
        data = dataclasses.replace(
            self.data, conditions=frozenset(character.conditions or ()), health_lost=character.health_lost
        )
        return dataclasses.replace(self, data=data, sheet=rules.compute_sheet(data))

    def skill_rows(self, namer: Namer) -> list[dict[str, Any]]:
        """Every skill the character has, learned or granted by equipment, sorted by name; `namer` names the
        items that grant it as the viewer may see them (a PRIVATE item in a slot is "[hidden]")."""
        return _known_rows(self.skills, self.data.skill_ids, self.sheet.skill_ids, self._granted("skills"), namer)

    def perk_rows(self, namer: Namer) -> list[dict[str, Any]]:
        """Every perk the character has, taken or granted by equipment, sorted by name (`namer` as skill_rows)."""
        return _known_rows(self.perks, self.data.perk_ids, self.sheet.perk_ids, self._granted("perks"), namer)

    def _granted(self, kind: str) -> dict[Hashable, tuple[Any, list]]:
        granted: dict[Hashable, tuple[Any, list]] = {}
        for row in self.equipment:
            for entity in getattr(row.item, f"bonus_{kind}"):
                granted.setdefault(entity.id, (entity, []))[1].append(row.item)
        return granted


def _known_rows(learned, learned_ids, all_ids, granted, namer: Namer) -> list[dict[str, Any]]:
    entities = {entity.id: entity for entity in learned}
    entities.update({key: entity for key, (entity, _) in granted.items() if key not in entities})
    rows = [
        {
            "entity": entities[key],
            "learned": key in learned_ids,
            "granted_by": sorted({namer(item) for item in granted.get(key, (None, []))[1]}),
        }
        for key in all_ids
        if key in entities
    ]
    return sorted(rows, key=lambda row: row["entity"].name.casefold())


def load_sheet(
    actor: Actor, character_id, action: Action = Action.VIEW, *, perk_choices: bool = False, for_update: bool = False
) -> LoadedSheet:
    """Load a character, check `action` through access, compute the sheet: one query whatever the inventory's
    size, two `for_update` (plus the access module's own for a GM reading a PRIVATE character).

    The query reads the character with its active membership and campaign and every row it owns (inventory,
    equipment, skills, perks); the compendium entries they name come from the worker's reference snapshot.
    `perk_choices` lists every perk the actor may see and the character has not taken. `for_update` locks the
    character's row until the commit and reads it afresh, so that a change checked against the sheet is checked
    against the latest one. Raises NotFound (may not see it) or Forbidden (may not do `action`).
    """
    key = parse_id(character_id, "character")
    character, membership, campaign, owned = _rows(key, for_update)
    access.check(actor, action, character)
    snapshot = reference.current()
    if not snapshot.has_all(_named(character, owned)):
        snapshot = reference.current(afresh=True)  # an entry newer than this worker's snapshot
    race, archetype = snapshot.get("races", character.race_id), snapshot.get("archetypes", character.archetype_id)
    items = snapshot.entries["items"]
    inventory = [Carried(items[ident], quantity) for kind, ident, quantity, _ in owned if kind == "i"]
    equipment = [Worn(slot, items[ident]) for kind, ident, _, slot in owned if kind == "e"]
    skills = sorted((snapshot.get("skills", i) for kind, i, _, _ in owned if kind == "s"), key=_by_name)
    perks = sorted((snapshot.get("perks", i) for kind, i, _, _ in owned if kind == "p"), key=_by_name)
    data = sheet_data(
        character,
        race,
        archetype,
        inventory,
        equipment,
        frozenset(skill.id for skill in skills),
        frozenset(perk.id for perk in perks),
        level_cap_of(membership, campaign),
        namer=access.namer(actor),
    )
    loaded = LoadedSheet(
        character, membership, campaign, race, archetype, inventory, equipment, skills, perks, data,
        rules.compute_sheet(data),
    )  # fmt: skip
    whole_kinds = ("perks",) if perk_choices else ()  # the choices list every perk the actor may see
    reference.note(snapshot.stamp(_shown(race, archetype, inventory, skills, perks), whole_kinds))
    if perk_choices:
        loaded.perk_choices = sorted(
            (
                perk
                for perk in snapshot.all("perks")
                if perk.id not in data.perk_ids and access.can(actor, Action.VIEW, perk)
            ),
            key=lambda p: (p.required_level, p.name),
        )
    return loaded


def sheet_of(
    character: Character, membership: Membership | None, campaign: Campaign | None, level_cap: int = rules.MAX_LEVEL
) -> LoadedSheet:
    """The sheet of a character whose relations SHEET_OPTIONS loaded, for code that loads many at once."""
    data = character_data(character, level_cap)
    return LoadedSheet(
        character,
        membership,
        campaign,
        character.race,
        character.archetype,
        [Carried(entry.item, entry.quantity) for entry in character.inventory],
        [Worn(str(row.slot), row.item) for row in character.equipment],
        sorted(character.skills, key=_by_name),
        sorted(character.perks, key=_by_name),
        data,
        rules.compute_sheet(data),
    )


def _shown(race, archetype, inventory: list[Carried], skills: list, perks: list) -> list[tuple[str, Any]]:
    """Every reference entry a sheet reads, as (kind, entry): what an answer built from it depends on."""
    shown = [("races", race), ("archetypes", archetype), *(("races", r) for r in archetype.required_races)]
    shown += [("skills", skill) for entry in (race, archetype) for skill in entry.skills]
    for line in inventory:
        shown.append(("items", line.item))
        shown += [("skills", skill) for skill in line.item.bonus_skills]
        shown += [("perks", perk) for perk in line.item.bonus_perks]
    return shown + [("skills", skill) for skill in skills] + [("perks", perk) for perk in perks]


def load_locked(actor: Actor, character_id, action: Action = Action.EDIT) -> LoadedSheet:
    """The character and its sheet, read afresh with the row locked until the commit, so that two changes to it
    run one after the other and each is checked against what the other left.

    Raises NotFound (may not see it) or Forbidden (may not do `action`).
    """
    return load_sheet(actor, character_id, action, for_update=True)


def _rows(key: uuid.UUID, for_update: bool) -> tuple[Character, Membership | None, Campaign | None, list[tuple]]:
    """The character, its active membership and campaign, and what it owns: kept ones when they are current
    (kept_rows.py), else read from the database in one statement (and kept when the request asked)."""
    if not for_update:
        found = kept_rows.recalled(key)
        if found is not None:
            return found.character, found.membership, found.campaign, found.owned
    if for_update:
        # A statement that waited for the lock reads the locked row afresh but the rest as they were when it began:
        # what the character owns is read by a statement of its own once the lock is held.
        row = db.session.execute(_CHARACTER_LOCKED, {"character_id": key}).first()
        owned_json = db.session.execute(_OWNED, {"character_id": key}).scalar() if row is not None else None
    else:
        row = db.session.execute(_CHARACTER_AND_OWNED, {"character_id": key}).first()
        owned_json = row[3] if row is not None else None
    if row is None:
        raise NotFound("No such character.")
    character, membership, campaign = row[:3]
    owned = [(kind, as_uuid(ident), quantity, slot) for kind, ident, quantity, slot in owned_json or ()]
    if not for_update:
        kept_rows.keep(key, character, membership, campaign, owned)
    return character, membership, campaign, owned


class _OwnedRows(sa.sql.expression.FunctionElement):
    """Every row a character owns as one JSON array of [kind, id, quantity, slot]: "i" a stack in the pack, "e" an
    item worn in a slot, "s" a learned skill, "p" a taken perk. Read with the character itself, so that loading a
    sheet asks the database once (each round trip costs more than the rows it brings)."""

    type = sa.JSON()
    inherit_cache = True


@compiles(_OwnedRows, "postgresql")
def _owned_rows_postgresql(element, compiler, **kw) -> str:
    return compiler.process(_owned_rows_query(sa.func.json_agg, sa.func.json_build_array), **kw)


@compiles(_OwnedRows)
def _owned_rows_sqlite(element, compiler, **kw) -> str:
    return compiler.process(_owned_rows_query(sa.func.json_group_array, sa.func.json_array), **kw)


def _owned_rows_query(aggregate, array) -> sa.ScalarSelect:
    character_id = sa.bindparam("character_id", type_=sa.Uuid)
    number, text = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)

    def kind(letter: str):
        return sa.literal_column(f"'{letter}'", sa.String).label("kind")

    rows = sa.union_all(
        sa.select(kind("i"), InventoryEntry.item_id.label("ident"), InventoryEntry.quantity.label("quantity"),
                  text.label("slot")).where(InventoryEntry.character_id == character_id),
        sa.select(kind("e"), EquippedItem.item_id, number, sa.cast(EquippedItem.slot, sa.String)).where(
            EquippedItem.character_id == character_id
        ),
        sa.select(kind("s"), character_skills.c.skill_id, number, text).where(
            character_skills.c.character_id == character_id
        ),
        sa.select(kind("p"), character_perks.c.perk_id, number, text).where(
            character_perks.c.character_id == character_id
        ),
    ).subquery("owned")  # fmt: skip
    return sa.select(aggregate(array(rows.c.kind, rows.c.ident, rows.c.quantity, rows.c.slot))).scalar_subquery()


# Built once: a statement built per request costs more than the query it runs.
_CHARACTER = (
    sa.select(Character, Membership, Campaign)
    .outerjoin(Membership, sa.and_(Membership.character_id == Character.id, Membership.active.is_(True)))
    .outerjoin(Campaign, Campaign.id == Membership.campaign_id)
    .where(Character.id == sa.bindparam("character_id", type_=sa.Uuid))
)
_CHARACTER_AND_OWNED = _CHARACTER.add_columns(_OwnedRows())
# Objects already in the session (read earlier in the request) would otherwise keep their old values.
_CHARACTER_LOCKED = _CHARACTER.with_for_update(of=Character).execution_options(populate_existing=True)
_OWNED = sa.select(_OwnedRows())


def _by_name(entry) -> tuple[str, str]:
    return entry.name, str(entry.id)


_KIND_OF_ROW = {"i": "items", "e": "items", "s": "skills", "p": "perks"}


def _named(character: Character, owned: list[tuple]) -> list[tuple[str, uuid.UUID]]:
    """Every (kind, id) of an entry the sheet names."""
    return [
        ("races", character.race_id),
        ("archetypes", character.archetype_id),
        *((_KIND_OF_ROW[kind], ident) for kind, ident, _, _ in owned),
    ]
