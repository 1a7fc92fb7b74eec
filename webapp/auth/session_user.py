"""Flask-Login wiring: the id it remembers is a UserSession's, so every browser can be listed and ended."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import g, session
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.auth import bp, remembered
from webapp.extensions import db, login_manager
from webapp.models import User, UserSession
from webapp.models.base import as_utc
from webapp.services.access import may_sign_in

TOUCH_EVERY = timedelta(minutes=5)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a live session; None (signed out) when the session was ended, expired or the user banned."""
    key = _session_key(session_id)
    if key is None:
        return None
    now = datetime.now(UTC)
    held = _remembered(key)
    if held is not None:
        user = remembered.attach(held)
        user.session_id = str(key)
        return user
    generation = remembered.current_generation()
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.id == key).options(joinedload(UserSession.user))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now or not may_sign_in(row.user):
        return None
    user, session_id = row.user, str(row.id)  # taken before the commit below expires the row
    remembered.remember(remembered.session_key(key), user, generation, details=as_utc(row.expires_at))
    if row.last_seen_at is None or now - as_utc(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.session_id = session_id
    return user


def _session_key(session_id) -> uuid.UUID | None:
    """The UserSession id Flask-Login keeps in the cookie, or None when it is not one."""
    try:
        return uuid.UUID(session_id)
    except (ValueError, TypeError):
        return None


def _remembered(key: uuid.UUID) -> remembered.Remembered | None:
    """This worker's note of a live browser session, if nothing that could have ended it changed since."""
    held = remembered.recall(remembered.session_key(key), TOUCH_EVERY.total_seconds())
    return held if held is not None and held.details > datetime.now(UTC) else None


def signed_in_user_id():
    """The signed-in user's id, or None. A session this worker remembers answers without loading the user, so a
    kept page needs no more than its one Redis round trip; otherwise Flask-Login loads them."""
    if "_login_user" not in g:
        key = _session_key(session.get("_user_id"))
        held = _remembered(key) if key is not None else None
        if held is not None:
            g.signed_in_user_id = held.user.id  # for the request's log line, should nothing load the user
            return held.user.id
    return current_user.id if current_user.is_authenticated else None


@bp.teardown_app_request
def _forget_caller(_error=None) -> None:
    """Who called (and their CSRF token) is cached on `g`; when an app context outlives its request (tests,
    scripts) the next request must not inherit it."""
    g.pop("_login_user", None)
    g.pop("api_caller", None)
    g.pop("csrf_token", None)  # Flask-WTF's signed token for this request's session
    g.pop("signed_in_user_id", None)


login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # sessions are server-side rows; Flask-Login's hash adds nothing
