"""Keyset (cursor) pagination of a query: stable under inserts, with the row id as the tie-breaker."""

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson
import sqlalchemy as sa

from webapp.extensions import db
from webapp.services.errors import BadQuery, Violation


@dataclass(frozen=True)
class Pagination:
    """Where a page of a list stands: how many rows it holds at most, whether more follow, and the cursor to them."""

    limit: int
    has_next: bool
    next_cursor: str | None


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values, default=str)).decode().rstrip("=")


def _decode(cursor: str, columns: list[sa.Column]) -> list:
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise ValueError
        return [_typed(value, column) for value, column in zip(raw, columns, strict=True)]
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise BadQuery([Violation("cursor", "This cursor is not one we gave out.")]) from None


def _typed(value, column):
    python_type = column.type.python_type
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if isinstance(value, str) and python_type is not str:
        return python_type(value)
    return value


def paginate(
    query: sa.Select, model, sort_column, limit: int, cursor: str | None, order: str
) -> tuple[list, Pagination]:
    """Run one page of `query` ordered by (sort_column, id); returns (rows, where the page stands).

    Raises BadQuery for a cursor we did not give out.
    """
    columns = [sort_column, model.id]
    descending = order == "desc"
    if cursor:
        values = _decode(cursor, columns)
        key, bound = (
            sa.tuple_(*columns),
            sa.tuple_(*[sa.literal(v, type_=c.type) for v, c in zip(values, columns, strict=True)]),
        )
        query = query.where(key < bound if descending else key > bound)
    ordering = [c.desc() for c in columns] if descending else [c.asc() for c in columns]
    rows = list(db.session.execute(query.order_by(*ordering).limit(limit + 1)).unique().scalars())
    has_next = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_next:
        last = rows[-1]
        next_cursor = _encode([_value(getattr(last, sort_column.key)), str(last.id)])
    return rows, Pagination(limit, has_next, next_cursor)


def _value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value
