"""The compendium: tags, races, archetypes, skills and perks (items live in item.py)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import ATTRIBUTE_NAMES, Attribute, Base, enum_column
from webapp.models.content import HasImage, OwnedContent, association, unique_name_per_owner

race_skills = association("race_skills", "races.race_id", "skills.skill_id")
race_tags = association("race_tags", "races.race_id", "tags.tag_id")
archetype_skills = association("archetype_skills", "archetypes.archetype_id", "skills.skill_id")
archetype_required_races = association("archetype_required_races", "archetypes.archetype_id", "races.race_id")
archetype_tags = association("archetype_tags", "archetypes.archetype_id", "tags.tag_id")
skill_tags = association("skill_tags", "skills.skill_id", "tags.tag_id")
perk_tags = association("perk_tags", "perks.perk_id", "tags.tag_id")


class Tag(OwnedContent, Base):
    __tablename__ = "tags"
    __table_args__ = unique_name_per_owner("tags")

    name: Mapped[str] = mapped_column(sa.String(50))
    description: Mapped[str] = mapped_column(sa.String(500), default="")


class Skill(HasImage, OwnedContent, Base):
    __tablename__ = "skills"
    __table_args__ = (
        *unique_name_per_owner("skills"),
        sa.CheckConstraint("required_level BETWEEN 1 AND 20", name="required_level_range"),
    )

    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    required_level: Mapped[int] = mapped_column(default=1, index=True)

    tags: Mapped[list[Tag]] = relationship(secondary=skill_tags, lazy="raise", order_by=Tag.name)


class Perk(HasImage, OwnedContent, Base):
    __tablename__ = "perks"
    __table_args__ = (
        *unique_name_per_owner("perks"),
        sa.CheckConstraint("required_level BETWEEN 1 AND 20", name="required_level_range"),
    )

    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    required_level: Mapped[int] = mapped_column(default=1, index=True)

    tags: Mapped[list[Tag]] = relationship(secondary=perk_tags, lazy="raise", order_by=Tag.name)


class Race(HasImage, OwnedContent, Base):
    __tablename__ = "races"
    __table_args__ = (
        *unique_name_per_owner("races"),
        *(sa.CheckConstraint(f"{a}_bonus BETWEEN -3 AND 3", name=f"{a}_bonus_range") for a in ATTRIBUTE_NAMES),
        *(
            sa.CheckConstraint(f"{p}_pct BETWEEN 50 AND 200", name=f"{p}_pct_range")
            for p in ("health", "mana", "stamina")
        ),
    )

    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(2000), default="")
    strength_bonus: Mapped[int] = mapped_column(default=0)
    constitution_bonus: Mapped[int] = mapped_column(default=0)
    dexterity_bonus: Mapped[int] = mapped_column(default=0)
    intelligence_bonus: Mapped[int] = mapped_column(default=0)
    wisdom_bonus: Mapped[int] = mapped_column(default=0)
    charisma_bonus: Mapped[int] = mapped_column(default=0)
    health_pct: Mapped[int] = mapped_column(default=100)
    mana_pct: Mapped[int] = mapped_column(default=100)
    stamina_pct: Mapped[int] = mapped_column(default=100)

    skills: Mapped[list[Skill]] = relationship(secondary=race_skills, lazy="raise", order_by=Skill.name)
    tags: Mapped[list[Tag]] = relationship(secondary=race_tags, lazy="raise", order_by=Tag.name)


class Archetype(HasImage, OwnedContent, Base):
    __tablename__ = "archetypes"
    __table_args__ = (
        *unique_name_per_owner("archetypes"),
        sa.CheckConstraint("health_per_level BETWEEN 4 AND 12", name="health_per_level_range"),
        sa.CheckConstraint("mana_per_level BETWEEN 0 AND 12", name="mana_per_level_range"),
        sa.CheckConstraint("stamina_per_level BETWEEN 2 AND 12", name="stamina_per_level_range"),
    )

    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(2000), default="")
    health_per_level: Mapped[int] = mapped_column(default=8)
    mana_per_level: Mapped[int] = mapped_column(default=4)
    stamina_per_level: Mapped[int] = mapped_column(default=6)
    primary_attribute: Mapped[Attribute] = mapped_column(enum_column(Attribute), default=Attribute.STRENGTH)

    required_races: Mapped[list[Race]] = relationship(
        secondary=archetype_required_races, lazy="raise", order_by=Race.name
    )
    skills: Mapped[list[Skill]] = relationship(secondary=archetype_skills, lazy="raise", order_by=Skill.name)
    tags: Mapped[list[Tag]] = relationship(secondary=archetype_tags, lazy="raise", order_by=Tag.name)
