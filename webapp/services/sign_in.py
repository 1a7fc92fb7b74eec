"""Signing in and out: checking an address and password, the API's rotating tokens, and ending sessions."""

import logging
from datetime import UTC, datetime

from pydantic import ConfigDict, Field

from webapp.extensions import db
from webapp.models import User, UserSession
from webapp.services import access, accounts, credentials
from webapp.services.accounts import client, email_ref
from webapp.services.errors import Forbidden, NotFound, ServiceError
from webapp.services.ids import parse_id
from webapp.services.inputs import Input
from webapp.services.passwords import MAX_LENGTH, hash_password, needs_rehash, verify_password
from webapp.services.sessions import active_sessions
from webapp.services.tokens import InvalidToken, read_access_token

log = logging.getLogger("tavern.audit")
SAME_MESSAGE = "That email and password don't match an account we can sign in."

# Budgets of the sign-in, registration and reset forms, the same for the pages and the API: per address and per
# account.
LOGIN_LIMIT = "5/minute"
REGISTER_LIMIT = "3/minute"
FORGOT_LIMIT_PER_IP = "5/minute"
FORGOT_LIMIT_PER_ACCOUNT = "3/minute"


class LoginBody(Input):
    """An address and password to sign in with, kept as typed (a password's spaces count)."""

    model_config = ConfigDict(str_strip_whitespace=False)

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class RefreshBody(Input):
    """A refresh token to trade for a new pair, or to revoke with its family, kept as sent (a token with spaces
    is no token of ours, not an empty one)."""

    model_config = ConfigDict(str_strip_whitespace=False)

    refresh_token: str = Field(min_length=1, max_length=200)


class InvalidCredentials(ServiceError):
    """Wrong email or password, or a token that is not (or no longer) valid."""

    status = 401
    code = "invalid_credentials"


def authenticate(login: LoginBody) -> User | None:
    """The user for these credentials, or None: unknown email, wrong password, banned and inactive all look
    the same to the caller, so nobody learns which accounts exist. Failures are logged without secrets."""
    email, password = login.email, login.password
    user = accounts.find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)  # same work either way: no timing hint
        log.warning("sign-in failed: unknown account (email ref %s) from %s", email_ref(email), client())
        return None
    if not verify_password(user.password_hash, password):
        log.warning("sign-in failed: wrong password for user %s from %s", user.id, client())
        return None
    if not access.may_sign_in(user):
        log.warning("sign-in refused: user %s is banned or inactive, from %s", user.id, client())
        return None
    stamp = user.security_stamp
    # Locked until the sign-in commits, as every revocation locks it first: a password change, ban or sign-out
    # everywhere that committed since the password was checked moved the stamp, and this sign-in is refused; one
    # that starts now waits, then ends the session or tokens this sign-in makes.
    user = accounts.fresh(user, lock=True)
    if user.security_stamp != stamp or not access.may_sign_in(user):
        log.warning("sign-in refused: user %s's credentials changed meanwhile, from %s", user.id, client())
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def user_of_access_token(token: str) -> User:
    """The user a JWT access token names. Raises InvalidCredentials when the token is malformed or expired, or
    when its user is gone, may no longer sign in, or ended every sign-in since (the security stamp moved)."""
    try:
        user_id, stamp = read_access_token(token)
    except InvalidToken:
        raise InvalidCredentials("The access token is invalid or has expired.") from None
    user = db.session.get(User, user_id)
    if user is None or user.security_stamp != stamp or not access.may_sign_in(user):
        raise InvalidCredentials("The access token is no longer valid.")
    return user


def issue_tokens(login: LoginBody) -> credentials.IssuedTokens:
    """API sign-in: an access token and a new refresh-token family. Raises InvalidCredentials. Commits."""
    user = authenticate(login)
    if user is None:
        db.session.rollback()
        raise InvalidCredentials(SAME_MESSAGE)
    user.last_login_at = datetime.now(UTC)
    pair = credentials.token_pair(user)
    db.session.commit()
    return pair


def refresh_tokens(body: RefreshBody) -> credentials.IssuedTokens:
    """Rotate a refresh token: the old one is used up, the answer holds the next of its family.

    A token presented twice means it leaked: the whole family is revoked and InvalidCredentials raised.
    Expired tokens and tokens of banned or inactive users raise InvalidCredentials too. Commits.
    """
    row = credentials.find_refresh(body.refresh_token)
    if row is None:
        raise InvalidCredentials("This refresh token is not valid.")
    # The user's row first, as every revocation takes it: a logout, password change or ban either ends this family
    # before the token is read again below, or waits until the next token is committed and revokes it too.
    user = accounts.locked(row.user_id)
    db.session.refresh(row)
    if row.used_at is not None or row.revoked_at is not None or not credentials.claim_refresh(row):
        credentials.revoke_family(row.family_id)
        db.session.commit()
        log.warning("refresh token replayed for user %s: family %s revoked", row.user_id, row.family_id)
        raise InvalidCredentials("This refresh token was already used; every token of its sign-in is revoked.")
    if credentials.is_expired(row.expires_at) or user is None or not access.may_sign_in(user):
        db.session.rollback()
        raise InvalidCredentials("This refresh token is no longer valid.")
    pair = credentials.token_pair(user, family_id=row.family_id)
    db.session.commit()
    return pair


def sign_out_token(body: RefreshBody) -> None:
    """API logout: revoke the refresh token's family; an unknown token changes nothing. Commits."""
    row = credentials.find_refresh(body.refresh_token)
    if row is not None:
        accounts.locked(row.user_id)  # a refresh of this family under way commits first, and its token is revoked too
        credentials.revoke_family(row.family_id)
        db.session.commit()


def sign_out_everywhere(user: User, keep_session: str | None = None) -> None:
    """End every other browser session and every API sign-in; personal tokens stay (they are managed apart)."""
    accounts.revoke_everything(user, keep_session=keep_session, personal=False)
    db.session.commit()
    log.info("user %s signed out everywhere", user.id)


def sessions_of(user: User):
    return active_sessions(user)


def end_other_session(user: User, session_id, current: str | None) -> None:
    """End one of the user's own browser sessions (not the current one: that is "sign out"). Commits."""
    row = db.session.get(UserSession, parse_id(session_id, "session"), with_for_update=True, populate_existing=True)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such session.")
    if current and str(row.id) == current:
        raise Forbidden("Use “Sign out” to end the session you are using.")
    row.revoked_at = datetime.now(UTC)
    db.session.commit()


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(hash_password("not-a-real-password-at-all"))
    return _dummy[0]
