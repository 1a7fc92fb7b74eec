"""How values are written in the API's JSON: times in UTC ISO 8601, optional ids as text or null, where a page of
a list stands."""

from datetime import datetime

from webapp.models.base import as_utc
from webapp.services.pagination import Pagination


def iso(moment: datetime | None) -> str | None:
    """The moment in ISO 8601 with its UTC offset (SQLite hands stored times back without one); None stays None."""
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def id_or_null(value) -> str | None:
    """An optional id as text, or None."""
    return str(value) if value else None


def page_json(rows: list, pagination: Pagination) -> dict:
    """A page of a list: its rows (written already) and `pagination` {limit, has_next, next_cursor}."""
    return {
        "data": rows,
        "pagination": {
            "limit": pagination.limit,
            "has_next": pagination.has_next,
            "next_cursor": pagination.next_cursor,
        },
    }
