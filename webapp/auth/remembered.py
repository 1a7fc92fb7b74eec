"""Credentials this worker has checked, kept until anything that could end a sign-in changes (no query per request).

A session cookie or API token is checked against the database once; the user it named is kept as a detached
copy and merged into each later request's session without SQL. Every such entry is tied to the `credentials`
generation, read before the database check: a revoked session or token, a ban, a new role or password bumps
it, and the next request checks again. Entries are also checked again after `max_age` seconds, so the
bookkeeping the slow path does (last seen, last used) stays roughly current.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, session
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.tokens import PERSONAL_PREFIX, digest
from webapp.caching import WorkerCopies, generations
from webapp.extensions import db
from webapp.invalidation import CREDENTIALS
from webapp.models import User
from webapp.security import bearer_token

MAX_ENTRIES = 2048


@dataclass(frozen=True)
class Remembered:
    user: User  # detached; never changed after it is stored
    generation: str
    details: Any = None


_held = WorkerCopies(MAX_ENTRIES)


def current_generation() -> str | None:
    """Read before the database check whose outcome will be remembered under it."""
    found = generations([CREDENTIALS])
    return None if found is None else found[CREDENTIALS]


def recall(key: str, max_age: float) -> Remembered | None:
    """What was remembered under key, if nothing that could end a sign-in has changed since."""
    held = _held.get(key, max_age) if current_app.config.get("WORKER_COPIES") else None
    if held is None:
        return None
    if current_generation() != held.generation:
        _held.pop(key)
        return None
    return held


def viewer_hint():
    """The user whose personal token or session cookie this request carries, if this worker remembers it.

    Unchecked: for reading ahead what a kept answer will check, never for letting anyone in.
    """
    token = bearer_token()
    if token is not None:
        key = token_key(digest(token)) if token.startswith(PERSONAL_PREFIX) else None
    else:
        session_id = session.get("_user_id")
        key = session_key(session_id) if session_id else None
    held = _held.get(key) if key is not None else None
    return held.user.id if held is not None else None


def session_key(session_id) -> str:
    """Where a browser session's check is remembered (by its UserSession id)."""
    return f"session:{session_id}"


def token_key(token_hash: str) -> str:
    """Where a personal token's check is remembered (by the digest of its secret)."""
    return f"token:{token_hash}"


def attach(held: Remembered) -> User:
    """The remembered user, as a persistent object of this request's database session (no SQL)."""
    return db.session.merge(held.user, load=False)


def remember(key: str, user: User, generation: str | None, details: Any = None) -> None:
    if generation is None or not current_app.config.get("WORKER_COPIES"):  # nobody would say what changed
        return
    _held.put(key, Remembered(_detached_copy(user), generation, details))


def clear() -> None:
    _held.clear()


def _detached_copy(user: User) -> User:
    """A copy with the user's columns only, detached, that merging can attach without loading anything."""
    mapper = sa.inspect(User)
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(user, column.key))
    make_transient_to_detached(copy)
    return copy
