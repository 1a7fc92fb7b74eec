"""The six compendium kinds described as data: fields, relations, filters and sorts drive one generic service."""

from dataclasses import dataclass
from typing import Any

from webapp.models import ATTRIBUTE_NAMES, Archetype, Item, ItemSlot, Perk, Race, Rarity, Skill, Tag

TEXT, LONGTEXT, INT, FLOAT, BOOL, CHOICE = "text", "longtext", "int", "float", "bool", "choice"


@dataclass(frozen=True)
class Field:
    """One column a client may set; bounds are inclusive."""

    name: str
    label: str
    type: str = INT
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Relation:
    """A many-to-many list set by ids (`skill_ids`), stored in the model's relationship (`skills`)."""

    field: str
    attribute: str
    target: str
    label: str


@dataclass(frozen=True)
class Kind:
    name: str  # the URL segment: "items"
    singular: str
    label: str
    model: type
    fields: tuple[Field, ...]
    relations: tuple[Relation, ...] = ()
    choice_filters: tuple[str, ...] = ()  # fields a list filters by equality
    level_field: str | None = None  # enables the min_level / max_level range
    bonus_filter: bool = False  # races: "gives a bonus to this attribute"
    sorts: tuple[str, ...] = ("name", "created_at", "updated_at")
    columns: tuple[str, ...] = ()  # shown in the list beside the name
    has_image: bool = True

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _name(max_length: int) -> Field:
    return Field("name", "Name", TEXT, max_length=max_length)


def _description(max_length: int) -> Field:
    return Field("description", "Description", LONGTEXT, default="", max_length=max_length)


def _level(label: str = "Required level") -> Field:
    return Field("required_level", label, INT, default=1, minimum=1, maximum=20)


def _attribute_label(attribute: str) -> str:
    return attribute.capitalize()


TAGS = Relation("tag_ids", "tags", "tags", "Tags")
SKILLS = Relation("skill_ids", "skills", "skills", "Skills")


def _levelled(name: str, singular: str, model: type) -> Kind:
    """Skills and perks: a name, a description and the level they need."""
    return Kind(
        name,
        singular,
        name.capitalize(),
        model,
        fields=(_name(100), _description(1000), _level()),
        relations=(TAGS,),
        level_field="required_level",
        sorts=("name", "required_level", "created_at", "updated_at"),
        columns=("required_level",),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "races",
            "race",
            "Races",
            Race,
            fields=(
                _name(100),
                _description(2000),
                *(
                    Field(f"{a}_bonus", f"{_attribute_label(a)} bonus", INT, default=0, minimum=-3, maximum=3)
                    for a in ATTRIBUTE_NAMES
                ),
                *(
                    Field(f"{p}_pct", f"{p.capitalize()} %", INT, default=100, minimum=50, maximum=200)
                    for p in ("health", "mana", "stamina")
                ),
            ),
            relations=(SKILLS, TAGS),
            bonus_filter=True,
            columns=tuple(f"{a}_bonus" for a in ATTRIBUTE_NAMES),
        ),
        Kind(
            "archetypes",
            "archetype",
            "Archetypes",
            Archetype,
            fields=(
                _name(100),
                _description(2000),
                Field("health_per_level", "Health per level", INT, default=8, minimum=4, maximum=12),
                Field("mana_per_level", "Mana per level", INT, default=4, minimum=0, maximum=12),
                Field("stamina_per_level", "Stamina per level", INT, default=6, minimum=2, maximum=12),
                Field("primary_attribute", "Primary attribute", CHOICE, default="strength", choices=ATTRIBUTE_NAMES),
            ),
            relations=(
                Relation("required_race_ids", "required_races", "races", "Required races"),
                SKILLS,
                TAGS,
            ),
            choice_filters=("primary_attribute",),
            sorts=("name", "health_per_level", "mana_per_level", "stamina_per_level", "created_at", "updated_at"),
            columns=("primary_attribute", "health_per_level", "mana_per_level", "stamina_per_level"),
        ),
        _levelled("skills", "skill", Skill),
        _levelled("perks", "perk", Perk),
        Kind(
            "items",
            "item",
            "Items",
            Item,
            fields=(
                _name(120),
                _description(4000),
                Field("rarity", "Rarity", CHOICE, default="COMMON", choices=tuple(r.value for r in Rarity)),
                Field(
                    "slot",
                    "Slot",
                    CHOICE,
                    default="NONE",
                    choices=tuple(s.value for s in ItemSlot),
                    hint="Where it is worn or held; None for things only carried.",
                ),
                _level(),
                Field("weight", "Weight", FLOAT, default=0.0, minimum=0, maximum=1000, hint="In kilograms."),
                Field("value", "Value (gold)", INT, default=0, minimum=0, maximum=1_000_000),
                Field("damage", "Damage", INT, default=0, minimum=0, maximum=1000),
                Field("defense", "Defense", INT, default=0, minimum=0, maximum=1000),
                Field("durability", "Durability", INT, default=100, minimum=0, maximum=100_000),
                Field("max_durability", "Max durability", INT, default=100, minimum=0, maximum=100_000),
                *(
                    Field(f"bonus_{a}", f"{_attribute_label(a)} bonus", INT, default=0, minimum=-10, maximum=10)
                    for a in ATTRIBUTE_NAMES
                ),
                *(
                    Field(f"bonus_{p}", f"{p.capitalize()} bonus", INT, default=0, minimum=-1000, maximum=1000)
                    for p in ("health", "mana", "stamina")
                ),
                Field("is_consumable", "Consumable", BOOL, default=False, hint="Used up one at a time."),
                Field("is_quest_item", "Quest item", BOOL, default=False),
                Field("is_tradeable", "Tradeable", BOOL, default=True),
                Field("is_throwable", "Throwable", BOOL, default=False),
            ),
            relations=(
                Relation("bonus_skill_ids", "bonus_skills", "skills", "Bonus skills"),
                Relation("bonus_perk_ids", "bonus_perks", "perks", "Bonus perks"),
                TAGS,
            ),
            choice_filters=("rarity", "slot"),
            level_field="required_level",
            sorts=("name", "required_level", "weight", "value", "damage", "defense", "created_at", "updated_at"),
            columns=("rarity", "slot", "required_level", "weight", "value"),
        ),
        Kind(
            "tags",
            "tag",
            "Tags",
            Tag,
            fields=(_name(50), _description(500)),
            has_image=False,
        ),
    )
}



def dependents(kind_name: str) -> tuple[str, ...]:
    """The kind itself and every kind whose entries name it (a renamed tag shows on items, races…)."""
    return (kind_name, *(k.name for k in KINDS.values() if any(r.target == kind_name for r in k.relations)))
