"""Who is calling the API: a Bearer token (JWT or personal token) or the browser session, with its scope."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import g
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import ApiToken, TokenScope, User
from webapp.models.base import as_utc
from webapp.security import bearer_token
from webapp.services import sign_in_checks
from webapp.services.access import may_sign_in
from webapp.services.tokens import PERSONAL_PREFIX, InvalidToken, digest, read_access_token

LAST_USED_EVERY = timedelta(minutes=1)


class Unauthenticated(Exception):
    """A credential was presented and is not valid (401)."""


@dataclass(frozen=True)
class Caller:
    """Who calls: the user (None when anonymous), through which credential, with which scope."""

    scope: str  # "read" or "write"
    via: str  # "anonymous", "session", "jwt" or "token"
    campaign_id: object = None
    user: User | None = None

    @property
    def user_id(self):
        return None if self.user is None else self.user.id

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def can_write(self) -> bool:
        return self.signed_in and self.scope == TokenScope.WRITE.value


ANONYMOUS = Caller(scope="read", via="anonymous")


def current_caller() -> Caller:
    """Resolve once per request; raises Unauthenticated for a bad, expired or revoked token."""
    if "api_caller" not in g:
        g.api_caller = _resolve()
        if g.api_caller.user is not None:
            g._login_user = g.api_caller.user  # Flask-Login's current_user is the caller, whatever rode in
    return g.api_caller


def _resolve() -> Caller:
    token = bearer_token()
    if token is None:
        if current_user.is_authenticated:
            return Caller(user=current_user._get_current_object(), scope="write", via="session")
        return ANONYMOUS
    if token.startswith(PERSONAL_PREFIX):
        return _personal_token(token)
    try:
        user_id, stamp = read_access_token(token)
    except InvalidToken:
        raise Unauthenticated("The access token is invalid or has expired.") from None
    user = db.session.get(User, user_id)
    if user is None or user.security_stamp != stamp or not may_sign_in(user):
        raise Unauthenticated("The access token is no longer valid.")
    return Caller(user=user, scope="write", via="jwt")


def _personal_token(secret: str) -> Caller:
    token_hash = digest(secret)
    current = sign_in_checks.generation()
    kept = sign_in_checks.recall("token", token_hash, current)
    if kept is not None:
        user, (scope, campaign_id) = kept
        return Caller(user=user, scope=scope, via="token", campaign_id=campaign_id)
    now = datetime.now(UTC)
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == token_hash).options(joinedload(ApiToken.user))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("This API token is not valid.")
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        raise Unauthenticated("This API token has expired.")
    user, scope, campaign_id = row.user, row.scope.value, row.campaign_id  # before the commit expires the row
    expires_at = as_utc(row.expires_at) if row.expires_at is not None else None
    if not may_sign_in(user):
        raise Unauthenticated("This account cannot use the API.")
    if row.last_used_at is None or now - as_utc(row.last_used_at) > LAST_USED_EVERY:
        row.last_used_at = now
        db.session.commit()
    seconds = int(LAST_USED_EVERY.total_seconds())
    sign_in_checks.keep("token", token_hash, current, user, expires_at, (scope, campaign_id), seconds=seconds)
    return Caller(user=user, scope=scope, via="token", campaign_id=campaign_id)
