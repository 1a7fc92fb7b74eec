"""Characters: list, create, change and delete them; every rule is the rules engine's, every permission access's."""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp import invalidation, rules
from webapp.extensions import db
from webapp.invalidation import stale
from webapp.models import (
    ATTRIBUTE_NAMES,
    Archetype,
    Campaign,
    Character,
    Image,
    Membership,
    Perk,
    Race,
    Skill,
    Visibility,
)
from webapp.services import access, locks
from webapp.services.access import Action, Actor
from webapp.services.campaigns import campaign_rules_for
from webapp.services.errors import Conflict, InvalidInput, NotFound, RuleViolation, Violation
from webapp.services.sheets import CARD_OPTIONS, archetype_data, base_scores, race_data

MAX_NAME = 100
MAX_SEX = 30
MAX_DESCRIPTION = 5000
MAX_AGE = 100_000
IDENTITY_FIELDS = ("name", "sex", "age", "description")
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "race_id", "archetype_id", *ATTRIBUTE_NAMES, "visibility", "image_id")
CHOOSABLE_VISIBILITY = (Visibility.PUBLIC, Visibility.PRIVATE)
RACE_OPTIONS = (selectinload(Race.skills),)
ARCHETYPE_OPTIONS = (selectinload(Archetype.skills), selectinload(Archetype.required_races))


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
        query = query.where(Character.name.ilike(f"%{_escape_like(filters.search)}%", escape="\\"))
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_character(actor: Actor, character_id, action: Action = Action.VIEW) -> Character:
    """One character with race and archetype; raises NotFound (may not see it) or Forbidden (may not `action`)."""
    options = (joinedload(Character.race), joinedload(Character.archetype))
    return access.load(actor, Character, character_id, action, options=options)


# --- checks shared by the API, the pages, the builder and import --------------------------------------------


def identity_violations(fields: Mapping[str, Any]) -> list[Violation]:
    """Shape of the identity fields present in `fields`: name 1–100, sex ≤30, age 0–100000, description ≤5000."""
    problems = []
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            problems.append(Violation("name", "Give your character a name"))
        elif len(name) > MAX_NAME:
            problems.append(Violation("name", f"A name has at most {MAX_NAME} characters"))
    if len(fields.get("sex") or "") > MAX_SEX:
        problems.append(Violation("sex", f"Use at most {MAX_SEX} characters"))
    age = fields.get("age")
    if age is not None and not (isinstance(age, int) and 0 <= age <= MAX_AGE):
        problems.append(Violation("age", f"An age is a whole number from 0 to {MAX_AGE}"))
    if len(fields.get("description") or "") > MAX_DESCRIPTION:
        problems.append(Violation("description", f"A description has at most {MAX_DESCRIPTION} characters"))
    return problems


def name_violations(owner_id, name: str, exclude_id=None) -> list[Violation]:
    """A violation when the owner already has a character of that name (ignoring case)."""
    query = sa.select(Character.id).where(
        Character.owner_id == owner_id, sa.func.lower(Character.name) == name.strip().lower()
    )
    if exclude_id is not None:
        query = query.where(Character.id != exclude_id)
    if db.session.execute(query.limit(1)).first() is None:
        return []
    return [Violation("name", f"You already have a character called {name.strip()}")]


def visibility_violations(actor: Actor, obj, value) -> list[Violation]:
    """Owners pick PUBLIC or PRIVATE; only staff hide (or un-hide) a character."""
    try:
        visibility = Visibility(value)
    except ValueError:
        return [Violation("visibility", "Choose PUBLIC or PRIVATE")]
    if obj is None and visibility not in CHOOSABLE_VISIBILITY:
        return [Violation("visibility", "A new character is PUBLIC or PRIVATE")]
    if obj is not None and not access.may_set_visibility(actor, obj, visibility):
        return [Violation("visibility", "Only moderators hide a character or bring it back")]
    return []


def resolve(actor: Actor, model: type, object_id, field_name: str, options=()) -> Any:
    """The entry the actor may see, or InvalidInput on `field_name` when there is none by that id."""
    try:
        return access.load(actor, model, object_id, Action.VIEW, options=options)
    except NotFound:
        kind = model.__name__.lower()
        raise InvalidInput([Violation(field_name, f"There is no such {kind}")], f"There is no such {kind}.") from None


def resolve_image(actor: Actor, image_id) -> Image | None:
    """The portrait the actor may see (None removes it); InvalidInput on "image_id" for one they may not."""
    if image_id is None:
        return None
    try:
        return access.load(actor, Image, image_id, Action.VIEW)
    except NotFound:
        message = "There is no such image, or it is another player's private picture"
        raise InvalidInput([Violation("image_id", message)], message + ".") from None


def resolve_race(actor: Actor, race_id) -> Race:
    return resolve(actor, Race, race_id, "race_id", RACE_OPTIONS)


def resolve_archetype(actor: Actor, archetype_id) -> Archetype:
    return resolve(actor, Archetype, archetype_id, "archetype_id", ARCHETYPE_OPTIONS)


def visible_by_ids(actor: Actor, model: type, ids: Iterable, field_name: str) -> list:
    """The entries with these ids that the actor may see, in the order asked; InvalidInput names any missing."""
    wanted = []
    for value in ids:
        try:
            key = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            key = None
        wanted.append(key)
    keys = {key for key in wanted if key is not None}
    query = sa.select(model).where(model.id.in_(keys), access.visible(actor, model))
    found = {obj.id: obj for obj in db.session.execute(query).scalars()} if keys else {}
    kind = model.__name__.lower()
    missing = [Violation(field_name, f"There is no such {kind}") for key in wanted if key not in found]
    if missing:
        raise InvalidInput(missing, missing[0].message)
    return [found[key] for key in dict.fromkeys(wanted)]


def starting_violations(
    name: str,
    race: Race | None,
    archetype: Archetype | None,
    skills: Iterable[Skill] = (),
    perks: Iterable[Perk] = (),
    level: int = 1,
) -> list[Violation]:
    """Whether this race, archetype and these skills and perks go together at `level` (rules, one by one)."""
    race_rules, archetype_rules = race_data(race), archetype_data(archetype)
    problems = rules.check_archetype_race(name, archetype_rules, race_rules)
    known: set = set()
    for skill in skills:
        skill_rules = rules.SkillData(skill.id, skill.name, skill.required_level)
        problems += rules.check_learn_skill(name, level, skill_rules, race_rules, archetype_rules, known)
        known.add(skill.id)
    taken: set = set()
    for perk in perks:
        perk_rules = rules.PerkData(perk.id, perk.name, perk.required_level)
        problems += rules.check_take_perk(name, level, perk_rules, len(taken), taken)
        taken.add(perk.id)
    return problems


# --- changes ------------------------------------------------------------------------------------------------


def create_character(
    actor: Actor,
    fields: Mapping[str, Any],
    *,
    skill_ids: Iterable = (),
    perk_ids: Iterable = (),
    budget: int = rules.DEFAULT_BUDGET,
) -> Character:
    """Create a level-1 character owned by the actor, with starting skills and perks; commits once.

    Raises Forbidden (not signed in or unverified), InvalidInput (shape, a taken name, an unknown race, archetype,
    skill or perk) or RuleViolation (point buy over `budget`, archetype needs another race, a skill or perk
    above level 1 or not taught, too many perks).
    """
    owner = access.require_creator(actor)
    locks.lock_owner(owner.id)
    name = (fields.get("name") or "").strip()
    problems = identity_violations({**fields, "name": name})
    problems += visibility_violations(actor, None, fields.get("visibility", Visibility.PRIVATE))
    if name:
        problems += name_violations(owner.id, name)
    if problems:
        raise InvalidInput(problems, problems[0].message)
    race = resolve_race(actor, fields.get("race_id"))
    archetype = resolve_archetype(actor, fields.get("archetype_id"))
    skills = visible_by_ids(actor, Skill, skill_ids, "skill_ids")
    perks = visible_by_ids(actor, Perk, perk_ids, "perk_ids")
    image = resolve_image(actor, fields.get("image_id"))
    scores = {attribute: fields.get(attribute) for attribute in ATTRIBUTE_NAMES}
    rule_problems = rules.check_point_buy(scores, budget) + starting_violations(name, race, archetype, skills, perks)
    rules.RuleViolation.raise_if_any(rule_problems)
    character = Character(
        owner_id=owner.id,
        name=name,
        sex=(fields.get("sex") or "").strip(),
        age=fields.get("age"),
        description=(fields.get("description") or "").strip(),
        race_id=race.id,
        archetype_id=archetype.id,
        visibility=Visibility(fields.get("visibility", Visibility.PRIVATE)),
        experience=0,
        level=rules.level_for_xp(0),
        skills=skills,
        perks=perks,
        image_id=image.id if image is not None else None,
        **scores,
    )
    db.session.add(character)
    db.session.commit()
    return character


def update_character(
    actor: Actor,
    character_id,
    changes: Mapping[str, Any],
    *,
    budget: int | None = None,
    expect: Callable[[Character], None] | None = None,
) -> Character:
    """Change the named fields of a character; commits once. The point-buy budget defaults to the campaign's.

    `expect(character)` runs before any change (the API's If-Match). Raises NotFound, Forbidden, InvalidInput
    (unknown field, shape, taken name, unknown race, archetype or image, visibility not allowed) or RuleViolation
    (point buy, archetype needs another race).
    """
    unknown = [Violation(key, "Unknown field.") for key in changes if key not in EDITABLE_FIELDS]
    if unknown:
        raise InvalidInput(unknown, unknown[0].message)
    options = (
        joinedload(Character.race).selectinload(Race.skills),
        joinedload(Character.archetype).options(*ARCHETYPE_OPTIONS),
    )
    if "name" in changes:
        locks.lock_owner_of(Character, character_id)
    # Locked and read afresh: If-Match, the name and the point buy are checked against the latest character.
    character = access.load(actor, Character, character_id, Action.EDIT, options=options, for_update=True)
    if expect is not None:
        expect(character)
    changes = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    problems = identity_violations(changes)
    nullable = ("age", "image_id")
    problems += [
        Violation(key, "This can't be empty") for key in changes if key not in nullable and changes[key] is None
    ]
    if "visibility" in changes and changes["visibility"] is not None:
        problems += visibility_violations(actor, character, changes["visibility"])
    if changes.get("name") and changes["name"] != character.name:
        problems += name_violations(character.owner_id, changes["name"], exclude_id=character.id)
    if problems:
        raise InvalidInput(problems, problems[0].message)
    race = resolve_race(actor, changes["race_id"]) if "race_id" in changes else character.race
    archetype = resolve_archetype(actor, changes["archetype_id"]) if "archetype_id" in changes else character.archetype
    name = changes.get("name", character.name)
    rule_problems = []
    if "race_id" in changes or "archetype_id" in changes:
        rule_problems += rules.check_archetype_race(name, archetype_data(archetype), race_data(race))
    if any(attribute in changes for attribute in ATTRIBUTE_NAMES):
        if budget is None:
            campaign_rules = campaign_rules_for(character)
            budget = campaign_rules.effective_budget if campaign_rules else rules.DEFAULT_BUDGET
        rule_problems += rules.check_point_buy({**base_scores(character), **_scores(changes)}, budget)
    RuleViolation.raise_if_any(rule_problems)
    if "image_id" in changes:
        image = resolve_image(actor, changes["image_id"])
        changes = {**changes, "image_id": image.id if image is not None else None}
    for key, value in changes.items():
        if key == "visibility":
            value = Visibility(value)
        setattr(character, key, value)
    db.session.commit()
    return character


def _scores(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {attribute: changes[attribute] for attribute in ATTRIBUTE_NAMES if attribute in changes}


def delete_character(actor: Actor, character_id, *, expect: Callable[[Character], None] | None = None) -> None:
    """Delete a character with its inventory, equipment, skills and perks; commits once.

    Raises NotFound, Forbidden, or Conflict while it is in an active campaign (leave the campaign first).
    """
    # Locked: of parallel deletes one deletes, the others find nothing (404), as one after the other would.
    character = access.load(actor, Character, character_id, Action.DELETE, for_update=True)
    if expect is not None:
        expect(character)
    query = (
        sa.select(Campaign.id, Campaign.name)
        .join(Membership, Membership.campaign_id == Campaign.id)
        .where(Membership.character_id == character.id, Membership.active.is_(True))
    )
    campaigns = db.session.execute(query).all()
    if campaigns:
        message = f"{character.name} is in the campaign {campaigns[0].name}; leave it before deleting"
        references = [{"kind": "campaign", "id": str(row.id), "name": row.name} for row in campaigns]
        raise Conflict(message, references)
    # The database cascades to inventory, equipment, skills, perks and past memberships in one statement.
    db.session.execute(sa.delete(Character).where(Character.id == character.id))
    stale(db.session, invalidation.character(character.id), invalidation.pack(character.id), invalidation.CHARACTERS)
    db.session.commit()


def character_stats(actor: Actor) -> dict[str, Any]:
    """Counts over the characters the actor may see: total, per level, per race and per archetype."""
    seen = access.visible(actor, Character)
    per_level = db.session.execute(
        sa.select(Character.level, sa.func.count()).where(seen).group_by(Character.level).order_by(Character.level)
    ).all()
    return {
        "total": sum(count for _, count in per_level),
        "by_level": {str(level): count for level, count in per_level},
        "by_race": _counts_by(actor, seen, Character.race_id, Race, "race_id"),
        "by_archetype": _counts_by(actor, seen, Character.archetype_id, Archetype, "archetype_id"),
    }


def _counts_by(actor: Actor, seen, column, model, key: str) -> list[dict[str, Any]]:
    counts = db.session.execute(sa.select(column, sa.func.count()).where(seen).group_by(column)).all()
    found = db.session.execute(sa.select(model).where(model.id.in_([ident for ident, _ in counts]))).scalars()
    entries = {obj.id: obj for obj in found}
    rows = [
        {key: str(ident), "name": access.shown_name(actor, entries[ident]), "count": count} for ident, count in counts
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))
