"""Who plays where: the memberships a campaign's permissions are decided from (queries, no decisions)."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Campaign, Character, Membership, MembershipStatus, User
from webapp.services.access.actor import Actor, user_of


def party_of(user: User) -> sa.Select:
    """The ids of the characters in an APPROVED membership of a campaign the user runs (the GM rule)."""
    return (
        sa.select(Membership.character_id)
        .join(Campaign, Campaign.id == Membership.campaign_id)
        .where(
            Membership.status == MembershipStatus.APPROVED,
            Membership.active.is_(True),
            Campaign.owner_id == user.id,
        )
    )


def is_gm_of(actor: Actor, character: Character) -> bool:
    """True when the actor runs an active campaign in which this character is an APPROVED member."""
    user = user_of(actor)
    if user is None:
        return False
    query = party_of(user).where(Membership.character_id == character.id).limit(1)
    return db.session.execute(query).first() is not None


def is_member_of(actor: Actor, campaign: Campaign, approved_only: bool = False) -> bool:
    """True when the actor has an active membership (any status, or only APPROVED) in the campaign."""
    user = user_of(actor)
    if user is None:
        return False
    approved = (Membership.status == MembershipStatus.APPROVED,) if approved_only else ()
    return _any_active(Membership.campaign_id == campaign.id, Membership.user_id == user.id, *approved)


def in_a_campaign(character: Character) -> bool:
    """True when the character is an APPROVED member of an active campaign."""
    return _any_active(Membership.character_id == character.id, Membership.status == MembershipStatus.APPROVED)


def _any_active(*conditions) -> bool:
    """Whether an active membership meets the conditions."""
    query = sa.select(Membership.id).where(Membership.active.is_(True), *conditions).limit(1)
    return db.session.execute(query).first() is not None
