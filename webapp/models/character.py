"""Characters with their skills, perks, inventory and equipment, and the builder's drafts."""

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import ATTRIBUTE_NAMES, Base, EquipSlot, Timestamped, enum_column
from webapp.models.compendium import Archetype, Perk, Race, Skill, Tag
from webapp.models.content import HasImage, OwnedContent, association
from webapp.models.item import Item

MISSING_COLUMNS = ("health_lost", "mana_spent", "stamina_spent")
character_skills = association("character_skills", "characters.character_id", "skills.skill_id")
character_perks = association("character_perks", "characters.character_id", "perks.perk_id")
character_tags = association("character_tags", "characters.character_id", "tags.tag_id")


class Character(HasImage, OwnedContent, Base):
    __tablename__ = "characters"
    __table_args__ = (
        # Unlike compendium entries, every character has an owner: a plain unique constraint serves.
        sa.UniqueConstraint("owner_id", "name", name="uq_characters_owner_name"),
        sa.Index("ix_characters_race_archetype", "race_id", "archetype_id"),
        sa.Index("ix_characters_visibility_level", "visibility", "level"),
        # Keyset pagination of the character list, one per sort order: (sort column, id) walks an index.
        sa.Index("ix_characters_created_at_id", "created_at", "id"),
        sa.Index("ix_characters_level_id", "level", "id"),
        sa.Index("ix_characters_name_id", "name", "id"),
        sa.CheckConstraint("experience >= 0", name="experience_not_negative"),
        sa.CheckConstraint("level BETWEEN 1 AND 20", name="level_range"),
        *(sa.CheckConstraint(f"{pool} >= 0", name=f"{pool}_not_negative") for pool in MISSING_COLUMNS),
        *(sa.CheckConstraint(f"{a} BETWEEN 1 AND 30", name=f"{a}_range") for a in ATTRIBUTE_NAMES),
    )

    name: Mapped[str] = mapped_column(sa.String(100))
    sex: Mapped[str] = mapped_column(sa.String(30), default="")
    age: Mapped[int | None] = mapped_column(sa.Integer)
    description: Mapped[str] = mapped_column(sa.String(5000), default="")
    race_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("races.id", ondelete="RESTRICT"))
    archetype_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("archetypes.id", ondelete="RESTRICT"), index=True)
    strength: Mapped[int] = mapped_column(default=10)
    constitution: Mapped[int] = mapped_column(default=10)
    dexterity: Mapped[int] = mapped_column(default=10)
    intelligence: Mapped[int] = mapped_column(default=10)
    wisdom: Mapped[int] = mapped_column(default=10)
    charisma: Mapped[int] = mapped_column(default=10)
    experience: Mapped[int] = mapped_column(default=0)
    # Derived from experience by the rules and stored so that lists can filter and sort by it.
    level: Mapped[int] = mapped_column(default=1)
    # At the table: what is missing from each pool, never the current value, so that a new maximum (a level, an
    # item) moves the current value with it (rules/pools.py); and the conditions set on the character.
    health_lost: Mapped[int] = mapped_column(default=0, server_default="0")
    mana_spent: Mapped[int] = mapped_column(default=0, server_default="0")
    stamina_spent: Mapped[int] = mapped_column(default=0, server_default="0")
    conditions: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")

    race: Mapped[Race] = relationship(lazy="raise")
    archetype: Mapped[Archetype] = relationship(lazy="raise")
    skills: Mapped[list[Skill]] = relationship(secondary=character_skills, lazy="raise", order_by=Skill.name)
    perks: Mapped[list[Perk]] = relationship(secondary=character_perks, lazy="raise", order_by=Perk.name)
    tags: Mapped[list[Tag]] = relationship(secondary=character_tags, lazy="raise", order_by=Tag.name)
    inventory: Mapped[list["InventoryEntry"]] = relationship(
        back_populates="character", lazy="raise", cascade="all, delete-orphan"
    )
    equipment: Mapped[list["EquippedItem"]] = relationship(
        back_populates="character", lazy="raise", cascade="all, delete-orphan"
    )


class InventoryEntry(Base):
    """A stack of one item in a character's pack."""

    __tablename__ = "inventory_entries"
    __table_args__ = (sa.CheckConstraint("quantity >= 1", name="quantity_positive"),)

    character_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("items.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)

    character: Mapped[Character] = relationship(back_populates="inventory", lazy="raise")
    item: Mapped[Item] = relationship(lazy="raise")


class EquippedItem(Base):
    """An item worn in one of the fourteen slots; it is always also in the inventory."""

    __tablename__ = "equipped_items"

    character_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[EquipSlot] = mapped_column(
        enum_column(EquipSlot, values_callable=lambda e: [m.value for m in e]), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("items.id", ondelete="RESTRICT"), index=True)

    character: Mapped[Character] = relationship(back_populates="equipment", lazy="raise")
    item: Mapped[Item] = relationship(lazy="raise")


class BuilderDraft(Timestamped, Base):
    """The character builder's work in progress, one per user, so a reload or another device resumes it."""

    __tablename__ = "builder_drafts"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    step: Mapped[str] = mapped_column(sa.String(20), default="identity")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
