"""Checks on a character's fields shared by the API, the pages, the builder and import, and the entries it names."""

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import rules
from webapp.extensions import db
from webapp.models import ATTRIBUTE_NAMES, Archetype, Character, Image, Perk, Race, Skill, Visibility
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import InvalidInput, NotFound, Taken, Violation
from webapp.services.ids import uuid_or_none
from webapp.services.sheets import archetype_data, race_data

MAX_NAME = 100
MAX_SEX = 30
MAX_DESCRIPTION = 5000
MAX_AGE = 100_000
IDENTITY_FIELDS = ("name", "sex", "age", "description")
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "race_id", "archetype_id", *ATTRIBUTE_NAMES, "visibility", "image_id")
CHOOSABLE_VISIBILITY = (Visibility.PUBLIC, Visibility.PRIVATE)
RACE_OPTIONS = (selectinload(Race.skills),)
ARCHETYPE_OPTIONS = (selectinload(Archetype.skills), selectinload(Archetype.required_races))


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
    return [Taken("name", f"You already have a character called {name.strip()}")]


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
    return access.load_chosen(actor, Race, race_id, "race_id", RACE_OPTIONS)


def resolve_archetype(actor: Actor, archetype_id) -> Archetype:
    return access.load_chosen(actor, Archetype, archetype_id, "archetype_id", ARCHETYPE_OPTIONS)


def visible_by_ids(actor: Actor, model: type, ids: Iterable, field_name: str) -> list:
    """The entries with these ids that the actor may see, in the order asked; InvalidInput names any missing."""
    wanted = [uuid_or_none(value) for value in ids]
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
