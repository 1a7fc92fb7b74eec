"""Dice at the table: rolls from a character's sheet or a free expression, rolled on the server and kept in the
character's history (and its campaign's log, for those the roll is shown to); a GM's own rolls at their table."""

from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import Field

from webapp import rules
from webapp.extensions import db
from webapp.models import Campaign, EventKind, Roll, Seen, Skill
from webapp.rules import conditions as condition_rules
from webapp.rules import dice, rolls
from webapp.services import access, campaign_events
from webapp.services.access import Action, Actor
from webapp.services.errors import Forbidden, RuleViolation
from webapp.services.inputs import Input, entry_id, reworded, trimmed
from webapp.services.pagination import paginate
from webapp.services.sheets import load_sheet

PAGE_SIZE = 20
Attribute = Annotated[Literal[rules.ATTRIBUTES], reworded("Choose an attribute.")]  # type: ignore[valid-type]
Visibility = Annotated[Literal["public", "gm", "private"], reworded("Choose public, gm or private.")]


class RollRequest(Input):
    """A roll from the sheet (check, skill, attack, initiative) or a free expression."""

    kind: Annotated[Literal[rolls.KINDS], reworded("Choose check, skill, attack, initiative or free.")]  # type: ignore[valid-type]
    attribute: Attribute | None = Field(None, description="For a check or a skill check: the attribute rolled.")
    skill_id: entry_id("skill") | None = Field(None, description="For a skill check: the skill.")
    expression: trimmed(dice.MAX_TEXT) = Field("", description="For a free roll: dice like 2d6+3, 4d6kh3, 2d20kl1.")
    label: trimmed(rolls.MAX_LABEL) = Field("", description="For a free roll: what it is for (“Fireball”).")
    visibility: Visibility = Field(
        "private", description="public: the campaign's members; gm: the GM and you; private: you alone."
    )


class TableRoll(Input):
    """A GM's own roll at their table: everyone sees it, or the GM alone (a hidden roll)."""

    expression: trimmed(dice.MAX_TEXT, required=True) = Field(description="Dice like 2d6+3.")
    label: trimmed(rolls.MAX_LABEL) = Field("", description="What it is for.")
    visibility: Annotated[Literal["public", "gm"], reworded("Choose public or gm.")] = "public"


def roll_for(actor: Actor, character_id, request: RollRequest, rng=dice.secure_die) -> Roll:
    """Roll for a character: its owner alone (a GM does not roll for a player). Commits once.

    Raises NotFound, Forbidden, InvalidInput or RuleViolation (a missing attribute or skill, a bad expression, a
    condition that forbids the roll, a visibility other than private outside a campaign).
    """
    loaded = load_sheet(actor, character_id)
    character = loaded.character
    if not access.can(actor, Action.PLAY, character):
        raise Forbidden(f"Only {character.name}'s owner rolls for them.")
    if not loaded.in_campaign and request.visibility != "private":
        raise RuleViolation("visibility", f"{character.name} is in no campaign: their rolls are private.")
    planned = _plan(actor, loaded, request)
    result = dice.roll(planned.expression, rng)
    shown = result.to_dict()
    if planned.kind == "attack":
        damage, critical = rolls.attack_damage(result, loaded.sheet)
        shown.update(damage=damage, critical=critical)
    campaign = loaded.campaign if loaded.in_campaign else None
    row = _keep(
        actor, planned, shown, result.total, Seen(request.visibility), character_id=character.id, campaign=campaign
    )
    if campaign is not None:
        body = f"{character.name} rolled {planned.label}: {result.total}" + _damage_note(shown)
        campaign_events.record(
            campaign, EventKind.ROLL, access.user_of(actor), body, character, _event_data(row), row.seen_by
        )
    db.session.commit()
    return row


def table_roll(actor: Actor, campaign_id, request: TableRoll, rng=dice.secure_die) -> Roll:
    """A GM's own roll at their table, shown to the party or to the GM alone. Commits once.

    Raises NotFound, Forbidden (not the GM) or RuleViolation (a bad expression).
    """
    campaign = access.load(actor, Campaign, campaign_id, Action.RUN)
    planned = rolls.plan_free(request.expression, request.label or None)
    result = dice.roll(planned.expression, rng)
    row = _keep(actor, planned, result.to_dict(), result.total, Seen(request.visibility), campaign=campaign)
    body = f"The game master rolled {planned.label}: {result.total}"
    campaign_events.record(campaign, EventKind.ROLL, access.user_of(actor), body, None, _event_data(row), row.seen_by)
    db.session.commit()
    return row


def rolls_of(actor: Actor, character_id, cursor: str | None = None, limit: int = PAGE_SIZE):
    """The character's rolls this viewer sees, newest first: (rolls, pagination). The owner sees all of them; the GM
    of the campaign a roll was made in sees it unless it was private; its other members see the public ones."""
    loaded = load_sheet(actor, character_id)
    query = sa.select(Roll).where(Roll.character_id == loaded.character.id, access.seen_rolls(actor, loaded.character))
    return paginate(query, Roll, Roll.created_at, limit, cursor, "desc")


def _plan(actor: Actor, loaded, request: RollRequest) -> rolls.Planned:
    sheet, name = loaded.sheet, loaded.character.name
    effects = condition_rules.effects([*sheet.conditions, *(["down"] if sheet.down else [])])
    if request.kind == "free":
        if not request.expression:
            raise RuleViolation("expression", "Write the dice to roll, like 2d6+3.")
        return rolls.plan_free(request.expression, request.label or None)
    if request.kind == "attack":
        return rolls.plan_attack(name, sheet, effects)
    if request.kind == "initiative":
        return rolls.plan_initiative(sheet)
    if request.attribute is None:
        raise RuleViolation("attribute", "Choose the attribute to roll.")
    if request.kind == "check":
        return rolls.plan_check(name, request.attribute, sheet, effects)
    if request.skill_id is None:
        raise RuleViolation("skill_id", "Choose the skill to roll.")
    skill = access.load_chosen(actor, Skill, request.skill_id, "skill_id")
    proficient = skill.id in sheet.skill_ids
    shown = access.shown_name(actor, skill)
    return rolls.plan_skill(name, shown, request.attribute, proficient, sheet, effects)


def _keep(actor: Actor, planned, shown: dict, total: int, seen_by: Seen, *, character_id=None, campaign=None) -> Roll:
    row = Roll(
        character_id=character_id,
        campaign_id=campaign.id if campaign is not None else None,
        roller_id=access.user_id_of(actor),
        kind=planned.kind,
        label=planned.label,
        seen_by=seen_by,
        result=shown,
        total=total,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _event_data(row: Roll) -> dict:
    return {"roll_id": str(row.id), "kind": row.kind, "label": row.label, "total": row.total, "result": row.result}


def _damage_note(shown: dict) -> str:
    if "damage" not in shown:
        return ""
    return f", {shown['damage']} damage" + (" (critical)" if shown.get("critical") else "")
