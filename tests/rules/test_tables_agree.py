"""The rules' tables of slots and attributes are the ones the models store."""

import sqlalchemy as sa

from webapp import rules
from webapp.models import Character, EquippedItem, Item, Race
from webapp.models.base import Attribute, EquipSlot, ItemSlot


def stored_values(column) -> list[str]:
    """The values a column's CHECK constraint allows."""
    column_type = column.type
    assert isinstance(column_type, sa.Enum)
    return list(column_type.enums)


def test_item_slots_stored_are_the_rules_item_slots() -> None:
    assert [slot.value for slot in ItemSlot] == list(rules.ITEM_SLOTS)
    assert stored_values(Item.__table__.c.slot) == list(rules.ITEM_SLOTS)


def test_equipment_slots_stored_are_the_rules_equipment_slots() -> None:
    assert [slot.value for slot in EquipSlot] == list(rules.EQUIP_SLOTS)
    assert stored_values(EquippedItem.__table__.c.slot) == list(rules.EQUIP_SLOTS)


def test_every_equipment_slot_has_what_it_accepts_a_label_and_a_hint() -> None:
    for table in (rules.SLOT_ACCEPTS, rules.SLOT_LABELS, rules.SLOT_FITS):
        assert list(table) == list(rules.EQUIP_SLOTS)


def test_every_item_slot_but_none_fits_some_equipment_slot() -> None:
    accepted = set().union(*rules.SLOT_ACCEPTS.values())
    assert accepted <= set(rules.ITEM_SLOTS)
    assert accepted == set(rules.ITEM_SLOTS) - {"NONE"}


def test_attributes_stored_are_the_rules_attributes() -> None:
    assert [attribute.value for attribute in Attribute] == list(rules.ATTRIBUTES)
    columns = Character.__table__.c
    assert all(attribute in columns for attribute in rules.ATTRIBUTES)
    assert all(f"{attribute}_bonus" in Race.__table__.c for attribute in rules.ATTRIBUTES)
    assert all(f"bonus_{attribute}" in Item.__table__.c for attribute in rules.ATTRIBUTES)
