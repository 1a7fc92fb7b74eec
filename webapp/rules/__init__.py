"""The game's rules as pure functions over plain data: no Flask, no database."""

from webapp.rules.attributes import (
    ATTRIBUTES,
    DEFAULT_BUDGET,
    MAX_BASE,
    MAX_EFFECTIVE,
    MIN_BASE,
    MIN_EFFECTIVE,
    POINT_COST,
    SHORT_LABELS,
    check_point_buy,
    modifier,
    point_buy_cost,
    points_left,
)
from webapp.rules.campaign_rules import RARITY_ORDER, CampaignRules, check_compliance, rarity_allowed
from webapp.rules.eligibility import check_archetype_race, check_learn_skill, check_take_perk, max_perks
from webapp.rules.equipment import (
    EQUIP_SLOTS,
    ITEM_SLOTS,
    SLOT_ACCEPTS,
    SLOT_FITS,
    SLOT_LABELS,
    EquipPlan,
    plan_equipment,
    slots_for,
)
from webapp.rules.load import check_capacity_change, check_load, load_limit
from webapp.rules.model import ArchetypeData, CharacterData, ItemData, PerkData, RaceData, SkillData
from webapp.rules.progression import MAX_LEVEL, level_for_xp, xp_for_level, xp_progress
from webapp.rules.rounding import round_half_away, round_kg
from webapp.rules.sheet import AttributeStat, Part, Sheet, Stat, check_equipment_load, compute_sheet
from webapp.rules.violations import RuleViolation, Violation

__all__ = [
    "ATTRIBUTES",
    "DEFAULT_BUDGET",
    "EQUIP_SLOTS",
    "ITEM_SLOTS",
    "MAX_BASE",
    "MAX_EFFECTIVE",
    "MAX_LEVEL",
    "MIN_BASE",
    "MIN_EFFECTIVE",
    "POINT_COST",
    "RARITY_ORDER",
    "SHORT_LABELS",
    "SLOT_ACCEPTS",
    "SLOT_FITS",
    "SLOT_LABELS",
    "ArchetypeData",
    "AttributeStat",
    "CampaignRules",
    "CharacterData",
    "EquipPlan",
    "ItemData",
    "Part",
    "PerkData",
    "RaceData",
    "RuleViolation",
    "Sheet",
    "SkillData",
    "Stat",
    "Violation",
    "check_archetype_race",
    "check_capacity_change",
    "check_compliance",
    "check_equipment_load",
    "check_learn_skill",
    "check_load",
    "check_point_buy",
    "check_take_perk",
    "compute_sheet",
    "level_for_xp",
    "load_limit",
    "max_perks",
    "modifier",
    "plan_equipment",
    "point_buy_cost",
    "points_left",
    "rarity_allowed",
    "round_half_away",
    "round_kg",
    "slots_for",
    "xp_for_level",
    "xp_progress",
]
