"""Accounts: creating people, proving who they are, and changing who they are."""

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import uuid6
from flask import has_request_context
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.auth import credentials, links
from webapp.auth.password_policy import password_problems
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.auth.sessions import active_sessions, end_all_sessions
from webapp.extensions import db
from webapp.models import ApiToken, Image, Role, TokenScope, User
from webapp.models.base import as_utc
from webapp.net import external_url
from webapp.services import access
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError, Violation

log = logging.getLogger("tavern.audit")
SAME_MESSAGE = "That email and password don't match an account we can sign in."


class InvalidCredentials(ServiceError):
    """Wrong email or password, or a token that is not (or no longer) valid."""

    status = 401
    code = "invalid_credentials"


class InvalidLink(ServiceError):
    """A verification or reset link that is malformed, expired or already used."""

    status = 400
    code = "invalid_link"


class MailUnavailable(ServiceError):
    """The mail could not be sent just now."""

    status = 503
    code = "mail_unavailable"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def _client() -> str:
    from webapp.net import client_address

    return client_address() if has_request_context() else "-"


def _email_ref(email: str) -> str:
    """A stable reference to an address for the logs, without writing the address (or a mistyped password)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:12]


# --- signing in ------------------------------------------------------------------------------------------


def ensure_admin(email: str, password: str, display_name: str = "Administrator") -> tuple[User, bool]:
    """Create an ADMIN with this email, or promote the existing account; returns (user, created)."""
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(
            email=normalise_email(email),
            display_name=display_name,
            password_hash=hash_password(password),
            email_verified=True,
        )
        db.session.add(user)
    user.role = Role.ADMIN
    db.session.commit()
    return user, created


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None: unknown email, wrong password, banned and inactive all look
    the same to the caller, so nobody learns which accounts exist. Failures are logged without secrets."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)  # same work either way: no timing hint
        log.warning("sign-in failed: unknown account (email ref %s) from %s", _email_ref(email), _client())
        return None
    if not verify_password(user.password_hash, password):
        log.warning("sign-in failed: wrong password for user %s from %s", user.id, _client())
        return None
    if not access.may_sign_in(user):
        log.warning("sign-in refused: user %s is banned or inactive, from %s", user.id, _client())
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_tokens(email: str, password: str) -> dict:
    """API sign-in: an access token and a new refresh-token family. Raises InvalidCredentials. Commits."""
    user = authenticate(email, password)
    if user is None:
        db.session.rollback()
        raise InvalidCredentials(SAME_MESSAGE)
    user.last_login_at = datetime.now(UTC)
    pair = credentials.token_pair(user)
    db.session.commit()
    return pair


def refresh_tokens(secret: str) -> dict:
    """Rotate a refresh token: the old one is used up, the answer holds the next of its family.

    A token presented twice means it leaked: the whole family is revoked and InvalidCredentials raised.
    Expired tokens and tokens of banned or inactive users raise InvalidCredentials too. Commits.
    """
    row = credentials.find_refresh(secret)
    if row is None:
        raise InvalidCredentials("This refresh token is not valid.")
    if row.used_at is not None or row.revoked_at is not None or not credentials.claim_refresh(row):
        credentials.revoke_family(row.family_id)
        db.session.commit()
        log.warning("refresh token replayed for user %s: family %s revoked", row.user_id, row.family_id)
        raise InvalidCredentials("This refresh token was already used; every token of its sign-in is revoked.")
    user = db.session.get(User, row.user_id)
    if credentials.is_expired(row.expires_at) or user is None or not access.may_sign_in(user):
        db.session.rollback()
        raise InvalidCredentials("This refresh token is no longer valid.")
    pair = credentials.token_pair(user, family_id=row.family_id)
    db.session.commit()
    return pair


def sign_out_token(secret: str) -> None:
    """API logout: revoke the refresh token's family; an unknown token changes nothing. Commits."""
    row = credentials.find_refresh(secret)
    if row is not None:
        credentials.revoke_family(row.family_id)
        db.session.commit()


def revoke_everything(user: User, keep_session: str | None = None, personal: bool = True) -> None:
    """End every browser session (but `keep_session`), refresh token and access token (by bumping the
    security stamp), and personal tokens when `personal`. Takes effect on the very next request. No commit."""
    user.security_stamp = (user.security_stamp or 0) + 1
    end_all_sessions(user, keep=keep_session)
    credentials.revoke_all_refresh(user)
    if personal:
        credentials.revoke_all_personal(user)


def sign_out_everywhere(user: User, keep_session: str | None = None) -> None:
    """End every other browser session and every API sign-in; personal tokens stay (they are managed apart)."""
    user = _fresh(user)
    revoke_everything(user, keep_session=keep_session, personal=False)
    db.session.commit()
    log.info("user %s signed out everywhere", user.id)


def sessions_of(user: User):
    return active_sessions(user)


def end_other_session(user: User, session_id, current: str | None) -> None:
    """End one of the user's own browser sessions (not the current one: that is "sign out"). Commits."""
    from webapp.models import UserSession

    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        raise NotFound("No such session.") from None
    row = db.session.get(UserSession, key, with_for_update=True, populate_existing=True)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such session.")
    if current and str(row.id) == current:
        raise Forbidden("Use “Sign out” to end the session you are using.")
    row.revoked_at = datetime.now(UTC)
    db.session.commit()


# --- registration and verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """What registering answers: the same shape, status and mail count whether or not the address had an
    account, so nobody learns who has one. For a taken address the id is a fresh one that names nobody."""

    id: uuid.UUID
    email: str
    role: Role


def register_user(email: str, password: str, display_name: str) -> Registration:
    """Create a USER and mail the verification link; when the address already has an account, change nothing
    and mail its owner instead. Raises InvalidInput for an unacceptable password or name. A mail failure does
    not undo the account (the link can be sent again). Commits."""
    email = normalise_email(email)
    display_name = display_name.strip()
    problems = [Violation("password", message) for message in password_problems(password, email, display_name)]
    if not display_name:
        problems.append(Violation("display_name", "Tell us what to call you."))
    if problems:
        raise InvalidInput(problems)
    password_hash = hash_password(password)  # for a taken address too: both answers take as long
    existing = find_user_by_email(email)
    if existing is not None:
        return _tell_owner_of(existing)
    user = User(email=email, display_name=display_name, password_hash=password_hash)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same address registered at the same moment
        db.session.rollback()
        return _tell_owner_of(find_user_by_email(email))
    log.info("user %s registered from %s", user.id, _client())
    with contextlib.suppress(MailUnavailable):  # logged; the account page offers to send it again
        send_verification(user)
    return Registration(user.id, user.email, user.role)


def _tell_owner_of(user: User) -> Registration:
    """Someone registered with an address that has an account: its owner hears of it, the caller learns nothing."""
    log.info("registration asked for the address of user %s from %s", user.id, _client())
    context = {"user": user, "sign_in": external_url("auth.login"), "reset": external_url("auth.forgot_password")}
    with contextlib.suppress(mail.MailError):  # logged in mail.send; the answer must not differ
        mail.send_template(user.email, "Someone tried to register with your address", "register_taken.txt", **context)
    return Registration(uuid6.uuid7(), user.email, Role.USER)


def send_verification(user: User) -> None:
    """Mail a fresh verification link (nothing when already verified). Raises MailUnavailable."""
    if user.email_verified:
        return
    link = external_url("auth.verify_email", token=links.make_token(user, links.VERIFY_EMAIL))
    try:
        mail.send_template(
            user.email, "Confirm your email address for Tavern", "verify_email.txt", user=user, link=link
        )
    except mail.MailError:
        raise MailUnavailable("We could not send the mail just now. Please try again in a few minutes.") from None


def verify_email(token: str) -> User:
    """Mark the address of a valid link verified; the link then stops working. Raises InvalidLink. Commits."""
    user = _read_link(token, links.VERIFY_EMAIL)
    user.email_verified = True
    db.session.commit()
    log.info("user %s verified their email", user.id)
    return user


def _read_link(token: str, purpose: str) -> User:
    try:
        return links.read_token(token, purpose, lambda key: db.session.get(User, key))
    except links.InvalidLink as error:
        raise InvalidLink(str(error)) from None


# --- passwords ------------------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to an account that may sign in; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not access.may_sign_in(user):
        log.info("password reset asked for unknown or blocked account (email ref %s)", _email_ref(email))
        return
    link = external_url("auth.reset_password", token=links.make_token(user, links.RESET_PASSWORD))
    # A failure is logged in mail.send; the answer must not reveal whether the account exists.
    with contextlib.suppress(mail.MailError):
        mail.send_template(user.email, "Reset your Tavern password", "reset_password.txt", user=user, link=link)
    log.info("password reset link sent to user %s", user.id)


def check_reset_link(token: str) -> User:
    """The user a reset link is for, without using it up. Raises InvalidLink."""
    return _read_link(token, links.RESET_PASSWORD)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link: the link dies, every session and token ends, and the address
    counts as verified (the mail reached its owner). Raises InvalidLink, InvalidInput (field "password")."""
    user = _read_link(token, links.RESET_PASSWORD)
    _check_policy(user, new_password, "password")
    user.password_hash = hash_password(new_password)
    user.email_verified = True
    revoke_everything(user)
    db.session.commit()
    log.info("user %s reset their password from %s", user.id, _client())
    return user


def change_password(user: User, current_password: str, new_password: str, keep_session: str | None = None) -> User:
    """Change the password after checking the current one; every other session and token ends at once.

    Raises InvalidInput on "current_password" (wrong) or "new_password" (not acceptable). Commits.
    """
    user = _replace_password(user, current_password, new_password, keep_session)
    db.session.commit()
    _password_changed(user)
    return user


def change_password_for_tokens(
    user: User, current_password: str, new_password: str, keep_session: str | None = None
) -> dict:
    """The API's password change: as change_password, and a fresh access token and refresh-token family for the
    caller in the same commit (every older token just ended), so neither happens without the other."""
    user = _replace_password(user, current_password, new_password, keep_session)
    pair = credentials.token_pair(user)
    db.session.commit()
    _password_changed(user)
    return pair


def _replace_password(user: User, current_password: str, new_password: str, keep_session: str | None) -> User:
    """Check the current and the new password, then set the new one and end the rest; no commit."""
    user = _fresh(user)
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput([Violation("current_password", "That is not your current password.")])
    _check_policy(user, new_password, "new_password")
    if verify_password(user.password_hash, new_password):
        raise InvalidInput([Violation("new_password", "Choose a password different from the current one.")])
    user.password_hash = hash_password(new_password)
    revoke_everything(user, keep_session=keep_session)
    return user


def _password_changed(user: User) -> None:
    log.info("user %s changed their password", user.id)
    _notify_password_changed(user)


def _check_policy(user: User, password: str, field: str) -> None:
    problems = password_problems(password, user.email, user.display_name)
    if problems:
        raise InvalidInput([Violation(field, message) for message in problems])


def _notify_password_changed(user: User) -> None:
    with contextlib.suppress(mail.MailError):
        mail.send_template(user.email, "Your Tavern password was changed", "password_changed.txt", user=user)


# --- profile and account ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChange:
    display_name: str | None = None
    bio: str | None = None
    image_id: object = ...  # Ellipsis: not given; None: remove the avatar
    role: Role | str | None = None  # admins only, for another non-admin account


def update_profile(actor, user_id, change: ProfileChange) -> User:
    """Change display name, bio, avatar and (admins, of a non-admin other than themselves) role of an account.

    Everything is checked before anything changes, then the change is committed once. Raises NotFound /
    Forbidden through `access` (Forbidden too for a role change the actor may not make), InvalidInput for bad
    values.
    """
    user = access.load_user(actor, user_id, manage=True)
    if change.role is not None and not access.can_set_role(actor, user):
        raise Forbidden("You can't change this account's role.")
    problems = []
    name = change.display_name.strip() if change.display_name is not None else None
    if name is not None and not 1 <= len(name) <= 100:
        problems.append(Violation("display_name", "Use 1 to 100 characters."))
    if change.bio is not None and len(change.bio) > 2000:
        problems.append(Violation("bio", "Use at most 2000 characters."))
    avatar = None
    if change.image_id not in (..., None):
        try:
            avatar = access.load(actor, Image, change.image_id)
        except NotFound:
            problems.append(Violation("image_id", "No such image."))
    role = None
    if change.role is not None:
        try:
            role = Role(str(change.role).upper())
        except ValueError:
            problems.append(Violation("role", "Choose USER, MODERATOR or ADMIN."))
    if problems:
        raise InvalidInput(problems)
    if name is not None:
        user.display_name = name
    if change.bio is not None:
        user.bio = change.bio.strip()
    if change.image_id is not ...:
        user.avatar_image_id = avatar.id if avatar is not None else None
    previous = user.role
    if role is not None:
        user.role = role  # every request reloads the user, so open sessions get the new role at once
    db.session.commit()
    if role is not None and role != previous:
        log.warning("role of user %s changed from %s to %s by %s", user.id, previous, role, access.actor_id(actor))
    return user


def delete_account(actor, user_id) -> None:
    """Delete an account with everything it owns: one's own, or (admins) a non-admin's. Commits.

    Raises Conflict when others still use what it owns (items in their inventories).
    """
    # Locked: of parallel deletions one deletes, the others find no account (404).
    user = access.load_user(actor, user_id, manage=True, for_update=True)
    target_id = user.id
    db.session.delete(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "Other players' characters still carry items this account created; hand those over first.",
            references=[{"kind": "inventory", "detail": "items in other characters' inventories"}],
        ) from None
    log.info("user %s deleted by %s", target_id, access.actor_id(actor))


# --- personal API tokens ---------------------------------------------------------------------------------


def create_personal_token(
    user: User, name: str, scope: str | TokenScope, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A personal token and its secret, which is shown once and never stored. Raises InvalidInput. Commits."""
    problems = []
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        problems.append(Violation("name", "Use 1 to 100 characters."))
    try:
        scope = TokenScope(str(scope).lower())
    except ValueError:
        problems.append(Violation("scope", "Choose read or write."))
    if expires_at is not None:
        expires_at = as_utc(expires_at)
        if expires_at <= datetime.now(UTC):
            problems.append(Violation("expires_at", "Choose a moment in the future."))
    # The user's row is locked until the commit, so parallel requests count the tokens one after the other.
    user = access.load_plain(User, user.id, for_update=True)
    if credentials.count_personal_tokens(user) >= credentials.MAX_PERSONAL_TOKENS:
        problems.append(Violation("name", "You have too many tokens; revoke some you no longer use."))
    if problems:
        raise InvalidInput(problems)
    row, secret = credentials.add_personal_token(user, name, scope, expires_at)
    db.session.commit()
    log.info("user %s created personal token %s (%s)", user.id, row.id, scope.value)
    return row, secret


def personal_tokens(user: User) -> list[ApiToken]:
    return credentials.personal_tokens(user)


def revoke_personal_token(user: User, token_id) -> None:
    """Revoke one of the user's own tokens; another's (or an unknown one) is a NotFound. Commits."""
    try:
        key = uuid.UUID(str(token_id))
    except ValueError:
        raise NotFound("No such token.") from None
    row = db.session.get(ApiToken, key, with_for_update=True, populate_existing=True)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such token.")
    row.revoked_at = datetime.now(UTC)
    db.session.commit()
    log.info("user %s revoked personal token %s", user.id, row.id)


def _fresh(user: User) -> User:
    """The user's row in this session (the signed-in object may come from another request's loader)."""
    return db.session.get(User, user.id) or user


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(hash_password("not-a-real-password-at-all"))
    return _dummy[0]
