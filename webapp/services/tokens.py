"""Secrets for scripts: JWT access tokens, rotating refresh tokens and personal API tokens (hashes only stored)."""

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from flask import current_app

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=30)
ISSUER = "tavern"
AUDIENCE = "tavern-api"
PERSONAL_PREFIX = "tvn_"
REFRESH_PREFIX = "tvr_"


class InvalidToken(Exception):
    """The token is malformed, expired, revoked or not ours."""


def digest(secret: str) -> str:
    """Tokens are long random strings, so a fast hash is enough (unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def issue_access_token(user_id: uuid.UUID, stamp: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "stamp": stamp,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ACCESS_TTL,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, current_app.config["JWT_SECRET"], algorithm="HS256")


def read_access_token(token: str) -> tuple[uuid.UUID, int]:
    """(user id, security stamp) from a valid access token; raises InvalidToken otherwise."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["JWT_SECRET"],
            algorithms=["HS256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        return uuid.UUID(claims["sub"]), int(claims.get("stamp", 0))
    except (jwt.PyJWTError, ValueError, KeyError) as error:
        raise InvalidToken(str(error)) from None
