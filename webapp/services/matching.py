"""Searching text columns for what a user typed, with LIKE's wildcards taken literally."""

import sqlalchemy as sa

LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A LIKE pattern (escaped with LIKE_ESCAPE) for the columns that contain `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitively, the column contains `text`."""
    return column.ilike(like_pattern(text), escape=LIKE_ESCAPE)
