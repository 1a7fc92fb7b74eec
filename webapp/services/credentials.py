"""Credentials for scripts: refresh-token families that rotate on use, and personal API tokens."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.invalidation import CREDENTIALS, stale
from webapp.models import ApiToken, RefreshToken, TokenScope, User
from webapp.models.base import as_utc
from webapp.services.tokens import (
    ACCESS_TTL,
    PERSONAL_PREFIX,
    REFRESH_PREFIX,
    REFRESH_TTL,
    digest,
    issue_access_token,
    new_secret,
)

MAX_PERSONAL_TOKENS = 50


@dataclass(frozen=True)
class IssuedTokens:
    """A Bearer access token good for `expires_in` seconds, and the refresh token that trades it for the next."""

    access_token: str
    refresh_token: str
    expires_in: int


def token_pair(user: User, family_id: uuid.UUID | None = None) -> IssuedTokens:
    """A fresh access token and the next refresh token of `family_id` (a new family when None). No commit."""
    now = datetime.now(UTC)
    secret = new_secret(REFRESH_PREFIX)
    db.session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=digest(secret),
            expires_at=now + REFRESH_TTL,
        )
    )
    return IssuedTokens(
        access_token=issue_access_token(user.id, user.security_stamp, now),
        refresh_token=secret,
        expires_in=int(ACCESS_TTL.total_seconds()),
    )


def find_refresh(secret: str) -> RefreshToken | None:
    if not secret.startswith(REFRESH_PREFIX):
        return None
    query = sa.select(RefreshToken).where(RefreshToken.token_hash == digest(secret))
    return db.session.execute(query).scalar_one_or_none()


def claim_refresh(row: RefreshToken) -> bool:
    """Mark a refresh token used, atomically: False when it was already used or revoked (a replay). No commit."""
    result = db.session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def revoke_family(family_id: uuid.UUID) -> int:
    """Revoke every token of one rotation family. No commit."""
    return _revoke(sa.update(RefreshToken).where(RefreshToken.family_id == family_id))


def revoke_all_refresh(user: User) -> int:
    """Revoke every refresh token of the user. No commit."""
    return _revoke(sa.update(RefreshToken).where(RefreshToken.user_id == user.id))


def _revoke(query) -> int:
    query = query.where(RefreshToken.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC))
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount


def add_personal_token(user: User, name: str, scope: TokenScope, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new personal token row and its secret (to show once). No commit."""
    secret = new_secret(PERSONAL_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=digest(secret),
        prefix=secret[: len(PERSONAL_PREFIX) + 4],
        expires_at=expires_at,
    )
    db.session.add(row)
    return row, secret


def personal_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first (expired ones too, so they can be cleaned up)."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.execute(query).scalars())


def count_personal_tokens(user: User) -> int:
    query = sa.select(sa.func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return db.session.execute(query).scalar_one()


def revoke_all_personal(user: User) -> int:
    """Revoke every personal token of the user. No commit."""
    query = (
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    stale(db.session, CREDENTIALS)
    return db.session.execute(query).rowcount


def is_expired(moment: datetime | None, now: datetime | None = None) -> bool:
    if moment is None:
        return False
    moment = as_utc(moment)
    return moment <= (now or datetime.now(UTC))
