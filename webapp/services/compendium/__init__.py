"""One service for every compendium kind: list, read, create, change, hide and delete, and what uses an entry.

Callers use the package (`compendium.list_entries(...)`); the modules split it into reading, editing and usage.
"""

from webapp.services.compendium.editing import (
    create_entry,
    delete_entry,
    entry_problems,
    range_message,
    update_entry,
)
from webapp.services.compendium.reading import (
    OWNERS,
    EntryPage,
    Filters,
    choices,
    get_entry,
    kind_named,
    list_entries,
    owner_name,
    relation_ids_for,
    relation_ids_of,
)
from webapp.services.compendium.usage import (
    MOST_USED,
    NEW_WITHIN,
    REFERENCES_SHOWN,
    EntryCounts,
    entry_stats,
    references_to,
)

__all__ = [
    "MOST_USED",
    "EntryCounts",
    "NEW_WITHIN",
    "OWNERS",
    "REFERENCES_SHOWN",
    "EntryPage",
    "Filters",
    "choices",
    "create_entry",
    "delete_entry",
    "entry_problems",
    "entry_stats",
    "get_entry",
    "kind_named",
    "list_entries",
    "owner_name",
    "range_message",
    "references_to",
    "relation_ids_for",
    "relation_ids_of",
    "update_entry",
]
