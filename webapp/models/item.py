"""Items: everything a character can carry, wear or wield."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, ItemSlot, Rarity, enum_column
from webapp.models.compendium import Perk, Skill, Tag
from webapp.models.content import HasImage, OwnedContent, association, unique_name_per_owner

item_tags = association("item_tags", "items.item_id", "tags.tag_id")
item_bonus_skills = association("item_bonus_skills", "items.item_id", "skills.skill_id")
item_bonus_perks = association("item_bonus_perks", "items.item_id", "perks.perk_id")

BONUS_FIELDS = (
    "bonus_strength",
    "bonus_constitution",
    "bonus_dexterity",
    "bonus_intelligence",
    "bonus_wisdom",
    "bonus_charisma",
    "bonus_health",
    "bonus_mana",
    "bonus_stamina",
)


class Item(HasImage, OwnedContent, Base):
    __tablename__ = "items"
    __table_args__ = (
        *unique_name_per_owner("items"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
        sa.CheckConstraint("required_level BETWEEN 1 AND 20", name="required_level_range"),
        sa.CheckConstraint("durability BETWEEN 0 AND max_durability", name="durability_range"),
        sa.Index("ix_items_rarity_slot", "rarity", "slot"),
    )

    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(4000), default="")
    rarity: Mapped[Rarity] = mapped_column(enum_column(Rarity), default=Rarity.COMMON)
    slot: Mapped[ItemSlot] = mapped_column(enum_column(ItemSlot), default=ItemSlot.NONE, index=True)
    required_level: Mapped[int] = mapped_column(default=1, index=True)
    weight: Mapped[float] = mapped_column(sa.Float, default=0.0)
    value: Mapped[int] = mapped_column(default=0)
    damage: Mapped[int] = mapped_column(default=0)
    defense: Mapped[int] = mapped_column(default=0)
    durability: Mapped[int] = mapped_column(default=100)
    max_durability: Mapped[int] = mapped_column(default=100)
    bonus_strength: Mapped[int] = mapped_column(default=0)
    bonus_constitution: Mapped[int] = mapped_column(default=0)
    bonus_dexterity: Mapped[int] = mapped_column(default=0)
    bonus_intelligence: Mapped[int] = mapped_column(default=0)
    bonus_wisdom: Mapped[int] = mapped_column(default=0)
    bonus_charisma: Mapped[int] = mapped_column(default=0)
    bonus_health: Mapped[int] = mapped_column(default=0)
    bonus_mana: Mapped[int] = mapped_column(default=0)
    bonus_stamina: Mapped[int] = mapped_column(default=0)
    is_consumable: Mapped[bool] = mapped_column(default=False)
    is_quest_item: Mapped[bool] = mapped_column(default=False)
    is_tradeable: Mapped[bool] = mapped_column(default=True)
    is_throwable: Mapped[bool] = mapped_column(default=False)

    bonus_skills: Mapped[list[Skill]] = relationship(secondary=item_bonus_skills, lazy="raise", order_by=Skill.name)
    bonus_perks: Mapped[list[Perk]] = relationship(secondary=item_bonus_perks, lazy="raise", order_by=Perk.name)
    tags: Mapped[list[Tag]] = relationship(secondary=item_tags, lazy="raise", order_by=Tag.name)
