"""Who is calling the API: a Bearer token (JWT or personal token) or the browser session, with its scope."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa
from flask import g
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.auth import remembered
from webapp.auth.tokens import PERSONAL_PREFIX, InvalidToken, digest, read_access_token
from webapp.extensions import db
from webapp.models import ApiToken, TokenScope, User
from webapp.models.base import as_utc
from webapp.security import bearer_token
from webapp.services.access import may_sign_in

LAST_USED_EVERY = timedelta(minutes=1)


class Unauthenticated(Exception):
    """A credential was presented and is not valid (401)."""


@dataclass(frozen=True)
class Caller:
    """Who calls. A remembered token's user joins the request's database session only when something reads
    `user`: a kept answer needs no more than `user_id`."""

    scope: str  # "read" or "write"
    via: str  # "anonymous", "session", "jwt" or "token"
    campaign_id: object = None
    known_user: User | None = None
    held: remembered.Remembered | None = field(default=None, repr=False)

    @cached_property
    def user(self) -> User | None:
        if self.held is None:
            return self.known_user
        user = remembered.attach(self.held)
        g._login_user = user  # Flask-Login's current_user is the caller from now on, as for any other caller
        return user

    @property
    def user_id(self):
        found = self.held.user if self.held is not None else self.known_user
        return None if found is None else found.id

    @property
    def signed_in(self) -> bool:
        return self.held is not None or self.known_user is not None

    @property
    def key(self) -> tuple:
        """What, besides the user, decides what this caller is shown (cached answers are kept apart by it)."""
        return self.via, self.scope, self.campaign_id

    @property
    def can_write(self) -> bool:
        return self.signed_in and self.scope == TokenScope.WRITE.value


ANONYMOUS = Caller(scope="read", via="anonymous")


def current_caller() -> Caller:
    """Resolve once per request; raises Unauthenticated for a bad, expired or revoked token."""
    if "api_caller" not in g:
        g.api_caller = _resolve()
        if g.api_caller.known_user is not None:
            g._login_user = g.api_caller.known_user
    return g.api_caller


def _resolve() -> Caller:
    token = bearer_token()
    if token is None:
        if current_user.is_authenticated:
            return Caller(known_user=current_user._get_current_object(), scope="write", via="session")
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
    return Caller(known_user=user, scope="write", via="jwt")


def _personal_token(secret: str) -> Caller:
    token_hash = digest(secret)
    now = datetime.now(UTC)
    held = remembered.recall(remembered.token_key(token_hash), LAST_USED_EVERY.total_seconds())
    if held is not None and (held.details.expires_at is None or held.details.expires_at > now):
        scope, campaign_id = held.details.scope, held.details.campaign_id
        return Caller(scope=scope, via="token", campaign_id=campaign_id, held=held)
    generation = remembered.current_generation()
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == token_hash).options(joinedload(ApiToken.user))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("This API token is not valid.")
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        raise Unauthenticated("This API token has expired.")
    user, scope, campaign_id = row.user, row.scope.value, row.campaign_id  # before the commit expires the row
    if not may_sign_in(user):
        raise Unauthenticated("This account cannot use the API.")
    expires_at = as_utc(row.expires_at) if row.expires_at is not None else None
    remembered.remember(remembered.token_key(token_hash), user, generation, TokenGrant(scope, campaign_id, expires_at))
    if row.last_used_at is None or now - as_utc(row.last_used_at) > LAST_USED_EVERY:
        row.last_used_at = now
        db.session.commit()
    return Caller(known_user=user, scope=scope, via="token", campaign_id=campaign_id)


@dataclass(frozen=True)
class TokenGrant:
    """What a personal token allows, as remembered between requests."""

    scope: str
    campaign_id: object
    expires_at: datetime | None
