"""Characters: list, create, change and delete them; every rule is the rules engine's, every permission access's.

Callers use the package (`characters.create_character(...)`); the modules split it into listing, the inputs a
character is made and changed with, the checks against what is stored, and changes.
"""

from webapp.services.characters.changes import create_character, delete_character, update_character
from webapp.services.characters.checks import (
    ARCHETYPE_OPTIONS,
    name_violations,
    resolve_archetype,
    resolve_image,
    resolve_race,
    starting_violations,
    visible_by_ids,
)
from webapp.services.characters.inputs import (
    MAX_AGE,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_SEX,
    CharacterCreate,
    CharacterIdentity,
    CharacterPatch,
)
from webapp.services.characters.listing import (
    CharacterCounts,
    CharacterFilters,
    character_query,
    character_stats,
    get_character,
    my_characters,
    range_violations,
)

__all__ = [
    "ARCHETYPE_OPTIONS",
    "MAX_AGE",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "MAX_SEX",
    "CharacterCounts",
    "CharacterCreate",
    "CharacterFilters",
    "CharacterIdentity",
    "CharacterPatch",
    "character_query",
    "character_stats",
    "create_character",
    "delete_character",
    "get_character",
    "my_characters",
    "name_violations",
    "range_violations",
    "resolve_archetype",
    "resolve_image",
    "resolve_race",
    "starting_violations",
    "update_character",
    "visible_by_ids",
]
