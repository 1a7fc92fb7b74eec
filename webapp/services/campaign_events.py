"""A campaign's log: every change to a campaign writes one event, in the same transaction as the change."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from webapp.extensions import db
from webapp.models import Campaign, CampaignEvent, Character, EventKind, Seen, User
from webapp.services import access
from webapp.services.access import Actor
from webapp.services.errors import Forbidden, RuleViolation
from webapp.services.ids import uuid_or_none
from webapp.services.pagination import Pagination, paginate

PAGE_SIZE = 20
_NUMBERS = "campaign_event_numbers"  # per transaction: the last number given in each campaign's log


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
        seq=next_number(campaign.id),
        actor_id=actor.id if actor is not None else None,
        character_id=character.id if character is not None else None,
        kind=kind,
        body=body,
        data=data or {},
        seen_by=seen_by,
    )
    db.session.add(event)
    return event


def next_number(campaign_id) -> int:
    """The event's number in its campaign's log: one more than the last, given under a lock on the campaign's log
    held until the commit, so numbers commit in order and a reader that has seen number n has seen every one
    before it. (SQLite has a single writer at a time.) Taken after the rows a change locks, never before them."""
    numbers = db.session.info.setdefault(_NUMBERS, {})
    if campaign_id not in numbers:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(campaign_id))))
        last = sa.select(sa.func.max(CampaignEvent.seq)).where(CampaignEvent.campaign_id == campaign_id)
        numbers[campaign_id] = db.session.execute(last).scalar() or 0
    numbers[campaign_id] += 1
    return numbers[campaign_id]


def _lock_key(campaign_id) -> int:
    """A campaign's key among PostgreSQL's advisory locks: 64 of its id's random bits."""
    return int.from_bytes(campaign_id.bytes[8:], "big", signed=True)


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _forget_numbers(session: Session) -> None:
    session.info.pop(_NUMBERS, None)


def events_query(actor: Actor, campaign_id) -> sa.Select:
    """The campaign's events, newest first once paged, with actor and character loaded.

    Raises NotFound when the actor may not see the campaign, Forbidden when they may see it but are not in the
    party (the log names the party's characters).
    """
    return events_of(actor, _log_of(actor, campaign_id))


def _log_of(actor: Actor, campaign_id) -> Campaign:
    """The campaign whose log the actor reads; raises NotFound or Forbidden as events_query says."""
    campaign = access.load(actor, Campaign, campaign_id)
    if not access.can_read_log(actor, campaign):
        raise Forbidden("The log is for the game master and the party.")
    return campaign


def events_of(actor: Actor, campaign: Campaign) -> sa.Select:
    """The campaign's events this reader sees, with actor and character, for a caller that has checked that they
    may read the log."""
    return (
        sa.select(CampaignEvent)
        .where(CampaignEvent.campaign_id == campaign.id, access.seen_events(actor, campaign))
        .options(joinedload(CampaignEvent.actor), joinedload(CampaignEvent.character))
    )


def seq_of(campaign_id, event_id) -> int:
    """The number of one of the campaign's events, for a reader resuming after it; raises RuleViolation (field
    `after`) for an id that names none of them."""
    key = uuid_or_none(event_id)
    found = None
    if key is not None:
        query = sa.select(CampaignEvent.seq).where(CampaignEvent.id == key, CampaignEvent.campaign_id == campaign_id)
        found = db.session.execute(query).scalar_one_or_none()
    if found is None:
        raise RuleViolation("after", "No event of this campaign's log has this id.")
    return found


def page_after(query: sa.Select, campaign_id, event_id, limit: int = PAGE_SIZE):
    """The events of `query` that committed after the one named, oldest first: (events, pagination) where
    `has_next` says that more follow. Raises RuleViolation (`after`) for an id of no event of this log."""
    after = seq_of(campaign_id, event_id)
    found = db.session.execute(query.where(CampaignEvent.seq > after).order_by(CampaignEvent.seq).limit(limit + 1))
    rows = list(found.unique().scalars())
    return rows[:limit], Pagination(limit, len(rows) > limit, None)


def all_after(campaign_id, after: int, limit: int = PAGE_SIZE) -> list[CampaignEvent]:
    """Every event of the log that committed after number `after`, whoever it is for, oldest first, with actor and
    character: for a live stream that reads once for all the readers of a campaign and keeps for each reader
    what access.sees_event lets them see. The caller has checked that each may read the log."""
    query = (
        sa.select(CampaignEvent)
        .where(CampaignEvent.campaign_id == campaign_id, CampaignEvent.seq > after)
        .options(joinedload(CampaignEvent.actor), joinedload(CampaignEvent.character))
        .order_by(CampaignEvent.seq)
        .limit(limit)
    )
    return list(db.session.execute(query).unique().scalars())


def reader(actor: Actor, campaign_id) -> tuple:
    """(the reader's user id, the GM's user id) once the actor is found to be one who may read the campaign's log;
    raises NotFound or Forbidden as events_query does."""
    campaign = _log_of(actor, campaign_id)
    return access.user_id_of(actor), campaign.owner_id


def last_seq(campaign_id) -> int:
    """The number of the campaign's latest event (0 for none): a reader starting now reads what comes after it."""
    query = sa.select(sa.func.max(CampaignEvent.seq)).where(CampaignEvent.campaign_id == campaign_id)
    return db.session.execute(query).scalar() or 0


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
