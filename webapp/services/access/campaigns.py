"""Who may see a campaign, its party and its log; who joins, leaves or removes; a token tied to one campaign."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Campaign, CampaignEvent, Character, Membership, MembershipStatus, Role, Roll, Seen, Visibility
from webapp.services.access.actor import Actor, owns, role_of, user_of
from webapp.services.access.content import Action, can, visible
from webapp.services.access.parties import is_member_of
from webapp.services.errors import Forbidden, NotFound
from webapp.services.ids import uuid_or_none

PRIVATE_CAMPAIGN = "a private campaign"


def campaign_label(actor: Actor, campaign: Campaign) -> str:
    """How a character's campaign is named to the actor: its name when the actor may see the campaign, else only
    that there is one (a PUBLIC character's sheet shows where it plays, never a PRIVATE campaign's name)."""
    return f"the campaign {campaign.name}" if can(actor, Action.VIEW, campaign) else PRIVATE_CAMPAIGN


def can_see_roster(actor: Actor, campaign: Campaign) -> bool:
    """The party list (names, levels, portraits) is for the GM and the APPROVED members; sheets stay per character."""
    return can(actor, Action.RUN, campaign) or is_member_of(actor, campaign, approved_only=True)


def can_read_log(actor: Actor, campaign: Campaign) -> bool:
    """The log names the party's characters: it is for those who see the party."""
    return can_see_roster(actor, campaign)


def seen_events(actor: Actor, campaign: Campaign) -> sa.ColumnElement[bool]:
    """Which of the log's events a reader of it sees (SPEC §9): public ones; the GM also those for the GM (hidden
    rolls, rolls to the GM); everyone also their own, whoever they were for."""
    user = user_of(actor)
    if user is None:
        return CampaignEvent.seen_by == Seen.PUBLIC
    shown = (Seen.PUBLIC, Seen.GM) if campaign.owner_id == user.id else (Seen.PUBLIC,)
    return sa.or_(CampaignEvent.seen_by.in_(shown), CampaignEvent.actor_id == user.id)


def sees_event(reader_id, gm_id, event: CampaignEvent) -> bool:
    """The same decision for one event in hand, for the reader with this user id in the campaign of this GM (a live
    stream, which read the event for all its campaign's readers at once)."""
    if event.seen_by == Seen.PUBLIC:
        return True
    if reader_id is None:
        return False
    return event.actor_id == reader_id or (event.seen_by == Seen.GM and gm_id == reader_id)


def seen_rolls(actor: Actor, character: Character) -> sa.ColumnElement[bool]:
    """Which of a character's rolls a viewer of it sees: its owner all of them; the GM of the campaign a roll was made
    in all but private ones; that campaign's other active members the public ones."""
    user = user_of(actor)
    if user is None:
        return sa.false()
    if owns(actor, character):
        return sa.true()
    runs = sa.select(Campaign.id).where(Campaign.owner_id == user.id)
    plays = sa.select(Membership.campaign_id).where(
        Membership.user_id == user.id, Membership.active.is_(True), Membership.status == MembershipStatus.APPROVED
    )
    return sa.or_(
        sa.and_(Roll.campaign_id.in_(runs), Roll.seen_by.in_((Seen.PUBLIC, Seen.GM))),
        sa.and_(Roll.campaign_id.in_(plays), Roll.seen_by == Seen.PUBLIC),
    )


def can_read_member(actor: Actor, membership: Membership, runs_campaign: bool) -> bool:
    """Whether someone looking at a party reads this member's sheet: as `can` says, the character's own rule.

    Without a query: a character is in one campaign at a time, so the GM's grant (a PRIVATE character in an
    APPROVED membership of their campaign) can only come from this membership; a join request grants nothing.
    """
    character = membership.character
    if character.visibility == Visibility.PRIVATE:
        approved = runs_campaign and membership.status == MembershipStatus.APPROVED
        return role_of(actor) == Role.ADMIN or owns(actor, character) or approved
    return can(actor, Action.VIEW, character)


def can_leave(actor: Actor, membership: Membership) -> bool:
    """A player takes back their own join request or leaves with their own character."""
    user = user_of(actor)
    return user is not None and membership.user_id == user.id


def can_request_join(actor: Actor, campaign: Campaign, character: Character) -> bool:
    """A player asks to join with a character of their own, and never the campaign they run themselves."""
    return owns(actor, character) and not owns(actor, campaign)


def can_remove_membership(actor: Actor, campaign: Campaign, membership: Membership) -> bool:
    """The GM rejects a request or removes a member; a player withdraws their request or leaves."""
    return can(actor, Action.RUN, campaign) or can_leave(actor, membership)


def check_token_campaign(token_campaign_id, campaign_id) -> None:
    """An API token tied to one campaign reaches no other: NotFound, as if the others did not exist."""
    if token_campaign_id is not None and str(token_campaign_id) != str(campaign_id):
        raise NotFound("No such campaign.")


def check_token_reach(token_campaign_id, path_ids: dict, writes: bool) -> None:
    """What an API token tied to one campaign reaches: that campaign, the characters in it (members and those
    asking to join) and reading the rest of the site; its changes stay in that campaign. NotFound for another
    campaign or character, as if it did not exist; Forbidden for a change named by neither."""
    if token_campaign_id is None:
        return
    if "campaign_id" in path_ids:
        check_token_campaign(token_campaign_id, path_ids["campaign_id"])
    if "character_id" in path_ids:
        key = uuid_or_none(path_ids["character_id"])
        reached = campaign_character_ids(token_campaign_id).where(Membership.character_id == key)
        if db.session.scalar(reached.limit(1)) is None:
            raise NotFound("No such character.")
    elif writes and "campaign_id" not in path_ids:
        raise Forbidden("This token is tied to one campaign: it changes only that campaign and its characters.")


def campaign_character_ids(campaign_id) -> sa.Select:
    """The ids of the characters in a campaign: its members and those asking to join."""
    return sa.select(Membership.character_id).where(Membership.campaign_id == campaign_id, Membership.active.is_(True))


def visible_campaigns(actor: Actor):
    """A WHERE clause for campaign lists: what `visible` allows, plus the campaigns the actor is a member of."""
    user = user_of(actor)
    seen = visible(actor, Campaign)
    if user is None:
        return seen
    mine = sa.select(Membership.campaign_id).where(Membership.user_id == user.id, Membership.active.is_(True))
    # A campaign a moderator hid is its GM's and the staff's only: its members find it gone, as its page says.
    return sa.or_(seen, sa.and_(Campaign.id.in_(mine), Campaign.visibility != Visibility.HIDDEN))
