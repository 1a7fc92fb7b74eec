"""Flask-Login wiring: the id it remembers is a UserSession's, so every browser can be listed and ended."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import joinedload

from webapp.auth import bp, checked
from webapp.extensions import db, login_manager
from webapp.models import User, UserSession
from webapp.models.base import as_utc
from webapp.services.access import may_sign_in

TOUCH_EVERY = timedelta(minutes=5)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a live session; None (signed out) when the session was ended, expired or the user banned.

    A passed check is kept in the shared cache until anything that could end a sign-in changes (auth/checked.py),
    so every worker and instance sees a revoked session, a ban or a new role at once.
    """
    key = _session_key(session_id)
    if key is None:
        return None
    current = checked.generation()
    kept = checked.recall("session", key, current)
    if kept is not None:
        user, _details = kept
        user.session_id = str(key)
        return user
    now = datetime.now(UTC)
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.id == key).options(joinedload(UserSession.user))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now or not may_sign_in(row.user):
        return None
    user, session_id, expires_at = row.user, str(row.id), as_utc(row.expires_at)  # before the commit below
    if row.last_seen_at is None or now - as_utc(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    checked.keep("session", key, current, user, expires_at, seconds=int(TOUCH_EVERY.total_seconds()))
    user.session_id = session_id
    return user


def _session_key(session_id) -> uuid.UUID | None:
    """The UserSession id Flask-Login keeps in the cookie, or None when it is not one."""
    try:
        return uuid.UUID(session_id)
    except (ValueError, TypeError):
        return None


@bp.teardown_app_request
def _forget_caller(_error=None) -> None:
    """Who called (and their CSRF token) is cached on `g`; when an app context outlives its request (tests,
    scripts) the next request must not inherit it."""
    g.pop("_login_user", None)
    g.pop("api_caller", None)
    g.pop("csrf_token", None)  # Flask-WTF's signed token for this request's session


login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # sessions are server-side rows; Flask-Login's hash adds nothing
