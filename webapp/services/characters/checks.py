"""Checks of a character against what is stored (a name its owner already uses, who may hide it), shared by the
API, the pages, the builder and import, and the entries it names."""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import rules
from webapp.extensions import db
from webapp.models import Archetype, Character, Image, Perk, Race, Skill, Visibility
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.characters.inputs import NO_SUCH_IMAGE
from webapp.services.errors import InvalidInput, NotFound, Taken, Violation
from webapp.services.ids import uuid_or_none
from webapp.services.sheets import Namer, archetype_data, race_data

RACE_OPTIONS = (selectinload(Race.skills),)
ARCHETYPE_OPTIONS = (selectinload(Archetype.skills), selectinload(Archetype.required_races))


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


def visibility_violations(actor: Actor, character: Character, visibility: str) -> list[Violation]:
    """Owners pick PUBLIC or PRIVATE; only staff hide (or un-hide) a character."""
    hiding = "Only moderators hide a character or bring it back"
    refusal = access.visibility_refusal(actor, character, Visibility(visibility), hiding)
    return [] if refusal is None else [Violation("visibility", refusal)]


def resolve_image(actor: Actor, image_id) -> Image | None:
    """The portrait the actor may see (None removes it); InvalidInput on "image_id" for one they may not."""
    if image_id is None:
        return None
    try:
        return access.load(actor, Image, image_id, Action.VIEW)
    except NotFound:
        raise InvalidInput([Violation("image_id", NO_SUCH_IMAGE)], NO_SUCH_IMAGE + ".") from None


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
    namer: Namer | None = None,
) -> list[Violation]:
    """Whether this race, archetype and these skills and perks go together at `level` (rules, one by one);
    `namer` names the race, the archetype and the races it requires as the actor may see them."""
    race_rules, archetype_rules = race_data(race, namer=namer), archetype_data(archetype, namer=namer)
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
