"""Sign-in checks kept in the shared cache: a session or personal token checked against the database is not
checked again until anything that could end a sign-in changes (the `credentials` generation moves: a revoked
session or token, a ban, a new role or password, a deleted account) or a few minutes pass.

The generation is read before the database check, so a revocation that lands during the check moves it and the
check is never kept under the new one. Every worker and instance reads the same entries; when Redis cannot say
what changed, every request is checked against the database (see caching.generations).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from webapp import caching, invalidation
from webapp.extensions import db
from webapp.models import User


@dataclass(frozen=True)
class Check:
    """A passed check: the user's columns and what the credential allows, valid until `expires_at`."""

    user: dict[str, Any]
    expires_at: datetime | None
    details: Any = None


def generation() -> str | None:
    """Read before a database check whose outcome will be kept under it; None: keep nothing."""
    if not caching.keeps_anything():
        return None
    found = caching.generations([invalidation.CREDENTIALS])
    return None if found is None else found[invalidation.CREDENTIALS]


def recall(kind: str, credential, current: str | None) -> tuple[User, Any] | None:
    """The user a kept check of this credential names, attached to the request's session, and its details."""
    if current is None:
        return None
    held = caching.read(_key(kind, credential, current))
    if not isinstance(held, Check) or (held.expires_at is not None and held.expires_at <= datetime.now(UTC)):
        return None
    return _attached(held.user), held.details


def keep(
    kind: str, credential, current: str | None, user: User, expires_at: datetime | None, details=None, seconds=300
) -> None:
    """Keep a passed check under the generation read before it, for at most `seconds` (the database is asked
    again at least that often, so last-seen times stay current)."""
    if current is not None:
        columns = {column.key: getattr(user, column.key) for column in sa.inspect(User).column_attrs}
        caching.write(_key(kind, credential, current), Check(columns, expires_at, details), timeout=seconds)


def _key(kind: str, credential, current: str) -> str:
    return f"signin:{kind}:{caching.key_of(credential)}:{current}"


def _attached(columns: dict[str, Any]) -> User:
    """A user built from kept columns and joined to the request's session without a query."""
    user = sa.inspect(User).class_manager.new_instance()
    for key, value in columns.items():
        set_committed_value(user, key, value)
    make_transient_to_detached(user)
    return db.session.merge(user, load=False)
