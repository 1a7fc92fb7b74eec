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
    # At the table (SPEC §9)
    ROLL = "ROLL"
    DAMAGE = "DAMAGE"
    HEAL = "HEAL"
    SPEND = "SPEND"
    RESTORE = "RESTORE"
    ITEM_USED = "ITEM_USED"
    CONDITION = "CONDITION"
    REST = "REST"


class Seen(enum.StrEnum):
    """Who sees an event or a roll: every member of the campaign, the GM (and whoever made it), or its maker alone."""

    PUBLIC = "public"
    GM = "gm"
    PRIVATE = "private"


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
    __table_args__ = (
        sa.Index("ix_campaign_events_campaign_created", "campaign_id", "created_at"),
        # The live log reads what came after the last event it sent, in the order events committed.
        sa.Index("uq_campaign_events_campaign_seq", "campaign_id", "seq", unique=True),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    character_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("characters.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    seen_by: Mapped[Seen] = mapped_column(
        enum_column(Seen, values_callable=lambda e: [m.value for m in e]), default=Seen.PUBLIC, server_default="public"
    )
    seq: Mapped[int] = mapped_column(sa.Integer)  # 1, 2, 3… per campaign, in commit order (campaign_events.record)

    actor: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[actor_id])
    character: Mapped[Character | None] = relationship(lazy="raise")


class Roll(Timestamped, Base):
    """Dice rolled on the server for a character (its history) or by a GM at their table (no character)."""

    __tablename__ = "rolls"
    __table_args__ = (
        sa.Index("ix_rolls_character_created", "character_id", "created_at"),
        sa.Index("ix_rolls_campaign_created", "campaign_id", "created_at"),
    )

    character_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("characters.id", ondelete="CASCADE"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    roller_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[str] = mapped_column(sa.String(100))
    seen_by: Mapped[Seen] = mapped_column(enum_column(Seen, values_callable=lambda e: [m.value for m in e]))
    result: Mapped[dict] = mapped_column(sa.JSON)
    total: Mapped[int] = mapped_column(sa.Integer)
