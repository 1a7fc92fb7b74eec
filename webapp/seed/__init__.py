"""Reference content for `flask seed`: system tags, skills, perks, races, archetypes and items, by name."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Archetype, Item, Perk, Race, Skill, Tag, Visibility
from webapp.seed.archetypes import ARCHETYPES
from webapp.seed.items import ITEMS
from webapp.seed.perks import PERKS
from webapp.seed.races import RACES
from webapp.seed.skills import SKILLS
from webapp.seed.tags import TAGS


def load_reference() -> dict[str, int]:
    """Insert or update all reference content in one transaction; returns how many of each kind it holds.

    Rows are matched by name among system content (no owner), so running it again changes, never duplicates.
    """
    tags = upsert(Tag, TAGS)
    skills = upsert(Skill, SKILLS, tags=tags)
    perks = upsert(Perk, PERKS, tags=tags)
    races = upsert(Race, RACES, skills=skills, tags=tags)
    archetypes = upsert(Archetype, ARCHETYPES, required_races=races, skills=skills, tags=tags)
    items = upsert(Item, ITEMS, bonus_skills=skills, bonus_perks=perks, tags=tags)
    db.session.commit()
    return {
        "tags": len(tags),
        "skills": len(skills),
        "perks": len(perks),
        "races": len(races),
        "archetypes": len(archetypes),
        "items": len(items),
    }


def upsert(model: type, rows: list[dict], **links: dict) -> dict:
    """Write rows of one model; each keyword names a relationship whose names resolve in the given lookup.

    Returns the written objects by name. New rows are PUBLIC; an existing row keeps its visibility, so
    content a moderator hid stays hidden.
    """
    existing = system_rows(model, links)
    written = {}
    for row in rows:
        obj = existing.get(row["name"])
        if obj is None:
            obj = model(owner_id=None, visibility=Visibility.PUBLIC)
            db.session.add(obj)
        for field, value in row.items():
            lookup = links.get(field)
            setattr(obj, field, value if lookup is None else [lookup[name] for name in value])
        written[obj.name] = obj
    return written


def system_rows(model: type, links: dict) -> dict:
    """Every system row of a model by name, with the named relationships loaded, in one query each."""
    query = (
        select(model)
        .where(model.owner_id.is_(None))
        .options(*(selectinload(getattr(model, relationship)) for relationship in links))
    )
    return {obj.name: obj for obj in db.session.scalars(query)}
