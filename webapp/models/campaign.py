"""Campaigns run by a game master: rules, memberships and the event log."""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, Rarity, Timestamped, enum_column
from webapp.models.character import Character
from webapp.models.compendium import Archetype, Race
from webapp.models.content import OwnedContent, association, unique_name_per_owner
from webapp.models.user import User

campaign_allowed_races = association("campaign_allowed_races", "campaigns.campaign_id", "races.race_id")
campaign_allowed_archetypes = association(
    "campaign_allowed_archetypes", "campaigns.campaign_id", "archetypes.archetype_id"
)


class CampaignStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class MembershipStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"


class EventKind(enum.StrEnum):
    CREATED = "CREATED"
    JOIN_REQUESTED = "JOIN_REQUESTED"
    JOINED = "JOINED"
    REJECTED = "REJECTED"
    REMOVED = "REMOVED"
    LEFT = "LEFT"
    XP_AWARD = "XP_AWARD"
    ITEM_GRANT = "ITEM_GRANT"
    NOTE = "NOTE"
    RULES_CHANGED = "RULES_CHANGED"
    INVITE_ROTATED = "INVITE_ROTATED"
    ARCHIVED = "ARCHIVED"


class Campaign(OwnedContent, Base):
    """A campaign; its owner is the game master."""

    __tablename__ = "campaigns"
    __table_args__ = unique_name_per_owner("campaigns")

    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(5000), default="")
    invite_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus), default=CampaignStatus.ACTIVE, index=True
    )
    level_cap: Mapped[int | None] = mapped_column(sa.Integer)
    max_rarity: Mapped[Rarity | None] = mapped_column(enum_column(Rarity))
    point_budget: Mapped[int | None] = mapped_column(sa.Integer)

    gm: Mapped[User] = relationship(lazy="raise")
    allowed_races: Mapped[list[Race]] = relationship(secondary=campaign_allowed_races, lazy="raise", order_by=Race.name)
    allowed_archetypes: Mapped[list[Archetype]] = relationship(
        secondary=campaign_allowed_archetypes, lazy="raise", order_by=Archetype.name
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="campaign", lazy="raise", cascade="all, delete-orphan"
    )


class Membership(Timestamped, Base):
    """A character's place in a campaign; `active` is false once the character left or the campaign ended."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "character_id", name="uq_memberships_campaign_character"),
        # A character is in at most one active campaign.
        sa.Index(
            "uq_memberships_active_character",
            "character_id",
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        ),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    character_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("characters.id", ondelete="CASCADE"))
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus), default=MembershipStatus.PENDING)
    active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship(back_populates="memberships", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")
    character: Mapped[Character] = relationship(lazy="raise")


class CampaignEvent(Timestamped, Base):
    """One line of a campaign's log."""

    __tablename__ = "campaign_events"
    __table_args__ = (sa.Index("ix_campaign_events_campaign_created", "campaign_id", "created_at"),)

    campaign_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    character_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("characters.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[actor_id])
    character: Mapped[Character | None] = relationship(lazy="raise")
