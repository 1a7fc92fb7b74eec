"""A character grows: experience and level, skills learned or forgotten, perks taken or given up."""

from collections.abc import Callable

import sqlalchemy as sa
from pydantic import Field

from webapp import invalidation, rules
from webapp.extensions import db
from webapp.invalidation import stale
from webapp.models import Character, Perk, Skill
from webapp.models.character import character_perks, character_skills
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.commits import commit_keeping_objects
from webapp.services.errors import Forbidden, NotFound, RuleViolation
from webapp.services.inputs import Input, entry_id, whole
from webapp.services.sheets import LoadedSheet, level_cap_of, load_locked

MAX_AWARD = 1_000_000


class ExperienceAward(Input):
    """Experience a character gains at once."""

    amount: whole(1, MAX_AWARD) = Field(
        description=f"Experience points to add, 1–{MAX_AWARD:,}; a character has at most {rules.MAX_EXPERIENCE:,}.",
    )


class SkillPick(Input):
    """A skill to learn."""

    skill_id: entry_id("skill")


class PerkPick(Input):
    """A perk to take."""

    perk_id: entry_id("perk")


def add_experience(
    actor: Actor, character_id, award: ExperienceAward, *, expect: Callable[[Character], None] | None = None
) -> Character:
    """Add experience; the level follows (up to the campaign's cap while in one). Commits once.

    Its owner adds experience while it is in no campaign; in a campaign, its game master does (access decides).
    `expect(character)` runs on the locked character before the award (the API's If-Match: a script that retries
    an award it never heard back from learns that the first one landed). Raises NotFound, Forbidden, or
    RuleViolation (field amount) when the owner tries while the character is an approved member of a campaign,
    or when the experience would pass 10,000,000.
    """
    amount = award.amount
    # Locked: parallel awards add up instead of each overwriting the total it read.
    loaded = load_locked(actor, character_id, Action.VIEW)
    character = loaded.character
    if not access.may_award(actor, character, in_campaign=loaded.in_campaign):
        if not loaded.in_campaign:
            raise Forbidden(f"Only {character.name}'s owner adds experience.")
        campaign = access.campaign_label(actor, loaded.campaign)
        message = f"{character.name} is in {campaign}; there only its game master awards experience"
        if access.owns(actor, character):
            raise RuleViolation("amount", message)
        raise Forbidden(message)
    if expect is not None:
        expect(character)
    RuleViolation.raise_if_any(rules.check_add_experience(character.name, character.experience, amount))
    character.experience += amount
    character.level = rules.level_for_xp(character.experience, level_cap_of(loaded.membership, loaded.campaign))
    commit_keeping_objects()  # the answer is this award's total, not one a later award wrote meanwhile
    return character


def learn_skill(actor: Actor, character_id, pick: SkillPick) -> Character:
    """Learn a skill the race or archetype teaches, at or above its level; commits once.

    Raises NotFound, Forbidden, InvalidInput (no such skill) or RuleViolation (field skill_id: already known,
    level too low, not taught).
    """
    loaded = load_locked(actor, character_id)
    skill = access.load_chosen(actor, Skill, pick.skill_id, "skill_id")
    data = loaded.data
    wanted = rules.SkillData(skill.id, skill.name, skill.required_level)
    RuleViolation.raise_if_any(
        rules.check_learn_skill(data.name, data.level, wanted, data.race, data.archetype, data.skill_ids)
    )
    _link(loaded, character_skills, skill_id=skill.id)
    db.session.commit()
    return loaded.character


def take_perk(actor: Actor, character_id, pick: PerkPick) -> Character:
    """Take a perk at or above its level while a perk slot (1 + level // 4) is free; commits once.

    Raises NotFound, Forbidden, InvalidInput (no such perk) or RuleViolation (field perk_id).
    """
    loaded = load_locked(actor, character_id)
    perk = access.load_chosen(actor, Perk, pick.perk_id, "perk_id")
    data = loaded.data
    wanted = rules.PerkData(perk.id, perk.name, perk.required_level)
    RuleViolation.raise_if_any(rules.check_take_perk(data.name, data.level, wanted, len(data.perk_ids), data.perk_ids))
    _link(loaded, character_perks, perk_id=perk.id)
    db.session.commit()
    return loaded.character


def forget_skill(actor: Actor, character_id, skill_id) -> Character:
    """Forget a learned skill; commits once. Raises NotFound (not learned) or RuleViolation (only granted)."""
    return _forget(actor, character_id, skill_id, "skills")


def forget_perk(actor: Actor, character_id, perk_id) -> Character:
    """Give up a taken perk; commits once. Raises NotFound (not taken) or RuleViolation (only granted)."""
    return _forget(actor, character_id, perk_id, "perks")


def _forget(actor: Actor, character_id, entity_id, kind: str) -> Character:
    loaded = load_locked(actor, character_id)
    learned = getattr(loaded, kind)
    match = next((entity for entity in learned if str(entity.id) == str(entity_id)), None)
    if match is None:
        _refuse_granted(actor, loaded, entity_id, kind)
        noun = kind.removesuffix("s")
        raise NotFound(f"{loaded.character.name} doesn't have that {noun}.")
    table = character_skills if kind == "skills" else character_perks
    column = table.c.skill_id if kind == "skills" else table.c.perk_id
    db.session.execute(sa.delete(table).where(table.c.character_id == loaded.character.id, column == match.id))
    stale(db.session, invalidation.pack(loaded.character.id))
    db.session.commit()
    return loaded.character


def _link(loaded: LoadedSheet, table: sa.Table, **target) -> None:
    """Add a row to the character's skills or perks (a statement the flush does not see: named stale here)."""
    db.session.execute(sa.insert(table).values(character_id=loaded.character.id, **target))
    stale(db.session, invalidation.pack(loaded.character.id))


def _refuse_granted(actor: Actor, loaded: LoadedSheet, entity_id, kind: str) -> None:
    named = access.namer(actor)
    rows = loaded.skill_rows(named) if kind == "skills" else loaded.perk_rows(named)
    for row in rows:
        if str(row["entity"].id) == str(entity_id) and row["granted_by"]:
            items = " and ".join(row["granted_by"])
            field = f"{kind.removesuffix('s')}_id"
            raise RuleViolation(field, f"{items} grants {row['entity'].name}; unequip it to lose it")
