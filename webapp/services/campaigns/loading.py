"""Loading a campaign with its rules as the actor may see or run it, and the campaign a character plays in."""

import secrets
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp import rules
from webapp.extensions import db
from webapp.models import Campaign, CampaignStatus, Character, Membership, MembershipStatus, Visibility
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import Conflict, NotFound
from webapp.services.ids import parse_id

CHARACTER_CARD = (joinedload(Character.race), joinedload(Character.archetype))
CAMPAIGN_OPTIONS = (
    joinedload(Campaign.gm),
    selectinload(Campaign.allowed_races),
    selectinload(Campaign.allowed_archetypes),
)


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


def rules_of(campaign: Campaign) -> rules.CampaignRules:
    """The campaign's rules as the rules engine sees them (allowed races and archetypes must be loaded)."""
    return rules.CampaignRules(
        level_cap=campaign.level_cap,
        allowed_race_ids=frozenset(race.id for race in campaign.allowed_races) or None,
        allowed_archetype_ids=frozenset(archetype.id for archetype in campaign.allowed_archetypes) or None,
        max_rarity=str(campaign.max_rarity) if campaign.max_rarity else None,
        point_budget=campaign.point_budget,
    )


def campaign_rules_for(character: Character | uuid.UUID | str) -> rules.CampaignRules | None:
    """The rules of the campaign a character plays in (APPROVED, active), or None; two queries.

    For the builder (point budget, allowed races and archetypes, level cap) and the inventory (highest rarity).
    """
    campaign = campaign_of(character)
    return rules_of(campaign) if campaign is not None else None


def campaign_of(character: Character | uuid.UUID | str) -> Campaign | None:
    """The active campaign in which the character is an APPROVED member, with its allowed lists, or None."""
    character_id = character.id if isinstance(character, Character) else parse_id(character, "character")
    query = (
        sa.select(Campaign)
        .join(Membership, Membership.campaign_id == Campaign.id)
        .where(
            Membership.character_id == character_id,
            Membership.status == MembershipStatus.APPROVED,
            Membership.active.is_(True),
            Campaign.status == CampaignStatus.ACTIVE,
        )
        .options(*CAMPAIGN_OPTIONS)
    )
    return db.session.execute(query).scalars().first()


def sync_level(character: Character, cap: int = rules.MAX_LEVEL) -> None:
    """Keep the stored level what the rules derive from experience, under the campaign's cap while a member."""
    character.level = rules.level_for_xp(character.experience, cap)


def load_campaign(actor: Actor, campaign_id, action: Action = Action.VIEW, for_update: bool = False) -> Campaign:
    """A campaign with GM and rule lists; NotFound when the actor may not see it, Forbidden when not `action`.
    `for_update` locks its row until the commit and reads it afresh."""
    return access.load(actor, Campaign, campaign_id, action, options=CAMPAIGN_OPTIONS, for_update=for_update)


def load_running(actor: Actor, campaign_id, options=CAMPAIGN_OPTIONS, for_update: bool = False) -> Campaign:
    """A campaign its GM is about to change: NotFound / Forbidden through access, Conflict once archived.

    `for_update` locks the row until the commit and reads it afresh: a change that needs the campaign active
    then waits for an archiving in progress, and finds it archived.
    """
    campaign = access.load(actor, Campaign, campaign_id, Action.RUN, options=options, for_update=for_update)
    ensure_active(campaign)
    return campaign


def ensure_active(campaign: Campaign) -> None:
    """Raises Conflict once the campaign is archived: its party and log no longer change."""
    if campaign.status != CampaignStatus.ACTIVE:
        raise Conflict(f"“{campaign.name}” is archived; its party and log can no longer change.")


def find_by_invite_code(code: str, for_update: bool = False) -> Campaign:
    """The ACTIVE campaign with this invite code; NotFound for an unknown, rotated or archived one, and for one a
    moderator hid (no one joins it, and its code tells nothing of it).

    `for_update` locks the row until the commit: a join then waits for a rotation or an archiving in progress.
    """
    query = sa.select(Campaign).where(Campaign.invite_code == (code or "").strip()).options(*CAMPAIGN_OPTIONS)
    if for_update:
        query = query.with_for_update(of=Campaign).execution_options(populate_existing=True)
    campaign = db.session.execute(query).scalar_one_or_none()
    if campaign is None or campaign.status != CampaignStatus.ACTIVE or campaign.visibility == Visibility.HIDDEN:
        raise NotFound("This invite link doesn't work (any more). Ask your game master for a new one.")
    return campaign
