"""Typed SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from webapp.models.base import ATTRIBUTE_NAMES, Attribute, EquipSlot, ItemSlot, Rarity, Role, Visibility
from webapp.models.campaign import (
    Campaign,
    CampaignEvent,
    CampaignStatus,
    EventKind,
    Membership,
    MembershipStatus,
    Roll,
    Seen,
)
from webapp.models.character import BuilderDraft, Character, EquippedItem, InventoryEntry
from webapp.models.compendium import Archetype, Perk, Race, Skill, Tag
from webapp.models.image import Image
from webapp.models.item import BONUS_FIELDS, Item
from webapp.models.user import ApiToken, RefreshToken, TokenScope, User, UserSession

__all__ = [
    "ATTRIBUTE_NAMES",
    "BONUS_FIELDS",
    "ApiToken",
    "Archetype",
    "Attribute",
    "BuilderDraft",
    "Campaign",
    "CampaignEvent",
    "CampaignStatus",
    "Character",
    "EquipSlot",
    "EquippedItem",
    "EventKind",
    "Image",
    "InventoryEntry",
    "Item",
    "ItemSlot",
    "Membership",
    "MembershipStatus",
    "Perk",
    "Race",
    "Rarity",
    "RefreshToken",
    "Role",
    "Roll",
    "Seen",
    "Skill",
    "Tag",
    "TokenScope",
    "User",
    "UserSession",
    "Visibility",
]
