"""Changing characters: created at level 1 with starting skills and perks, edited, deleted; each commits once."""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from webapp import invalidation, rules
from webapp.extensions import db
from webapp.invalidation import stale
from webapp.models import ATTRIBUTE_NAMES, Campaign, Character, Membership, Perk, Skill, Visibility
from webapp.services import access, locks
from webapp.services.access import Action, Actor
from webapp.services.campaigns import campaign_rules_for
from webapp.services.characters import checks
from webapp.services.characters.inputs import CharacterCreate, CharacterPatch
from webapp.services.commits import commit_keeping_objects
from webapp.services.errors import Conflict, InvalidInput, RuleViolation
from webapp.services.sheets import (
    RACE_AND_ARCHETYPE_OPTIONS,
    LoadedSheet,
    archetype_data,
    base_scores,
    load_locked,
    race_data,
)


def create_character(
    actor: Actor,
    body: CharacterCreate,
    *,
    skill_ids: Iterable = (),
    perk_ids: Iterable = (),
    budget: int = rules.DEFAULT_BUDGET,
) -> Character:
    """Create a level-1 character owned by the actor, with starting skills and perks; commits once.

    Raises Forbidden (not signed in or unverified), InvalidInput (a taken name, an unknown race, archetype, skill,
    perk or image) or RuleViolation (point buy over `budget`, archetype needs another race, a skill or perk above
    level 1 or not taught, too many perks).
    """
    owner = access.require_creator(actor)
    locks.lock_owner(owner.id)
    problems = checks.name_violations(owner.id, body.name)
    if problems:
        raise InvalidInput(problems, problems[0].message)
    race = checks.resolve_race(actor, body.race_id)
    archetype = checks.resolve_archetype(actor, body.archetype_id)
    skills = checks.visible_by_ids(actor, Skill, skill_ids, "skill_ids")
    perks = checks.visible_by_ids(actor, Perk, perk_ids, "perk_ids")
    image = checks.resolve_image(actor, body.image_id)
    scores = body.scores()
    rule_problems = rules.check_point_buy(scores, budget) + checks.starting_violations(
        body.name, race, archetype, skills, perks, namer=access.namer(actor)
    )
    rules.RuleViolation.raise_if_any(rule_problems)
    character = Character(
        owner_id=owner.id,
        name=body.name,
        sex=body.sex,
        age=body.age,
        description=body.description,
        race_id=race.id,
        archetype_id=archetype.id,
        visibility=Visibility(body.visibility),
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
    patch: CharacterPatch,
    *,
    budget: int | None = None,
    expect: Callable[[Character], None] | None = None,
) -> Character:
    """Change the fields the patch gives; commits once. The point-buy budget defaults to the campaign's.

    `expect(character)` runs before any change (the API's If-Match). Raises NotFound, Forbidden, InvalidInput
    (taken name, unknown race, archetype or image, visibility not allowed) or RuleViolation (point buy, archetype
    needs another race).
    """
    changes = patch.changes()
    if "name" in changes:
        locks.lock_owner_of(Character, character_id)
    # Locked and read afresh: If-Match, the name and the point buy are checked against the latest character.
    character = access.load(
        actor, Character, character_id, Action.EDIT, options=RACE_AND_ARCHETYPE_OPTIONS, for_update=True
    )
    if expect is not None:
        expect(character)
    problems = []
    if "visibility" in changes:
        problems += checks.visibility_violations(actor, character, changes["visibility"])
    if "name" in changes and changes["name"] != character.name:
        problems += checks.name_violations(character.owner_id, changes["name"], exclude_id=character.id)
    if problems:
        raise InvalidInput(problems, problems[0].message)
    race = checks.resolve_race(actor, changes["race_id"]) if "race_id" in changes else character.race
    archetype = (
        checks.resolve_archetype(actor, changes["archetype_id"]) if "archetype_id" in changes else character.archetype
    )
    name = changes.get("name", character.name)
    rule_problems = []
    reshaped = "race_id" in changes or "archetype_id" in changes
    # The sheet as it stands, read under the lock: the skills it learned and the load it carries.
    loaded = load_locked(actor, character.id) if reshaped or _scores(changes) else None
    if reshaped:
        named = access.namer(actor)
        race_rules, archetype_rules = race_data(race, namer=named), archetype_data(archetype, namer=named)
        rule_problems += rules.check_archetype_race(name, archetype_rules, race_rules)
        learned = [rules.SkillData(skill.id, named(skill), skill.required_level) for skill in loaded.skills]
        field = "race_id" if "race_id" in changes else "archetype_id"
        rule_problems += rules.check_still_taught(name, learned, race_rules, archetype_rules, field)
    if any(attribute in changes for attribute in ATTRIBUTE_NAMES):
        if budget is None:
            campaign_rules = campaign_rules_for(character)
            budget = campaign_rules.effective_budget if campaign_rules else rules.DEFAULT_BUDGET
        rule_problems += rules.check_point_buy({**base_scores(character), **_scores(changes)}, budget)
    RuleViolation.raise_if_any(rule_problems)
    if "race_id" in changes or any(attribute in changes for attribute in ATTRIBUTE_NAMES):
        RuleViolation.raise_if_any(_capacity_problems(actor, loaded, race, changes))
    if "image_id" in changes:
        image = checks.resolve_image(actor, changes["image_id"])
        changes = {**changes, "image_id": image.id if image is not None else None}
    for key, value in changes.items():
        if key == "visibility":
            value = Visibility(value)
        setattr(character, key, value)
    # The answer is what was written, read under the lock: reading it back could find the row already deleted.
    commit_keeping_objects()
    return character


def _capacity_problems(actor: Actor, loaded: LoadedSheet, race, changes: Mapping[str, Any]) -> list:
    """A lower strength, or a race with a lower bonus, may not leave the pack past twice the new capacity, as taking
    off a belt of strength may not (rules.check_capacity_change)."""
    data, character = loaded.data, loaded.character
    new_race = race_data(race, namer=access.namer(actor)) if "race_id" in changes else data.race
    after = rules.compute_sheet(dataclasses.replace(data, base={**data.base, **_scores(changes)}, race=new_race))
    field = next((name for name in ("strength", "race_id") if name in changes), None) or next(iter(_scores(changes)))
    load, capacity = loaded.sheet.load.value, loaded.sheet.capacity.value
    return rules.check_capacity_change(character.name, load, capacity, after.capacity.value, field)


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
