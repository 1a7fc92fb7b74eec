"""Browser sessions: start one at sign-in, list them, end one or all."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import request, session
from flask_login import login_user, logout_user

from webapp.extensions import db
from webapp.invalidation import CREDENTIALS, stale
from webapp.models import User, UserSession
from webapp.net import client_address

REMEMBERED = timedelta(days=30)
UNREMEMBERED = timedelta(hours=12)


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


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)
