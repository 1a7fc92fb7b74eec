"""Keyset (cursor) pagination of a query: stable under inserts, with the row id as the tie-breaker."""

import base64
import enum
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

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
    except (ValueError, TypeError, InvalidOperation, orjson.JSONDecodeError):
        raise BadQuery([Violation("cursor", "This cursor is not one we gave out.")]) from None


_BIGINT = 2**63  # what a database integer holds either side of zero


def _typed(value, column):
    """The cursor's value as the column's type, or ValueError: a hand-made cursor must not reach the database as
    something it refuses (a NUL in text, an integer past 64 bits, a list, a boolean where a number goes)."""
    python_type = column.type.python_type
    if python_type is uuid.UUID:
        return uuid.UUID(_text(value))
    if python_type is datetime:
        moment = datetime.fromisoformat(_text(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if python_type is str or issubclass(python_type, enum.Enum):
        return python_type(_text(value))
    if python_type is Decimal:  # written out as text, to keep its digits
        number = Decimal(_text(value))
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError
    else:
        number = value
    if python_type is int and not (isinstance(number, int) and -_BIGINT <= number < _BIGINT):
        raise ValueError
    if not math.isfinite(number):
        raise ValueError
    return python_type(number)


def _text(value) -> str:
    if not isinstance(value, str) or "\x00" in value or len(value) > 1000:
        raise ValueError
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
