"""A campaign's life: opened, its details and rules changed, its invite code rotated, notes written, archived,
deleted."""

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import rules
from webapp.extensions import db
from webapp.markdown import escape_markdown
from webapp.models import Archetype, Campaign, CampaignEvent, CampaignStatus, EventKind, Race, Rarity, Visibility
from webapp.services import access, sheets
from webapp.services.access import Action, Actor
from webapp.services.campaign_events import load_event, record
from webapp.services.campaigns.inputs import CampaignCreate, CampaignPatch, NoteBody
from webapp.services.campaigns.loading import (
    CAMPAIGN_OPTIONS,
    load_campaign,
    load_running,
    new_invite_code,
    sync_level,
)
from webapp.services.campaigns.memberships import active_memberships, end_membership, lock_characters
from webapp.services.commits import commit_or_raise
from webapp.services.errors import InvalidInput, Taken, Violation

CHANGE_LABELS = {
    "name": "Name",
    "description": "Description",
    "visibility": "Visibility",
    "level_cap": "Level cap",
    "allowed_race_ids": "Allowed races",
    "allowed_archetype_ids": "Allowed archetypes",
    "max_rarity": "Highest rarity",
    "point_budget": "Point-buy budget",
}


def create_campaign(actor: Actor, data: CampaignCreate) -> Campaign:
    """Open a campaign run by the actor, with a fresh invite code, and log it.

    Raises Forbidden (not signed in or unverified) or InvalidInput (the actor already runs a campaign of that
    name; a race or archetype the actor can't see).
    """
    user = access.require_creator(actor)
    campaign = Campaign(owner_id=user.id, invite_code=new_invite_code(), status=CampaignStatus.ACTIVE)
    _apply(campaign, _resolved(actor, data.values(), owner_id=user.id))
    db.session.add(campaign)
    db.session.flush()
    record(campaign, EventKind.CREATED, user, f"{escape_markdown(user.display_name)} opened the campaign.")
    _commit_unique_name()
    return load_campaign(actor, campaign.id)


def update_campaign(
    actor: Actor, campaign_id, changes: CampaignPatch, *, expect: Callable[[Campaign], None] | None = None
) -> Campaign:
    """Change the campaign's details and rules (only the keys given), logging what changed.

    `expect(campaign)` runs on the locked campaign before any change (the API's If-Match). A new level cap
    re-derives the members' stored levels. Raises NotFound / Forbidden (not the GM), Conflict (archived) or
    InvalidInput (hiding without being staff, a name the GM already uses, a race or archetype they can't see).
    """
    values = changes.values()
    campaign = load_running(actor, campaign_id, for_update=True)
    if expect is not None:
        expect(campaign)
    before = _summary(campaign)
    if "visibility" in values:
        visibility = Visibility(values["visibility"])
        refusal = access.visibility_refusal(actor, campaign, visibility, "Only moderators hide content.")
        if refusal is not None:
            raise InvalidInput([Violation("visibility", refusal)])
    _apply(campaign, _resolved(actor, values, owner_id=campaign.owner_id, campaign_id=campaign.id))
    after = _summary(campaign)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        record(
            campaign,
            EventKind.RULES_CHANGED,
            actor,
            "; ".join(_describe_change(key, before[key], after[key]) for key in changed) + ".",
            data={"changed": changed},
        )
    if "level_cap" in changed:
        members = active_memberships(campaign.id, approved_only=True, for_update=True)
        lock_characters(members)
        for membership in members:
            sync_level(membership.character, sheets.campaign_level_cap(campaign))
    _commit_unique_name()
    return load_campaign(actor, campaign.id)


def archive_campaign(actor: Actor, campaign_id) -> Campaign:
    """End the campaign: it becomes read-only, every character in it is free again (levels uncapped)."""
    campaign = load_running(actor, campaign_id, for_update=True)
    members = active_memberships(campaign.id, for_update=True)
    lock_characters(members)
    for membership in members:
        end_membership(membership)
    campaign.status = CampaignStatus.ARCHIVED
    record(campaign, EventKind.ARCHIVED, actor, "The campaign was archived; every character is free again.")
    db.session.commit()
    return load_campaign(actor, campaign.id)


def delete_campaign(actor: Actor, campaign_id, *, expect: Callable[[Campaign], None] | None = None) -> None:
    """Delete the campaign with its memberships and log; its characters stay, free again.

    `expect(campaign)` runs on the locked campaign before any change (the API's If-Match). Raises NotFound
    (of parallel deletes, every one but the first) or Forbidden.
    """
    options = (*CAMPAIGN_OPTIONS, selectinload(Campaign.memberships))
    campaign = access.load(actor, Campaign, campaign_id, Action.DELETE, options=options, for_update=True)
    if expect is not None:
        expect(campaign)
    members = active_memberships(campaign.id, for_update=True)
    lock_characters(members)
    for membership in members:
        end_membership(membership)
    db.session.delete(campaign)
    db.session.commit()


def rotate_invite_code(actor: Actor, campaign_id) -> Campaign:
    """Give the campaign a new invite code; links with the old one answer 404 from now on."""
    campaign = load_running(actor, campaign_id, for_update=True)
    campaign.invite_code = new_invite_code()
    record(campaign, EventKind.INVITE_ROTATED, actor, "A new invite link replaced the old one.")
    db.session.commit()
    return load_campaign(actor, campaign.id)


def add_note(actor: Actor, campaign_id, note: NoteBody) -> CampaignEvent:
    """The GM writes a note (Markdown) into the log; raises NotFound, Forbidden (not the GM) or Conflict."""
    campaign = load_running(actor, campaign_id, options=(), for_update=True)
    event = record(campaign, EventKind.NOTE, actor, note.body)
    db.session.commit()
    return load_event(event.id)


def _resolved(actor: Actor, values: dict, owner_id: uuid.UUID, campaign_id: uuid.UUID | None = None) -> dict:
    """The checked input with what only the database knows: the name is free for this GM, and the allowed races
    and archetypes are rows the actor may see (returned in their place). Raises InvalidInput otherwise."""
    problems: list[Violation] = []
    clean = dict(values)
    if "name" in values and _name_taken(owner_id, values["name"], campaign_id):
        problems.append(Taken("name", f"You already run a campaign called “{values['name']}”."))
    if "visibility" in values:
        clean["visibility"] = Visibility(values["visibility"])
    if "max_rarity" in values:
        clean["max_rarity"] = Rarity(values["max_rarity"]) if values["max_rarity"] else None
    for key, model, label in (("allowed_race_ids", Race, "race"), ("allowed_archetype_ids", Archetype, "archetype")):
        if key in values:
            rows, missing = _visible_rows(actor, model, values[key] or [])
            if missing:
                problems.append(Violation(key, f"There is no {label} with the id {missing[0]}."))
            clean[key] = rows
    if problems:
        raise InvalidInput(problems)
    return clean


def _apply(campaign: Campaign, clean: dict) -> None:
    for key, value in clean.items():
        if key == "allowed_race_ids":
            campaign.allowed_races = value
        elif key == "allowed_archetype_ids":
            campaign.allowed_archetypes = value
        else:
            setattr(campaign, key, value)


def _visible_rows(actor: Actor, model, ids: list[uuid.UUID]) -> tuple[list, list[str]]:
    query = sa.select(model).where(model.id.in_(ids), access.visible(actor, model))
    rows = list(db.session.execute(query).scalars())
    found = {row.id for row in rows}
    return sorted(rows, key=lambda row: row.name), [str(key) for key in ids if key not in found]


def _name_taken(owner_id: uuid.UUID, name: str, campaign_id: uuid.UUID | None) -> bool:
    query = sa.select(Campaign.id).where(Campaign.owner_id == owner_id, Campaign.name == name)
    if campaign_id is not None:
        query = query.where(Campaign.id != campaign_id)
    return db.session.execute(query.limit(1)).first() is not None


def _commit_unique_name() -> None:
    """Commit; two requests racing for the same name meet the unique index, which becomes a field error."""
    commit_or_raise(InvalidInput([Taken("name", "You already run a campaign with this name.")]))


def _summary(campaign: Campaign) -> dict:
    return {
        "name": campaign.name,
        "description": campaign.description,
        "visibility": str(campaign.visibility),
        "level_cap": campaign.level_cap,
        "allowed_race_ids": tuple(race.name for race in campaign.allowed_races),
        "allowed_archetype_ids": tuple(archetype.name for archetype in campaign.allowed_archetypes),
        "max_rarity": str(campaign.max_rarity) if campaign.max_rarity else None,
        "point_budget": campaign.point_budget,
    }


def _describe_change(key: str, before, after) -> str:
    if key == "description":
        return "Description updated"

    def shown(value) -> str:
        if value in (None, ()):
            return "any" if key != "point_budget" else f"default ({rules.DEFAULT_BUDGET})"
        return ", ".join(value) if isinstance(value, tuple) else str(value)

    return f"{CHANGE_LABELS[key]}: {escape_markdown(shown(before))} → {escape_markdown(shown(after))}"
