"""Declarative base, naming convention, shared columns and enums."""

import enum
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid6 import uuid7

from webapp.rules.attributes import ATTRIBUTES
from webapp.rules.equipment import EQUIP_SLOTS, ITEM_SLOTS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone, so give them one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_id() -> uuid.UUID:
    """A time-ordered UUIDv7, so ids sort by creation and index well."""
    return uuid.UUID(bytes=uuid7().bytes)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)


def enum_column(enum_cls: type[enum.Enum], **kw) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, identical on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        name=enum_cls.__name__.lower(),
        validate_strings=True,
        **kw,
    )


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    HIDDEN = "HIDDEN"


class Role(enum.StrEnum):
    USER = "USER"
    MODERATOR = "MODERATOR"
    ADMIN = "ADMIN"


class Rarity(enum.StrEnum):
    COMMON = "COMMON"
    UNCOMMON = "UNCOMMON"
    RARE = "RARE"
    EPIC = "EPIC"
    LEGENDARY = "LEGENDARY"


# The slots and attributes are the rules' tables; the columns' enums are derived from them, so the two never differ.
ItemSlot = enum.StrEnum("ItemSlot", [(slot, slot) for slot in ITEM_SLOTS], module=__name__)
EquipSlot = enum.StrEnum("EquipSlot", [(slot.upper(), slot) for slot in EQUIP_SLOTS], module=__name__)
Attribute = enum.StrEnum("Attribute", [(attribute.upper(), attribute) for attribute in ATTRIBUTES], module=__name__)

ATTRIBUTE_NAMES = ATTRIBUTES
