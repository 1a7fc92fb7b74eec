"""Characters over JSON: list, read, create, change, delete, their sheet, skills, perks, experience, export, import."""

import uuid
from typing import Literal

from pydantic import Field, create_model

from webapp import character_views, rules
from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.sheet_shapes import KnownOut, SheetOut
from webapp.api.spec import BadQuery, endpoint
from webapp.api.wire import Moment, Out, ViolationOut, id_or_null, iso, list_of, page_json, page_of
from webapp.list_queries import ListQuery
from webapp.models import ATTRIBUTE_NAMES, Character, Visibility
from webapp.services import access, character_growth, character_transfer, characters
from webapp.services.character_growth import ExperienceAward, PerkPick, SkillPick
from webapp.services.characters import CharacterCreate, CharacterPatch
from webapp.services.errors import InvalidInput, Violation
from webapp.services.inputs import Id
from webapp.services.pagination import paginate
from webapp.services.sheets import LoadedSheet, load_sheet
from webapp.services.tallies import Tally

TAG = "characters"
SORTS = {"created_at": Character.created_at, "name": Character.name, "level": Character.level}


class _CharacterListBase(ListQuery):
    mine: bool = Field(False, description="Only the caller's own characters.")
    race_id: Id | None = None
    archetype_id: Id | None = None
    sort: Literal["created_at", "name", "level"] = "created_at"


SCORE_MIN, SCORE_MAX = rules.MIN_EFFECTIVE, rules.MAX_EFFECTIVE

# Every list filters a range as the compendium does: `min_level` / `max_level`, `min_strength` … The names this
# list took first (`level_min`, `strength_min` …) still work, documented as deprecated.
RANGES = {"level": (1, 20), **{attribute: (SCORE_MIN, SCORE_MAX) for attribute in ATTRIBUTE_NAMES}}
OLD_NAMES = {f"{name}_{end}": f"{end}_{name}" for name in RANGES for end in ("min", "max")}


def _range_fields() -> dict:
    fields = {}
    for name, (low, high) in RANGES.items():
        what = "level" if name == "level" else f"base {name}"
        for end in ("min", "max"):
            word = "Lowest" if end == "min" else "Highest"
            fields[f"{end}_{name}"] = (int | None, Field(None, ge=low, le=high, description=f"{word} {what}."))
    for old, new in OLD_NAMES.items():
        low, high = RANGES[new.split("_", 1)[1]]
        deprecated = {"description": f"Deprecated: use `{new}`.", "json_schema_extra": {"deprecated": True}}
        fields[old] = (int | None, Field(None, ge=low, le=high, **deprecated))
    return fields


CharacterListQuery = create_model("CharacterListQuery", __base__=_CharacterListBase, **_range_fields())


def _ranges(query) -> dict[str, tuple[int | None, int | None]]:
    """Each range as (lowest, highest), a deprecated name standing in for its new one; BadQuery when both names
    are given different values, or a range is upside down (named as the compendium names it)."""
    given = {new: getattr(query, new) for new in OLD_NAMES.values()}
    problems = []
    for old, new in OLD_NAMES.items():
        value = getattr(query, old)
        if value is not None and given[new] not in (None, value):
            problems.append(Violation(old, f"{old} is the old name of {new}: give one of them."))
        elif value is not None:
            given[new] = value
    ranges = {name: (given[f"min_{name}"], given[f"max_{name}"]) for name in RANGES}
    for name, (low, high) in ranges.items():
        if low is not None and high is not None and low > high:
            problems.append(Violation(f"max_{name}", f"max_{name} ({high}) is below min_{name} ({low})"))
    if problems:
        raise BadQuery(problems)
    return ranges


class CharacterOut(Out):
    id: uuid.UUID
    owner_id: uuid.UUID | None
    name: str
    sex: str
    age: int | None
    description: str
    race_id: uuid.UUID
    archetype_id: uuid.UUID
    strength: int = Field(description="Base score (before race and equipment; see the sheet)")
    constitution: int = Field(description="Base score")
    dexterity: int = Field(description="Base score")
    intelligence: int = Field(description="Base score")
    wisdom: int = Field(description="Base score")
    charisma: int = Field(description="Base score")
    visibility: Visibility
    image_id: uuid.UUID | None = Field(description="The portrait, or null for the generated placeholder.")
    level: int = Field(description="From experience, capped at 20 (or the campaign's level cap).")
    experience: int
    created_at: Moment
    updated_at: Moment


class CountedOut(Out):
    name: str
    count: int


class RaceCountOut(CountedOut):
    race_id: uuid.UUID


class ArchetypeCountOut(CountedOut):
    archetype_id: uuid.UUID


class CharacterStatsOut(Out):
    total: int
    by_level: dict[str, int] = Field(description="Characters per level (the level as text).")
    by_race: list[RaceCountOut]
    by_archetype: list[ArchetypeCountOut]


class ImportOut(Out):
    character: CharacterOut
    unmatched: list[ViolationOut] = Field(description="What the file named that nothing here matched: left out.")
    notes: list[str] = Field(description="What was changed to fit, e.g. a name you already use.")


def serialise(character: Character) -> dict:
    """The character shape of SPEC §6.1: the create / PATCH fields plus id, owner_id, level, experience, times."""
    return {
        "id": str(character.id),
        "owner_id": id_or_null(character.owner_id),
        "name": character.name,
        "sex": character.sex,
        "age": character.age,
        "description": character.description,
        "race_id": str(character.race_id),
        "archetype_id": str(character.archetype_id),
        **{attribute: getattr(character, attribute) for attribute in ATTRIBUTE_NAMES},
        "visibility": Visibility(character.visibility).value,
        "image_id": id_or_null(character.image_id),
        "level": character.level,
        "experience": character.experience,
        "created_at": iso(character.created_at),
        "updated_at": iso(character.updated_at),
    }


def stats_json(counts: characters.CharacterCounts) -> dict:
    """GET /characters/stats: totals by level, race and archetype."""

    def by(key: str, rows: list[Tally]) -> list[dict]:
        return [{key: str(row.id), "name": row.name, "count": row.count} for row in rows]

    return {
        "total": counts.total,
        "by_level": {str(level): count for level, count in counts.by_level.items()},
        "by_race": by("race_id", counts.by_race),
        "by_archetype": by("archetype_id", counts.by_archetype),
    }


def _fresh(current: Character) -> None:
    require_fresh(serialise(current), CharacterOut)


def _public(caller) -> bool:
    # Anonymous callers only ever see PUBLIC characters, so their answers may be cached by anyone.
    return caller.user is None


@endpoint(
    "GET",
    "/characters",
    "List characters",
    TAG,
    query=CharacterListQuery,
    response=page_of(CharacterOut),
    errors={403},  # mine=true, not signed in
)
def character_list(caller, query):
    ranges = _ranges(query)
    filters = characters.CharacterFilters(
        mine=query.mine,
        race_id=query.race_id,
        archetype_id=query.archetype_id,
        level_min=ranges["level"][0],
        level_max=ranges["level"][1],
        attributes={attribute: ranges[attribute] for attribute in ATTRIBUTE_NAMES},
        search=query.search,
    )
    try:
        select = characters.character_query(caller.user, filters)
    except InvalidInput as error:
        raise BadQuery(error.violations) from None
    if caller.campaign_id is not None:  # a token tied to one campaign lists that campaign's characters
        select = select.where(Character.id.in_(access.campaign_character_ids(caller.campaign_id)))
    rows, pagination = paginate(select, Character, SORTS[query.sort], query.limit, query.cursor, query.order)
    return json_response(page_json([serialise(c) for c in rows], pagination), public=_public(caller))


@endpoint("GET", "/characters/stats", "Character statistics", TAG, response=CharacterStatsOut)
def character_stats(caller):
    return json_response(stats_json(characters.character_stats(caller.user)), public=_public(caller))


@endpoint(
    "POST",
    "/characters",
    "Create a character",
    TAG,
    body=CharacterCreate,
    response=CharacterOut,
    status=201,
    auth="write",
    errors={409},
    links={"character_id": "$response.body#/id"},
)
def character_create(caller, body: CharacterCreate):
    character = characters.create_character(caller.user, body)
    location = f"/api/v1/characters/{character.id}"
    return json_response(serialise(character), status=201, headers={"Location": location})


@endpoint("GET", "/characters/<uuid:character_id>", "Get a character", TAG, response=CharacterOut, kept="api_character")
def character_get(caller, character_id):
    def build():
        # The character's own row: its shape names race and archetype by id, so they are not joined. A personal
        # token's check against the database brought it along (caller.py); it is checked as a loaded one would be.
        read = caller.character
        if read is not None and read.id == character_id:
            character = access.check(caller.user, access.Action.VIEW, read)
        else:
            character = access.load(caller.user, Character, character_id)
        return json_response(serialise(character), public=_public(caller))

    return character_views.respond("api_character", character_id, build)


@endpoint(
    "PATCH",
    "/characters/<uuid:character_id>",
    "Change a character",
    TAG,
    body=CharacterPatch,
    response=CharacterOut,
    auth="write",
    if_match=True,
    errors={409},
)
def character_update(caller, character_id, body: CharacterPatch):
    character = characters.update_character(caller.user, character_id, body, expect=_fresh)
    return json_response(serialise(character))


@endpoint(
    "DELETE",
    "/characters/<uuid:character_id>",
    "Delete a character",
    TAG,
    status=204,
    auth="write",
    if_match=True,
    errors={409},
)
def character_delete(caller, character_id):
    characters.delete_character(caller.user, character_id, expect=_fresh)
    return no_content()


def sheet_json(actor, loaded: LoadedSheet) -> dict:
    """GET /characters/<id>/sheet: the rules' sheet with skills, perks and equipment named for this actor."""
    equipment = {slot: None for slot in loaded.sheet.equipment_ids}
    for row in loaded.equipment:
        equipment[row.slot] = {
            "id": str(row.item.id),
            "name": access.shown_name(actor, row.item),
            "slot": str(row.item.slot),
            "rarity": str(row.item.rarity),
        }
    return loaded.sheet.to_dict(
        skills=[_known(actor, row) for row in loaded.skill_rows(access.namer(actor))],
        perks=[_known(actor, row) for row in loaded.perk_rows(access.namer(actor))],
        equipment=equipment,
    )


def _known(actor, row: dict) -> dict:
    entity = row["entity"]
    return {
        "id": str(entity.id),
        "name": access.shown_name(actor, entity),
        "required_level": entity.required_level,
        "learned": row["learned"],
        "granted_by": row["granted_by"],
    }


@endpoint(
    "GET",
    "/characters/<uuid:character_id>/sheet",
    "A character's sheet with breakdowns",
    TAG,
    response=SheetOut,
    kept="api_sheet",
)
def character_sheet(caller, character_id):
    def build():
        return json_response(sheet_json(caller.user, load_sheet(caller.user, character_id)), public=_public(caller))

    return character_views.respond("api_sheet", character_id, build)


def _known_list(actor, character_id, kind: str) -> dict:
    loaded = load_sheet(actor, character_id)
    named = access.namer(actor)
    rows = loaded.skill_rows(named) if kind == "skills" else loaded.perk_rows(named)
    return {"data": [_known(actor, row) for row in rows]}


@endpoint("GET", "/characters/<uuid:character_id>/skills", "A character's skills", TAG, response=list_of(KnownOut))
def character_skills(caller, character_id):
    return json_response(_known_list(caller.user, character_id, "skills"), public=_public(caller))


@endpoint(
    "POST",
    "/characters/<uuid:character_id>/skills",
    "Learn a skill",
    TAG,
    body=SkillPick,
    response=list_of(KnownOut),
    status=201,
    auth="write",
    links={"skill_id": "$request.body#/skill_id"},
)
def character_skill_learn(caller, character_id, body: SkillPick):
    character_growth.learn_skill(caller.user, character_id, body)
    return json_response(_known_list(caller.user, character_id, "skills"), status=201)


@endpoint(
    "DELETE", "/characters/<uuid:character_id>/skills/<uuid:skill_id>", "Forget a skill", TAG, status=204, auth="write"
)
def character_skill_forget(caller, character_id, skill_id):
    character_growth.forget_skill(caller.user, character_id, skill_id)
    return no_content()


@endpoint("GET", "/characters/<uuid:character_id>/perks", "A character's perks", TAG, response=list_of(KnownOut))
def character_perks(caller, character_id):
    return json_response(_known_list(caller.user, character_id, "perks"), public=_public(caller))


@endpoint(
    "POST",
    "/characters/<uuid:character_id>/perks",
    "Take a perk",
    TAG,
    body=PerkPick,
    response=list_of(KnownOut),
    status=201,
    auth="write",
    links={"perk_id": "$request.body#/perk_id"},
)
def character_perk_take(caller, character_id, body: PerkPick):
    character_growth.take_perk(caller.user, character_id, body)
    return json_response(_known_list(caller.user, character_id, "perks"), status=201)


@endpoint(
    "DELETE", "/characters/<uuid:character_id>/perks/<uuid:perk_id>", "Give up a perk", TAG, status=204, auth="write"
)
def character_perk_forget(caller, character_id, perk_id):
    character_growth.forget_perk(caller.user, character_id, perk_id)
    return no_content()


@endpoint(
    "POST",
    "/characters/<uuid:character_id>/experience",
    "Add experience",
    TAG,
    body=ExperienceAward,
    response=CharacterOut,
    auth="write",
    if_match=True,
)
def character_experience(caller, character_id, body: ExperienceAward):
    character = character_growth.add_experience(caller.user, character_id, body, expect=_fresh)
    return json_response(serialise(character))


@endpoint(
    "GET",
    "/characters/<uuid:character_id>/export",
    "Export a character as JSON",
    TAG,
    response=character_transfer.CharacterDocument,
)
def character_export(caller, character_id):
    document = character_transfer.export_character(caller.user, character_id)
    return json_response(document, public=_public(caller))


@endpoint(
    "POST",
    "/characters/import",
    "Import a character from JSON",
    TAG,
    body=character_transfer.CharacterDocument,
    response=ImportOut,
    status=201,
    auth="write",
    links={"character_id": "$response.body#/character/id"},
)
def character_import(caller, body):
    result = character_transfer.import_character(caller.user, body)
    data = {
        "character": serialise(result.character),
        "unmatched": [{"field": v.field, "message": v.message} for v in result.unmatched],
        "notes": result.notes,
    }
    return json_response(data, status=201, headers={"Location": f"/api/v1/characters/{result.character.id}"})
