"""The response models of a character's sheet: every derived number with its breakdown, named skills, perks and
equipment, and the bare sheet (ids only) an equipment preview shows before and after."""

import uuid
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema, create_model

from webapp import rules
from webapp.api.wire import Out
from webapp.models import ItemSlot, Rarity
from webapp.rules.conditions import SETTABLE

# A whole number where the rules count, kilograms with decimals where they weigh: written as the rules give it.
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class PartOut(Out):
    source: str = Field(description="Where these points come from, e.g. “Base”, “Dwarf”, “Equipped: Iron helm”.")
    amount: Number


class StatOut(Out):
    value: Number
    breakdown: list[PartOut] = Field(description="The amounts add up to the value.")


class AttributeStatOut(StatOut):
    modifier: int = Field(description="floor((value − 10) / 2)")


AttributesOut = create_model(
    "AttributesOut", __base__=Out, **{name: (AttributeStatOut, ...) for name in rules.ATTRIBUTES}
)


class _Numbers(Out):
    level: int
    experience: int
    attributes: AttributesOut  # type: ignore[valid-type]
    max_health: StatOut
    max_mana: StatOut
    max_stamina: StatOut
    attack: StatOut
    defense: StatOut
    capacity: StatOut = Field(description="Kilograms the character carries without being encumbered.")
    load: StatOut = Field(description="Kilograms of the whole inventory.")
    load_limit: StatOut = Field(description="2 × capacity: additions past it are refused.")
    encumbered: bool
    conditions: list[Literal[SETTABLE]] = Field(  # type: ignore[valid-type]
        description="The conditions set on the character, whose effects the breakdowns show (SPEC §9)."
    )
    down: bool = Field(description="Current health is 0: defense −4, no attack rolls, no checks.")


class KnownOut(Out):
    """A skill or perk the character has: learned, or granted while an item that gives it is equipped."""

    id: uuid.UUID
    name: str
    required_level: int
    learned: bool
    granted_by: list[str] = Field(description="Names of the equipped items that grant it.")


class WornOut(Out):
    id: uuid.UUID
    name: str
    slot: ItemSlot
    rarity: Rarity


EquippedOut = create_model(
    "EquippedOut",
    __base__=Out,
    **{slot: (WornOut | None, Field(..., description=rules.SLOT_LABELS[slot])) for slot in rules.EQUIP_SLOTS},
)

BareEquipmentOut = create_model(
    "BareEquipmentOut", __base__=Out, **{slot: (uuid.UUID | None, ...) for slot in rules.EQUIP_SLOTS}
)


class SheetOut(_Numbers):
    """GET /characters/<id>/sheet."""

    skills: list[KnownOut]
    perks: list[KnownOut]
    equipment: EquippedOut  # type: ignore[valid-type]


class BareSheetOut(_Numbers):
    """A sheet as an equipment preview shows it: skills, perks and equipment by id."""

    skills: list[uuid.UUID]
    perks: list[uuid.UUID]
    equipment: BareEquipmentOut  # type: ignore[valid-type]
