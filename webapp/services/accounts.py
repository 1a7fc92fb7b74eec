"""Accounts: finding people by address, the administrator, profiles, deletion, and ending every sign-in of one."""

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context

from webapp.extensions import db
from webapp.models import Image, Role, User
from webapp.net import client_address
from webapp.services import access, credentials
from webapp.services.commits import commit_or_raise
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Violation
from webapp.services.passwords import hash_password
from webapp.services.sessions import end_all_sessions

log = logging.getLogger("tavern.audit")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def client() -> str:
    """Where a request comes from, for the audit log ("-" outside a request)."""
    return client_address() if has_request_context() else "-"


def email_ref(email: str) -> str:
    """A stable reference to an address for the logs, without writing the address (or a mistyped password)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:12]


def fresh(user: User) -> User:
    """The user's row in this session (the signed-in object may come from another request's loader)."""
    return db.session.get(User, user.id) or user


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


def revoke_everything(user: User, keep_session: str | None = None, personal: bool = True) -> None:
    """End every browser session (but `keep_session`), refresh token and access token (by bumping the
    security stamp), and personal tokens when `personal`. Takes effect on the very next request. No commit."""
    user.security_stamp = (user.security_stamp or 0) + 1
    end_all_sessions(user, keep=keep_session)
    credentials.revoke_all_refresh(user)
    if personal:
        credentials.revoke_all_personal(user)


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
    commit_or_raise(
        Conflict(
            "Other players' characters still carry items this account created; hand those over first.",
            references=[{"kind": "inventory", "detail": "items in other characters' inventories"}],
        )
    )
    log.info("user %s deleted by %s", target_id, access.actor_id(actor))
