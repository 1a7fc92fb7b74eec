"""Lists of campaigns: the ones the actor may see, the ones they run and play in, party sizes and counts."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Campaign, CampaignStatus, Membership, MembershipStatus, Visibility
from webapp.services import access
from webapp.services.access import Actor
from webapp.services.campaigns.loading import CAMPAIGN_OPTIONS, CHARACTER_CARD
from webapp.services.matching import contains


def campaigns_query(actor: Actor, search: str | None = None, status: CampaignStatus | None = None) -> sa.Select:
    """Campaigns the actor may see (PUBLIC ones, their own, the ones they are in), GM and rule lists loaded."""
    query = sa.select(Campaign).where(access.visible_campaigns(actor)).options(*CAMPAIGN_OPTIONS)
    if search:
        query = query.where(contains(Campaign.name, search))
    if status is not None:
        query = query.where(Campaign.status == status)
    return query


def my_campaigns(actor: Actor) -> tuple[list[Campaign], list[Membership]]:
    """The campaigns the actor runs (newest first), and their characters' active memberships elsewhere.

    Raises Forbidden for an anonymous visitor.
    """
    user = access.require_signed_in(actor)
    running = db.session.execute(
        sa.select(Campaign).where(Campaign.owner_id == user.id).order_by(Campaign.status, Campaign.id.desc())
    )
    playing = db.session.execute(
        sa.select(Membership)
        .where(Membership.user_id == user.id, Membership.active.is_(True))
        .options(
            joinedload(Membership.campaign).joinedload(Campaign.gm),
            joinedload(Membership.character).options(*CHARACTER_CARD),
        )
        .order_by(Membership.created_at.desc())
    )
    return list(running.scalars()), list(playing.scalars())


def party_sizes(campaign_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """APPROVED members per campaign, in one query."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    query = (
        sa.select(Membership.campaign_id, sa.func.count())
        .where(
            Membership.campaign_id.in_(ids),
            Membership.active.is_(True),
            Membership.status == MembershipStatus.APPROVED,
        )
        .group_by(Membership.campaign_id)
    )
    return dict(db.session.execute(query).tuples().all())


@dataclass(frozen=True)
class CampaignCounts:
    total: int
    by_status: dict[str, int]
    by_visibility: dict[str, int]
    members: int  # approved characters in active memberships


def campaign_stats(actor: Actor) -> CampaignCounts:
    """Counts over the campaigns the actor may see: total, by status and visibility, and their members."""
    seen = access.visible_campaigns(actor)
    by = db.session.execute(
        sa.select(Campaign.status, Campaign.visibility, sa.func.count())
        .where(seen)
        .group_by(Campaign.status, Campaign.visibility)
    ).all()
    members = db.session.execute(
        sa.select(sa.func.count(Membership.id))
        .join(Campaign, Campaign.id == Membership.campaign_id)
        .where(seen, Membership.active.is_(True), Membership.status == MembershipStatus.APPROVED)
    ).scalar_one()
    by_status = {status.value: 0 for status in CampaignStatus}
    by_visibility = {visibility.value: 0 for visibility in Visibility}
    for status, visibility, count in by:
        by_status[str(status)] += count
        by_visibility[str(visibility)] += count
    return CampaignCounts(sum(count for *_key, count in by), by_status, by_visibility, members)
