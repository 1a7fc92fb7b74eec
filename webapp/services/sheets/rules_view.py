"""A character as the rules see it: its race, archetype, items and scores as plain data, and its level cap."""

import dataclasses
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import joinedload, selectinload

from webapp import rules
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
from webapp.reference import Entry

# A character's race and archetype as the rules read them. A race is reached twice, as the character's and as one
# its archetype requires (a Runesmith must be a Dwarf): both paths load its skills, or a query with
# populate_existing (a locked read) resets them on the second path.
RACE_AND_ARCHETYPE_OPTIONS = (
    joinedload(Character.race).selectinload(Race.skills),
    joinedload(Character.archetype).selectinload(Archetype.skills),
    joinedload(Character.archetype).selectinload(Archetype.required_races).selectinload(Race.skills),
)
# The same relations through plain ORM loading (more queries than load_sheet); for callers with their own query.
SHEET_OPTIONS = (
    *RACE_AND_ARCHETYPE_OPTIONS,
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


# The rules data of reference items, built once per entry: entries are immutable and a sheet converts every item it
# carries. Keyed by id and checked by identity, so an entry loaded again is converted again; one per item at most,
# and emptied when deleted items' leftovers make it outgrow any compendium.
_ITEM_RULES: dict[Hashable, tuple[Entry, rules.ItemData]] = {}
_ITEM_RULES_HELD_AT_MOST = 50_000


def _item_rules(item, complete: bool, namer: Namer | None) -> rules.ItemData:
    """item_data(item), taken from _ITEM_RULES when the item is a reference entry; `namer` still names it."""
    if not complete or not isinstance(item, Entry):
        return item_data(item, complete=complete, namer=namer)
    held = _ITEM_RULES.get(item.id)
    if held is None or held[0] is not item:
        if len(_ITEM_RULES) >= _ITEM_RULES_HELD_AT_MOST:
            _ITEM_RULES.clear()
        held = _ITEM_RULES[item.id] = (item, item_data(item))
    data = held[1]
    name = _name(item, namer)
    return data if name == data.name else dataclasses.replace(data, name=name)


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
            items[item.id] = _item_rules(item, complete, namer)
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
        conditions=frozenset(character.conditions or ()),
        health_lost=character.health_lost or 0,
    )


def campaign_level_cap(campaign: Campaign | None) -> int:
    """A campaign's level cap as the rules apply it (20 without a campaign or a cap)."""
    return rules.CampaignRules(level_cap=campaign.level_cap).effective_level_cap if campaign else rules.MAX_LEVEL


def level_cap_of(membership: Membership | None, campaign: Campaign | None) -> int:
    """The level cap that applies: the campaign's while an APPROVED member, else 20."""
    if membership is None or membership.status != MembershipStatus.APPROVED:
        return rules.MAX_LEVEL
    return campaign_level_cap(campaign)
