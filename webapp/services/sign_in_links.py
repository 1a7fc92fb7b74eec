"""Signed, time-limited links for email verification and password reset; each dies once it has been used."""

import hashlib
import hmac
import uuid
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.models import User
from webapp.services.errors import ServiceError

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a purpose, not a secret
LIFETIMES = {VERIFY_EMAIL: timedelta(days=2), RESET_PASSWORD: timedelta(hours=1)}


class InvalidLink(ServiceError):
    """The link is malformed, expired, for another purpose, or already used."""

    status = 400
    code = "invalid_link"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"tavern-{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    """What must not have changed since the link was made: using the link changes it, so it works once."""
    if purpose == VERIFY_EMAIL:
        state = f"{user.email}|{user.email_verified}"
    else:
        state = f"{user.password_hash}|{user.security_stamp}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": str(user.id), "f": _fingerprint(user, purpose)})


def read_token(token: str, purpose: str, lock: bool = False) -> User:
    """The user a valid link is for. Raises InvalidLink otherwise. `lock` locks the user's row until the commit
    and reads it afresh, so that of parallel uses of a one-use link the second finds it used."""
    max_age = int(LIFETIMES[purpose].total_seconds())
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
        user_id = uuid.UUID(data["u"])
    except SignatureExpired:
        raise InvalidLink("This link has expired.") from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLink("This link is not valid.") from None
    user = db.session.get(User, user_id, with_for_update=lock, populate_existing=lock)
    if user is None or not hmac.compare_digest(str(data.get("f", "")), _fingerprint(user, purpose)):
        raise InvalidLink("This link has already been used or is no longer valid.")
    return user
