"""How single values are written in the API's JSON: times in UTC ISO 8601, optional ids as text or null."""

from datetime import datetime

from webapp.models.base import as_utc


def iso(moment: datetime | None) -> str | None:
    """The moment in ISO 8601 with its UTC offset (SQLite hands stored times back without one); None stays None."""
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def id_or_null(value) -> str | None:
    """An optional id as text, or None."""
    return str(value) if value else None
