"""A character as the rules see it, and one loader that reads everything its sheet needs in one query.

Callers use the package (`sheets.load_sheet(...)`); `rules_view` turns rows into the rules' data, `loader` reads
a character and computes its sheet.
"""

from webapp.services.sheets.loader import LoadedSheet, load_locked, load_sheet, sheet_of
from webapp.services.sheets.rules_view import (
    CARD_OPTIONS,
    RACE_AND_ARCHETYPE_OPTIONS,
    SHEET_OPTIONS,
    Carried,
    Namer,
    Worn,
    archetype_data,
    base_scores,
    campaign_level_cap,
    character_data,
    item_data,
    level_cap_of,
    race_data,
    sheet_data,
)

__all__ = [
    "CARD_OPTIONS",
    "RACE_AND_ARCHETYPE_OPTIONS",
    "SHEET_OPTIONS",
    "Carried",
    "LoadedSheet",
    "Namer",
    "Worn",
    "archetype_data",
    "base_scores",
    "campaign_level_cap",
    "character_data",
    "item_data",
    "level_cap_of",
    "load_locked",
    "load_sheet",
    "race_data",
    "sheet_data",
    "sheet_of",
]
