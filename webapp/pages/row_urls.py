"""URLs for the rows of a long list: url_for once per page with a marker for the row's id, then the marker
replaced row by row (url_for costs more than the rest of a row's markup)."""

from collections.abc import Callable

from flask import url_for

MARKER = "00000000-0000-4000-8000-000000000000"


def per_row(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """A function of a row's id giving `url_for(endpoint, **values, key=row id)`."""
    url = url_for(endpoint, **{key: MARKER}, **values)
    return lambda row_id: url.replace(MARKER, str(row_id))
