"""A campaign's log: every change to a campaign writes one event, in the same transaction as the change."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Campaign, CampaignEvent, Character, EventKind, Seen, User
from webapp.services import access
from webapp.services.access import Actor
from webapp.services.errors import Forbidden
from webapp.services.pagination import paginate

PAGE_SIZE = 20


def record(
    campaign: Campaign,
    kind: EventKind,
    actor: User | None,
    body: str,
    character: Character | None = None,
    data: dict | None = None,
    seen_by: Seen = Seen.PUBLIC,
) -> CampaignEvent:
    """Add an event to the session; the calling service commits it with the change it describes. `seen_by`: every
    member (public), the GM and the actor (gm), or the actor alone (private)."""
    event = CampaignEvent(
        campaign_id=campaign.id,
        actor_id=actor.id if actor is not None else None,
        character_id=character.id if character is not None else None,
        kind=kind,
        body=body,
        data=data or {},
        seen_by=seen_by,
    )
    db.session.add(event)
    return event


def events_query(actor: Actor, campaign_id) -> sa.Select:
    """The campaign's events, newest first once paged, with actor and character loaded.

    Raises NotFound when the actor may not see the campaign, Forbidden when they may see it but are not in the
    party (the log names the party's characters).
    """
    campaign = access.load(actor, Campaign, campaign_id)
    if not access.can_read_log(actor, campaign):
        raise Forbidden("The log is for the game master and the party.")
    return events_of(actor, campaign)


def events_of(actor: Actor, campaign: Campaign) -> sa.Select:
    """The campaign's events this reader sees, with actor and character, for a caller that has checked that they
    may read the log."""
    return (
        sa.select(CampaignEvent)
        .where(CampaignEvent.campaign_id == campaign.id, access.seen_events(actor, campaign))
        .options(joinedload(CampaignEvent.actor), joinedload(CampaignEvent.character))
    )


def page_of(query: sa.Select, cursor: str | None = None, limit: int = PAGE_SIZE, order: str = "desc"):
    """One page of events, newest first: (events, pagination); raises BadQuery for a cursor we did not give out."""
    return paginate(query, CampaignEvent, CampaignEvent.created_at, limit, cursor, order)


def load_event(event_id) -> CampaignEvent:
    query = (
        sa.select(CampaignEvent)
        .where(CampaignEvent.id == event_id)
        .options(joinedload(CampaignEvent.actor), joinedload(CampaignEvent.character))
    )
    return db.session.execute(query).scalar_one()
