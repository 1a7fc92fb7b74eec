"""Browser sessions, the store Flask-Login reads: start one at sign-in, find the user of one, list them, end one
or all. The id Flask-Login remembers is a UserSession's, so every browser can be listed and ended."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import request, session
from flask_login import login_user, logout_user

from webapp.extensions import db
from webapp.invalidation import CREDENTIALS, stale
from webapp.models import User, UserSession
from webapp.models.base import as_utc
from webapp.net import client_address
from webapp.services import sign_in_checks
from webapp.services.access import may_sign_in
from webapp.services.commits import commit_keeping_objects
from webapp.services.ids import uuid_or_none

REMEMBERED = timedelta(days=30)
UNREMEMBERED = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=5)


# Built once: building it for every request cost about as much as running it. Plain values, not objects: the
# check reads three of the session's columns, and the user is built from its own (sign_in_checks.user_from).
_SESSION_AND_USER = (
    sa.select(UserSession.revoked_at, UserSession.expires_at, UserSession.last_seen_at, *sign_in_checks.USER_COLUMNS)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.id == sa.bindparam("session_id", type_=sa.Uuid))
)


def load_user(session_id: str) -> User | None:
    """The user of a live session; None (signed out) when the session was ended, expired or the user banned.

    A passed check is kept in the shared cache until anything that could end a sign-in changes
    (services/sign_in_checks.py), so every worker and instance sees a revoked session, a ban or a new role at once.
    """
    key = _session_key(session_id)
    if key is None:
        return None
    kept, current = sign_in_checks.recall("session", key)
    if kept is not None:
        user, _details, user.session_expires_at = kept
        user.session_id = str(key)
        return user
    now = datetime.now(UTC)
    found = db.session.connection().execute(_SESSION_AND_USER, {"session_id": key}).first()
    if found is None:
        return None
    revoked_at, expires_at, last_seen_at = found[:3]
    columns = sign_in_checks.user_columns(found, 3)
    user = sign_in_checks.user_from(columns)
    expires_at = as_utc(expires_at)
    if revoked_at is not None or expires_at <= now or not may_sign_in(user):
        return None
    sign_in_checks.keep("session", key, current, columns, expires_at, seconds=int(TOUCH_EVERY.total_seconds()))
    if last_seen_at is None or now - as_utc(last_seen_at) > TOUCH_EVERY:
        db.session.execute(sa.update(UserSession).where(UserSession.id == key).values(last_seen_at=now))
        commit_keeping_objects()  # the user was just read; the request goes on with it
    user.session_id, user.session_expires_at = str(key), expires_at
    return user


def check_key(session_id) -> str | None:
    """Where a passed check of this session is kept (sign_in_checks), or None when the id names no session."""
    key = _session_key(session_id)
    return None if key is None else sign_in_checks.key_for("session", key)


def _session_key(session_id) -> uuid.UUID | None:
    """The UserSession id Flask-Login keeps in the cookie, or None when it is not one."""
    return uuid_or_none(session_id)


def start_session(user: User, remember: bool = False) -> UserSession:
    """Sign the browser in with a fresh session (the old cookie contents are discarded first). Commits."""
    session.clear()
    now = datetime.now(UTC)
    row = UserSession(
        user_id=user.id,
        user_agent=(request.user_agent.string or "")[:300],
        ip_address=client_address()[:64],
        last_seen_at=now,
        expires_at=now + (REMEMBERED if remember else UNREMEMBERED),
    )
    db.session.add(row)
    user.last_login_at = now
    db.session.flush()
    user.session_id = str(row.id)
    login_user(user, remember=remember, duration=REMEMBERED)
    session.permanent = remember
    db.session.commit()
    return row


def end_session(user: User) -> None:
    """Sign this browser out and end its session row. Commits."""
    if user.session_id:
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.id == _uuid(user.session_id), UserSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        stale(db.session, CREDENTIALS)
        db.session.commit()
    logout_user()
    session.clear()


def end_all_sessions(user: User, keep: str | None = None) -> int:
    """End every browser session of the user except `keep`; returns how many ended. Does not commit."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep:
        query = query.where(UserSession.id != _uuid(keep))
    stale(db.session, CREDENTIALS)
    return db.session.execute(query.values(revoked_at=datetime.now(UTC))).rowcount


def active_sessions(user: User) -> list[UserSession]:
    now = datetime.now(UTC)
    query = (
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(db.session.execute(query).scalars())


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
