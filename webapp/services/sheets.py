"""A character as the rules see it, and one loader that fetches everything its sheet needs in five queries."""

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp import invalidation, rules
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
    Perk,
    Race,
    Skill,
)
from webapp.models.character import character_perks, character_skills
from webapp.models.compendium import archetype_skills, race_skills
from webapp.models.item import item_bonus_perks, item_bonus_skills
from webapp.services import access
from webapp.services.access import Action
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
    """The character as the rules see it.

    complete=True needs everything load_sheet (or SHEET_OPTIONS) loads. complete=False needs only CARD_OPTIONS
    and leaves inventory, skills, perks and granted bonuses empty: right for attributes, pools, attack and
    defense, wrong for load and skills. A relation that is needed but not loaded raises (lazy="raise").
    `namer` names race, archetype and items (breakdowns and messages quote them), e.g. "[hidden]" for a viewer
    who may not see one.
    """
    items: dict[Hashable, rules.ItemData] = {}

    def convert(item: Item) -> rules.ItemData:
        if item.id not in items:
            items[item.id] = item_data(item, complete=complete, namer=namer)
        return items[item.id]

    equipment = {str(row.slot): convert(row.item) for row in character.equipment}
    inventory = [(convert(entry.item), entry.quantity) for entry in character.inventory] if complete else []
    return rules.CharacterData(
        name=character.name,
        base=base_scores(character),
        experience=character.experience,
        race=race_data(character.race, complete=complete, namer=namer),
        archetype=archetype_data(character.archetype, complete=complete, namer=namer),
        equipment=equipment,
        inventory=inventory,
        skill_ids=frozenset(skill.id for skill in character.skills) if complete else frozenset(),
        perk_ids=frozenset(perk.id for perk in character.perks) if complete else frozenset(),
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
    """A character with every relation its sheet reads, its active membership (if any) and the computed sheet."""

    character: Character
    membership: Membership | None
    campaign: Campaign | None
    data: rules.CharacterData
    sheet: rules.Sheet
    perk_choices: list[Perk] | None = None  # visible perks not yet taken, when asked for (sorted by level, name)

    def generations(self) -> list[str]:
        """The cache generations this sheet was read from (see webapp/invalidation.py)."""
        return [*invalidation.character_view(self.character.id), invalidation.user(self.character.owner_id)]

    @property
    def in_campaign(self) -> bool:
        """True while the character is an APPROVED member of an active campaign."""
        return self.membership is not None and self.membership.status == MembershipStatus.APPROVED

    def skill_rows(self) -> list[dict[str, Any]]:
        """Every skill the character has, learned or granted by equipment, sorted by name."""
        return _known_rows(self.character.skills, self.data.skill_ids, self.sheet.skill_ids, self._granted("skills"))

    def perk_rows(self) -> list[dict[str, Any]]:
        """Every perk the character has, taken or granted by equipment, sorted by name."""
        return _known_rows(self.character.perks, self.data.perk_ids, self.sheet.perk_ids, self._granted("perks"))

    def _granted(self, kind: str) -> dict[Hashable, tuple[Any, list[str]]]:
        granted: dict[Hashable, tuple[Any, list[str]]] = {}
        for row in self.character.equipment:
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
    """Load a character and all its sheet needs, check `action` through access, compute the sheet.

    Five queries whatever the inventory's size (plus the access module's own for a GM reading a PRIVATE
    character): the character with race, archetype, required races and active membership; inventory; equipment;
    every skill and every perk involved (with `perk_choices`, also every perk the actor may see, in the same
    query). `for_update` locks the character's row until the commit and reads everything afresh, so that a
    change checked against the sheet is checked against the latest one. Raises NotFound (may not see it) or
    Forbidden (may not do `action`).
    """
    key = _uuid(character_id)
    query = (
        sa.select(Character, Membership, Campaign)
        .outerjoin(Membership, sa.and_(Membership.character_id == Character.id, Membership.active.is_(True)))
        .outerjoin(Campaign, Campaign.id == Membership.campaign_id)
        .where(Character.id == key)
        .options(
            joinedload(Character.race),
            joinedload(Character.archetype).joinedload(Archetype.required_races),
            selectinload(Character.inventory).joinedload(InventoryEntry.item),
            selectinload(Character.equipment).joinedload(EquippedItem.item),
        )
    )
    if for_update:
        # Objects already in the session (read earlier in the request) would otherwise keep their old values.
        query = query.with_for_update(of=Character).execution_options(populate_existing=True)
    row = db.session.execute(query).unique().first()
    if row is None:
        raise NotFound("No such character.")
    character, membership, campaign = row
    access.check(actor, action, character)
    choices = _attach_skills_and_perks(character, actor, perk_choices)
    data = character_data(
        character, level_cap_of(membership, campaign), namer=lambda obj: access.shown_name(actor, obj)
    )
    loaded = LoadedSheet(character, membership, campaign, data, rules.compute_sheet(data))
    if perk_choices:
        loaded.perk_choices = sorted(
            (perk for perk in choices if perk.id not in data.perk_ids), key=lambda p: (p.required_level, p.name)
        )
    return loaded


def load_locked(actor, character_id, action: Action = Action.EDIT) -> LoadedSheet:
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


def _attach_skills_and_perks(character: Character, actor=None, with_choices: bool = False) -> list[Perk]:
    """Fill the skill and perk lists of the character, its race, archetype and items: one query for each kind.

    With `with_choices`, returns every perk the actor may see (else an empty list), from the same query.
    """
    items = {entry.item.id: entry.item for entry in character.inventory}
    items.update({row.item.id: row.item for row in character.equipment})
    skills = _linked(
        Skill,
        [
            ("character", character_skills.c.character_id, character_skills.c.skill_id, [character.id]),
            ("race", race_skills.c.race_id, race_skills.c.skill_id, [character.race_id]),
            ("archetype", archetype_skills.c.archetype_id, archetype_skills.c.skill_id, [character.archetype_id]),
            ("item", item_bonus_skills.c.item_id, item_bonus_skills.c.skill_id, list(items)),
        ],
    )
    perk_links = [
        ("character", character_perks.c.character_id, character_perks.c.perk_id, [character.id]),
        ("item", item_bonus_perks.c.item_id, item_bonus_perks.c.perk_id, list(items)),
    ]
    extra = []
    if with_choices:
        owner = sa.cast(sa.null(), sa.Uuid)
        extra.append(sa.select(sa.literal("choice", sa.String), owner, Perk.id).where(access.visible(actor, Perk)))
    perks = _linked(Perk, perk_links, extra)
    set_committed_value(character, "skills", skills.get(("character", character.id), []))
    set_committed_value(character.race, "skills", skills.get(("race", character.race_id), []))
    set_committed_value(character.archetype, "skills", skills.get(("archetype", character.archetype_id), []))
    set_committed_value(character, "perks", perks.get(("character", character.id), []))
    for item_id, item in items.items():
        set_committed_value(item, "bonus_skills", skills.get(("item", item_id), []))
        set_committed_value(item, "bonus_perks", perks.get(("item", item_id), []))
    return perks.get(("choice", None), [])


def _linked(model, links, extra=()) -> dict[tuple[str, Any], list]:
    """Rows of `model` reached through several association tables (and `extra` selects of the same three
    columns), grouped by (kind, owner id), sorted by name."""
    parts = [
        sa.select(sa.literal(kind, sa.String).label("kind"), owner.label("owner_id"), target.label("target_id")).where(
            owner.in_(owner_ids)
        )
        for kind, owner, target, owner_ids in links
        if owner_ids
    ]
    union = sa.union_all(*parts, *extra).subquery()
    query = (
        sa.select(model, union.c.kind, union.c.owner_id)
        .join(union, union.c.target_id == model.id)
        .order_by(model.name, model.id)
    )
    grouped: dict[tuple[str, Any], list] = {}
    for entity, kind, owner_id in db.session.execute(query):
        grouped.setdefault((kind, owner_id), []).append(entity)
    return grouped
