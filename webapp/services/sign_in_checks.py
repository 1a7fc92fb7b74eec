"""Sign-in checks kept in the shared cache: a session or personal token checked against the database is not
checked again until anything that could end a sign-in changes (the `credentials` generation moves: a revoked
session or token, a ban, a new role or password, a deleted account) or a few minutes pass.

The generation is read before the database check, so a revocation that lands during the check moves it and the
check is never kept under the new one. Every worker and instance reads the same entries; when Redis cannot say
what changed, every request is checked against the database (see caching.generations).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from webapp import caching, invalidation, reference
from webapp.extensions import db
from webapp.models import User

T = TypeVar("T")
UNCACHED = frozenset({"password_hash"})
# A checked user's columns, read with the credential as plain values: building the user from them (user_from)
# costs less than the ORM's loading of a whole row, and is what a kept check does anyway.
_USER_ATTRIBUTES = [attribute for attribute in sa.inspect(User).column_attrs if attribute.key not in UNCACHED]
USER_COLUMNS = tuple(attribute.columns[0] for attribute in _USER_ATTRIBUTES)
_USER_KEYS = tuple(attribute.key for attribute in _USER_ATTRIBUTES)


@dataclass(frozen=True)
class Check:
    """A passed check: the user's columns and what the credential allows, valid until `expires_at` and while the
    `credentials` generation is still the one it was made under."""

    user: dict[str, Any]
    expires_at: datetime | None
    generation: str
    details: Any = None


def recall(kind: str, credential) -> tuple[tuple[User, Any, datetime | None] | None, str | None]:
    """The user a kept check of this credential names, attached to the request's session, with its details and
    when the credential ends, and the current `credentials` generation (None: keep nothing), read together in one
    round trip.

    A check is made after that generation was read, so a revocation that lands during the check moves it and the
    check is never kept under the new one."""
    if not caching.keeps_anything():
        return None, None
    # The compendium's generations come in the same round trip: nearly every signed-in request checks its
    # snapshot next (a sheet, a write, a kept answer's stamp), and would otherwise ask Redis once more.
    found = caching.recall(key_for(kind, credential), [invalidation.CREDENTIALS, *reference.GENERATIONS])
    if found is None:
        return None, None
    held, generations = found
    current = generations[invalidation.CREDENTIALS]
    if (
        not isinstance(held, Check)
        or held.generation != current
        or (held.expires_at is not None and held.expires_at <= datetime.now(UTC))
    ):
        return None, current
    return (user_from(held.user), held.details, held.expires_at), current


def keep(
    kind: str,
    credential,
    current: str | None,
    columns: dict[str, Any],
    expires_at: datetime | None,
    details=None,
    seconds=300,
) -> None:
    """Keep a passed check of the user with these columns (user_columns) under the generation read before it, for
    at most `seconds` (the database is asked again at least that often, so last-seen times stay current). The
    password's hash is not among them: a request that needs it reads it from the database."""
    if current is not None:
        caching.write(key_for(kind, credential), Check(columns, expires_at, current, details), timeout=seconds)


def user_columns(row, start: int) -> dict[str, Any]:
    """The user's columns of a row that holds USER_COLUMNS from `start` on, by attribute."""
    return dict(zip(_USER_KEYS, row[start : start + len(_USER_KEYS)], strict=True))


def key_for(kind: str, credential) -> str:
    """Where a passed check of this credential is kept: a request that knows its credential early may read it
    together with what it reads next (caching.prefetch)."""
    return f"signin:{kind}:{caching.key_of(credential)}"


def user_from(columns: dict[str, Any]) -> User:
    """A user built from its columns (user_columns, or a kept check's) and joined to the request's session without
    a query; the password's hash is read from the database if a request asks for it."""
    return attached(User, columns)


def attached(model: type[T], columns: dict[str, Any]) -> T:
    """An object of `model` built from columns read as plain values (by attribute) and joined to the request's
    session without a query, as if the ORM had loaded it; a column left out is read from the database if asked."""
    obj = sa.inspect(model).class_manager.new_instance()
    instance_dict(obj).update(columns)  # a new object's own values, with no history yet
    make_transient_to_detached(obj)  # ... committed as loaded ones are, and what is left out expired
    return db.session.merge(obj, load=False)
