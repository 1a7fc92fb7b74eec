"""A GM's rewards: experience and items for one, several or all of the party, all or nothing."""

import uuid
from dataclasses import dataclass
from typing import Self

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.orm import joinedload

from webapp import rules
from webapp.extensions import db
from webapp.markdown import escape_markdown
from webapp.models import (
    Campaign,
    CampaignEvent,
    Character,
    EventKind,
    Item,
    Membership,
    MembershipStatus,
)
from webapp.services import access, character_growth, inventory, sheets
from webapp.services.access import Actor
from webapp.services.campaign_events import record
from webapp.services.campaigns.loading import CHARACTER_CARD, load_running, sync_level
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.inputs import Id, Ids, Input, trimmed, whole
from webapp.services.sheets import campaign_level_cap

MAX_AWARD = character_growth.MAX_AWARD  # experience per character in one award
MAX_QUANTITY = inventory.MAX_QUANTITY
MAX_REASON = 200


@dataclass(frozen=True)
class AwardResult:
    campaign: Campaign
    characters: list[Character]
    events: list[CampaignEvent]


class AwardBody(Input):
    """What a GM gives (experience, an item, or both) and to whom (chosen characters, or the whole party)."""

    experience: whole(1, MAX_AWARD) | None = Field(
        None,
        description=f"XP for each character; a character has at most {rules.MAX_EXPERIENCE:,}.",
    )
    item_id: Id | None = Field(None, description="An item from the compendium to grant.")
    quantity: whole(1, MAX_QUANTITY) = Field(1, description="How many of the item each one gets.")
    character_ids: Ids | None = Field(None, description="Who gets it (APPROVED members' characters).")
    all: bool = Field(False, description="Everyone in the party instead of character_ids.")
    reason: trimmed(MAX_REASON, collapse=True) = Field("", description='Shown in the log: "for the flooded cellar".')

    @model_validator(mode="after")
    def _says_what_and_to_whom(self) -> Self:
        """Raises InvalidInput (beside the field concerned, not as a shape error) for an award that gives
        nothing, or names no one, or names characters and the whole party at once."""
        problems = []
        if self.experience is None and self.item_id is None:
            problems.append(Violation("experience", "Award experience, an item, or both."))
        if self.all and self.character_ids:
            problems.append(Violation("character_ids", "Choose characters or the whole party, not both."))
        if not self.all and not self.character_ids:
            problems.append(
                Violation("character_ids", "Choose who gets it: one or more characters, or the whole party.")
            )
        if problems:
            raise InvalidInput(problems)
        return self


def award(actor: Actor, campaign_id, data: AwardBody) -> AwardResult:
    """Give experience and/or an item to some or all APPROVED members' characters, in one transaction.

    Levels follow the rules under the campaign's cap; every character gets an event per reward. Either every
    character is rewarded or, on any failure, none is. Raises NotFound / Forbidden (not the GM), Conflict
    (archived), InvalidInput (an item the GM can't see, a character not in the party, an empty party) or
    RuleViolation (experience past 10,000,000 for someone, an item above the campaign's rarity, one the player
    can't see, or too heavy for someone).
    """
    experience, quantity, reason = data.experience, data.quantity, data.reason
    # Locked: an award waits for an archiving in progress (and is refused), and awards to one party queue.
    campaign = load_running(actor, campaign_id, options=(), for_update=True)
    item = access.load_chosen(actor, Item, data.item_id, "item_id") if data.item_id is not None else None
    try:
        memberships = _targets(campaign, data.character_ids, data.all, with_sheets=item is not None)
        if experience:
            RuleViolation.raise_if_any(
                [
                    violation
                    for membership in memberships
                    for violation in rules.check_add_experience(
                        membership.character.name, membership.character.experience, experience, "experience"
                    )
                ]
            )
        cap = campaign_level_cap(campaign)
        events = []
        for membership in memberships:
            character = membership.character
            if experience:
                events.append(give_experience(actor, campaign, character, experience, cap, reason))
            if item is not None:
                events.append(give_item(actor, campaign, membership, item, quantity, reason))
        # Read the ids before the commit expires these rows: reading them after would reload each one, with
        # every relation its sheet was loaded with, a round of queries per member.
        db.session.flush()
        character_ids, event_ids = [m.character_id for m in memberships], [event.id for event in events]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return _reloaded(campaign, character_ids, event_ids)


def give_experience(actor: Actor, campaign: Campaign, character: Character, amount: int, cap: int, reason: str):
    """Add experience (the session's change, not committed) and log it; the level follows the rules."""
    before = character.level
    character.experience += amount
    sync_level(character, cap)
    body = f"{escape_markdown(character.name)} earned {amount} XP{' ' + reason if reason else ''}."
    if character.level > before:
        body += f" Now level {character.level}."
    data = {"experience": amount, "level_before": before, "level_after": character.level}
    return record(campaign, EventKind.XP_AWARD, actor, body, character, data)


def give_item(actor: Actor, campaign: Campaign, membership: Membership, item: Item, quantity: int, reason: str):
    """Put an item into a member's pack (the session's change) and log it; the inventory's rules apply."""
    character = membership.character
    if not access.can(membership.user, access.Action.VIEW, item):
        raise RuleViolation("item_id", f"{character.name}'s player can't see {item.name}; make it PUBLIC first.")
    loaded = sheets.sheet_of(character, membership, campaign, campaign_level_cap(campaign))
    inventory.put_in_pack(loaded, item, quantity)
    name, item_name = escape_markdown(character.name), escape_markdown(item.name)
    body = f"{name} received {quantity} × {item_name}{' ' + reason if reason else ''}."
    data = {"item_id": str(item.id), "item_name": item.name, "quantity": quantity}
    return record(campaign, EventKind.ITEM_GRANT, actor, body, character, data)


def _targets(
    campaign: Campaign, character_ids: list[uuid.UUID] | None, everyone: bool, with_sheets: bool
) -> list[Membership]:
    """The APPROVED memberships to reward, their characters locked and loaded (with the sheet for item grants)."""
    wanted = set(character_ids or [])
    members = sa.select(Membership.character_id).where(
        Membership.campaign_id == campaign.id,
        Membership.active.is_(True),
        Membership.status == MembershipStatus.APPROVED,
    )
    if not everyone:
        members = members.where(Membership.character_id.in_(wanted))
    # Lock the characters first: concurrent awards then add up instead of overwriting each other.
    locked = list(
        db.session.execute(
            sa.select(Character.id).where(Character.id.in_(members)).order_by(Character.id).with_for_update()
        ).scalars()
    )
    missing = wanted - set(locked)
    if missing:
        raise InvalidInput([Violation("character_ids", f"{sorted(map(str, missing))[0]} is not in this party.")])
    if not locked:
        raise InvalidInput([Violation("all", "The party is empty: approve a join request first.")])
    character_load = joinedload(Membership.character)
    if with_sheets:
        character_load = character_load.options(*sheets.SHEET_OPTIONS)
    query = (
        sa.select(Membership)
        .where(
            Membership.campaign_id == campaign.id,
            Membership.active.is_(True),
            Membership.character_id.in_(locked),
        )
        .options(joinedload(Membership.user), character_load)
        .order_by(Membership.joined_at, Membership.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.execute(query).scalars())


def _reloaded(campaign: Campaign, character_ids: list, event_ids: list) -> AwardResult:
    """The committed result in two queries (a commit expires what the session held)."""
    characters = db.session.execute(
        sa.select(Character).where(Character.id.in_(character_ids)).options(*CHARACTER_CARD).order_by(Character.name)
    ).scalars()
    events = db.session.execute(
        sa.select(CampaignEvent)
        .where(CampaignEvent.id.in_(event_ids))
        .options(joinedload(CampaignEvent.actor), joinedload(CampaignEvent.character))
        .order_by(CampaignEvent.id)
    ).scalars()
    return AwardResult(campaign, list(characters), list(events))
