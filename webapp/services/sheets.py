"""A character as the rules see it, and one loader that reads everything its sheet needs in two queries."""

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp import reference, rules
from webapp.extensions import db
from webapp.models import (
    ATTRIBUTE_NAMES,
    Archetype,
    Campaign,
    Character,
    EquippedItem,
    InventoryEntry,
    Item,
    Membership,
    MembershipStatus,
    Race,
)
from webapp.models.character import character_perks, character_skills
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import NotFound

# The same relations through plain ORM loading (more queries than load_sheet); for callers with their own query.
# A race is reached twice, as the character's and as one its archetype requires (a Paladin must be a Dwarf):
# both paths load its skills, or a query with populate_existing could reset them on the second path.
SHEET_OPTIONS = (
    joinedload(Character.race).selectinload(Race.skills),
    joinedload(Character.archetype).selectinload(Archetype.skills),
    joinedload(Character.archetype).selectinload(Archetype.required_races).selectinload(Race.skills),
    selectinload(Character.skills),
    selectinload(Character.perks),
    selectinload(Character.inventory)
    .joinedload(InventoryEntry.item)
    .options(selectinload(Item.bonus_skills), selectinload(Item.bonus_perks)),
    selectinload(Character.equipment)
    .joinedload(EquippedItem.item)
    .options(selectinload(Item.bonus_skills), selectinload(Item.bonus_perks)),
)
# Enough for cards and rosters: attributes, pools, attack and defense (see character_data(complete=False)).
CARD_OPTIONS = (
    joinedload(Character.race),
    joinedload(Character.archetype),
    selectinload(Character.equipment).joinedload(EquippedItem.item),
)


Namer = Callable[[Any], str]


@dataclass(frozen=True)
class Carried:
    """A stack in the pack: a compendium entry and how many."""

    item: Any
    quantity: int

    @property
    def item_id(self):
        return self.item.id


@dataclass(frozen=True)
class Worn:
    """An item in one of the fourteen slots (it is also carried)."""

    slot: str
    item: Any

    @property
    def item_id(self):
        return self.item.id


def _name(obj, namer: Namer | None) -> str:
    return obj.name if namer is None else namer(obj)


def race_data(race: Race | None, *, complete: bool = True, namer: Namer | None = None) -> rules.RaceData | None:
    """The race as the rules see it; `complete` reads its skills (they must be loaded); `namer` names it."""
    if race is None:
        return None
    return rules.RaceData(
        id=race.id,
        name=_name(race, namer),
        bonuses={name: getattr(race, f"{name}_bonus") for name in ATTRIBUTE_NAMES},
        health_pct=race.health_pct,
        mana_pct=race.mana_pct,
        stamina_pct=race.stamina_pct,
        skill_ids=frozenset(skill.id for skill in race.skills) if complete else frozenset(),
    )


def archetype_data(
    archetype: Archetype | None, *, complete: bool = True, namer: Namer | None = None
) -> rules.ArchetypeData | None:
    """The archetype as the rules see it; `complete` reads its skills and required races (they must be loaded)."""
    if archetype is None:
        return None
    required = archetype.required_races if complete else []
    return rules.ArchetypeData(
        id=archetype.id,
        name=_name(archetype, namer),
        health_per_level=archetype.health_per_level,
        mana_per_level=archetype.mana_per_level,
        stamina_per_level=archetype.stamina_per_level,
        primary_attribute=str(archetype.primary_attribute),
        required_race_ids=frozenset(race.id for race in required),
        required_race_names=tuple(_name(race, namer) for race in required),
        skill_ids=frozenset(skill.id for skill in archetype.skills) if complete else frozenset(),
    )


def item_data(item: Item, *, complete: bool = True, namer: Namer | None = None) -> rules.ItemData:
    """The item as the rules see it; `complete` reads the skills and perks it grants (they must be loaded)."""
    return rules.ItemData(
        id=item.id,
        name=_name(item, namer),
        slot=str(item.slot),
        rarity=str(item.rarity),
        required_level=item.required_level,
        weight=item.weight,
        damage=item.damage,
        defense=item.defense,
        bonuses={name: getattr(item, f"bonus_{name}") for name in ATTRIBUTE_NAMES},
        bonus_health=item.bonus_health,
        bonus_mana=item.bonus_mana,
        bonus_stamina=item.bonus_stamina,
        bonus_skill_ids=frozenset(skill.id for skill in item.bonus_skills) if complete else frozenset(),
        bonus_perk_ids=frozenset(perk.id for perk in item.bonus_perks) if complete else frozenset(),
    )


def base_scores(character: Character) -> dict[str, int]:
    return {name: getattr(character, name) for name in ATTRIBUTE_NAMES}


def character_data(
    character: Character, level_cap: int = rules.MAX_LEVEL, *, complete: bool = True, namer: Namer | None = None
) -> rules.CharacterData:
    """The character as the rules see it, from its ORM relations.

    complete=True needs everything SHEET_OPTIONS loads. complete=False needs only CARD_OPTIONS and leaves
    inventory, skills, perks and granted bonuses empty: right for attributes, pools, attack and defense, wrong
    for load and skills. A relation that is needed but not loaded raises (lazy="raise"). `namer` names race,
    archetype and items (breakdowns and messages quote them), e.g. "[hidden]" for a viewer who may not see one.
    """
    return sheet_data(
        character,
        character.race,
        character.archetype,
        [Carried(entry.item, entry.quantity) for entry in character.inventory] if complete else [],
        [Worn(str(row.slot), row.item) for row in character.equipment],
        frozenset(skill.id for skill in character.skills) if complete else frozenset(),
        frozenset(perk.id for perk in character.perks) if complete else frozenset(),
        level_cap,
        complete=complete,
        namer=namer,
    )


def sheet_data(
    character: Character,
    race,
    archetype,
    inventory: list[Carried],
    equipment: list[Worn],
    skill_ids: frozenset,
    perk_ids: frozenset,
    level_cap: int = rules.MAX_LEVEL,
    *,
    complete: bool = True,
    namer: Namer | None = None,
) -> rules.CharacterData:
    """The character as the rules see it, from its row and the entries it names (ORM rows or reference entries)."""
    items: dict[Hashable, rules.ItemData] = {}

    def convert(item) -> rules.ItemData:
        if item.id not in items:
            items[item.id] = item_data(item, complete=complete, namer=namer)
        return items[item.id]

    return rules.CharacterData(
        name=character.name,
        base=base_scores(character),
        experience=character.experience,
        race=race_data(race, complete=complete, namer=namer),
        archetype=archetype_data(archetype, complete=complete, namer=namer),
        equipment={row.slot: convert(row.item) for row in equipment},
        inventory=[(convert(line.item), line.quantity) for line in inventory],
        skill_ids=skill_ids,
        perk_ids=perk_ids,
        level_cap=level_cap,
    )


def campaign_level_cap(campaign: Campaign | None) -> int:
    """A campaign's level cap as the rules apply it (20 without a campaign or a cap)."""
    return rules.CampaignRules(level_cap=campaign.level_cap).effective_level_cap if campaign else rules.MAX_LEVEL


def level_cap_of(membership: Membership | None, campaign: Campaign | None) -> int:
    """The level cap that applies: the campaign's while an APPROVED member, else 20."""
    if membership is None or membership.status != MembershipStatus.APPROVED:
        return rules.MAX_LEVEL
    return campaign_level_cap(campaign)


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
        return next((line for line in self.inventory if str(line.item_id) == str(item_id)), None)

    def skill_rows(self) -> list[dict[str, Any]]:
        """Every skill the character has, learned or granted by equipment, sorted by name."""
        return _known_rows(self.skills, self.data.skill_ids, self.sheet.skill_ids, self._granted("skills"))

    def perk_rows(self) -> list[dict[str, Any]]:
        """Every perk the character has, taken or granted by equipment, sorted by name."""
        return _known_rows(self.perks, self.data.perk_ids, self.sheet.perk_ids, self._granted("perks"))

    def _granted(self, kind: str) -> dict[Hashable, tuple[Any, list[str]]]:
        granted: dict[Hashable, tuple[Any, list[str]]] = {}
        for row in self.equipment:
            for entity in getattr(row.item, f"bonus_{kind}"):
                granted.setdefault(entity.id, (entity, []))[1].append(row.item.name)
        return granted


def _known_rows(learned, learned_ids, all_ids, granted) -> list[dict[str, Any]]:
    entities = {entity.id: entity for entity in learned}
    entities.update({key: entity for key, (entity, _) in granted.items() if key not in entities})
    rows = [
        {
            "entity": entities[key],
            "learned": key in learned_ids,
            "granted_by": sorted(set(granted.get(key, (None, []))[1])),
        }
        for key in all_ids
        if key in entities
    ]
    return sorted(rows, key=lambda row: row["entity"].name.casefold())


def load_sheet(
    actor, character_id, action: Action = Action.VIEW, *, perk_choices: bool = False, for_update: bool = False
) -> LoadedSheet:
    """Load a character, check `action` through access, compute the sheet: two queries whatever the inventory's
    size (plus the access module's own for a GM reading a PRIVATE character).

    One query reads the character with its active membership and campaign, one every row it owns (inventory,
    equipment, skills, perks); the compendium entries they name come from the worker's reference snapshot.
    `perk_choices` lists every perk the actor may see and the character has not taken. `for_update` locks the
    character's row until the commit and reads it afresh, so that a change checked against the sheet is checked
    against the latest one. Raises NotFound (may not see it) or Forbidden (may not do `action`).
    """
    key = _uuid(character_id)
    query = _CHARACTER_WITH_CAMPAIGN
    if for_update:
        # Objects already in the session (read earlier in the request) would otherwise keep their old values.
        query = query.with_for_update(of=Character).execution_options(populate_existing=True)
    row = db.session.execute(query, {"character_id": key}).first()
    if row is None:
        raise NotFound("No such character.")
    character, membership, campaign = row
    access.check(actor, action, character)
    owned = _owned_rows(character.id)
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
        namer=lambda obj: access.shown_name(actor, obj),
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


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("No such character.") from None


def _owned_rows(character_id) -> list[tuple]:
    """(kind, id, quantity, slot) of every row the character owns, in one query: "i" a stack in the pack, "e" an
    item worn in a slot, "s" a learned skill, "p" a taken perk."""
    rows = db.session.execute(_OWNED_ROWS, {"character_id": character_id})
    return [(kind, _as_uuid(ident), quantity, slot) for kind, ident, quantity, slot in rows]


def _owned_rows_query() -> sa.CompoundSelect:
    character_id = sa.bindparam("character_id", type_=sa.Uuid)
    number, text = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)
    return sa.union_all(
        sa.select(sa.literal("i"), InventoryEntry.item_id, InventoryEntry.quantity, text).where(
            InventoryEntry.character_id == character_id
        ),
        sa.select(sa.literal("e"), EquippedItem.item_id, number, sa.cast(EquippedItem.slot, sa.String)).where(
            EquippedItem.character_id == character_id
        ),
        sa.select(sa.literal("s"), character_skills.c.skill_id, number, text).where(
            character_skills.c.character_id == character_id
        ),
        sa.select(sa.literal("p"), character_perks.c.perk_id, number, text).where(
            character_perks.c.character_id == character_id
        ),
    )


# Built once: a statement built per request costs more than the query it runs.
_OWNED_ROWS = _owned_rows_query()
_CHARACTER_WITH_CAMPAIGN = (
    sa.select(Character, Membership, Campaign)
    .outerjoin(Membership, sa.and_(Membership.character_id == Character.id, Membership.active.is_(True)))
    .outerjoin(Campaign, Campaign.id == Membership.campaign_id)
    .where(Character.id == sa.bindparam("character_id", type_=sa.Uuid))
)


def _by_name(entry) -> tuple[str, str]:
    return entry.name, str(entry.id)


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


_KIND_OF_ROW = {"i": "items", "e": "items", "s": "skills", "p": "perks"}


def _named(character: Character, owned: list[tuple]) -> list[tuple[str, uuid.UUID]]:
    """Every (kind, id) of an entry the sheet names."""
    return [
        ("races", character.race_id),
        ("archetypes", character.archetype_id),
        *((_KIND_OF_ROW[kind], ident) for kind, ident, _, _ in owned),
    ]
