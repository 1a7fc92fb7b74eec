"""Accounts: finding people by address, the administrator, profiles, deletion, and ending every sign-in of one."""

import hashlib
import logging
from collections.abc import Callable
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import has_request_context
from pydantic import Field

from webapp import invalidation
from webapp.extensions import db
from webapp.invalidation import stale
from webapp.models import Character, Image, Role, User
from webapp.models.compendium_kinds import KINDS
from webapp.net import client_address
from webapp.services import access, credentials
from webapp.services.commits import commit_or_raise
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Violation
from webapp.services.inputs import Id, Patch, name, reworded, trimmed
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


def fresh(user: User, lock: bool = False) -> User:
    """The user's row in this session (the signed-in object may come from another request's loader). `lock` locks
    it until the commit and reads it afresh: changes checked against it (a password, the stamp) take turns."""
    if lock:
        return locked(user.id) or user
    return db.session.get(User, user.id) or user


def locked(user_id) -> User | None:
    """The user's row, read afresh and locked until the commit: issuing and revoking a user's sign-ins (and
    anything checked against its password or stamp) take turns on it. None when there is no such user."""
    return db.session.get(User, user_id, with_for_update=True, populate_existing=True)


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
    security stamp), and personal tokens when `personal`. Takes effect on the very next request. No commit.

    The user's row is locked first, as every path that issues a token locks it: a sign-in or refresh under way
    either commits its tokens before this revokes them all, or waits and finds the stamp moved."""
    user = fresh(user, lock=True)
    user.security_stamp = (user.security_stamp or 0) + 1
    end_all_sessions(user, keep=keep_session)
    credentials.revoke_all_refresh(user)
    if personal:
        credentials.revoke_all_personal(user)


MAX_DISPLAY_NAME = 100
MAX_BIO = 2000
DISPLAY_NAME_LENGTH = f"Use 1 to {MAX_DISPLAY_NAME} characters."
DisplayName = name(MAX_DISPLAY_NAME, DISPLAY_NAME_LENGTH, DISPLAY_NAME_LENGTH)
Roles = Annotated[Literal["USER", "MODERATOR", "ADMIN"], reworded("Choose USER, MODERATOR or ADMIN.")]


class UserPatch(Patch):
    """The profile fields to change: a field left out (or null) stays as it is; the role is for admins."""

    display_name: DisplayName | None = None
    bio: trimmed(MAX_BIO, lines=True, too_long=f"Use at most {MAX_BIO} characters.") | None = None
    image_id: Annotated[Id, reworded("No such image.")] | None = Field(
        None, description="Avatar image; null removes it."
    )
    role: Roles | None = Field(None, description="Admins only, for another non-admin account.")


def update_profile(actor, user_id, patch: UserPatch, *, expect: Callable[[User], None] | None = None) -> User:
    """Change display name, bio, avatar and (admins, of a non-admin other than themselves) role of an account.

    Everything is checked before anything changes, then the change is committed once; `expect(user)` runs on the
    locked row first (the API's If-Match). Raises NotFound / Forbidden through `access` (Forbidden too for a role
    change the actor may not make), InvalidInput for an avatar the actor may not see or a banned account made an
    admin (admins may not be banned or unbanned, so the ban could never be lifted).
    """
    user = access.load_user(actor, user_id, manage=True, for_update=True)
    if expect is not None:
        expect(user)
    if patch.role is not None and not access.can_set_role(actor, user):
        raise Forbidden("You can't change this account's role.")
    if patch.role == Role.ADMIN and user.ban_reason is not None:  # nobody may lift an admin's ban
        raise InvalidInput([Violation("role", "Lift the ban before making this account an admin.")])
    avatar = None
    if patch.image_id is not None:
        try:
            avatar = access.load(actor, Image, patch.image_id)
        except NotFound:
            raise InvalidInput([Violation("image_id", "No such image.")]) from None
    if patch.display_name is not None:
        user.display_name = patch.display_name
    if patch.bio is not None:
        user.bio = patch.bio
    if "image_id" in patch.model_fields_set:
        user.avatar_image_id = avatar.id if avatar is not None else None
    previous = user.role
    role = Role(patch.role) if patch.role is not None else None
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
    # The database deletes what the account owns with it, unseen by the flush: its characters, the campaigns it ran
    # (and their members' memberships) and its homebrew. Name what showed them, so nothing kept outlives them.
    owned = db.session.scalars(sa.select(Character.id).where(Character.owner_id == target_id)).all()
    kinds = (invalidation.compendium(kind) for kind in KINDS)
    stale(db.session, *(invalidation.character(ident) for ident in owned), invalidation.CAMPAIGNS, *kinds)
    db.session.delete(user)
    commit_or_raise(
        Conflict(
            "Other players' characters still carry items this account created; hand those over first.",
            references=[{"kind": "inventory", "detail": "items in other characters' inventories"}],
        )
    )
    log.info("user %s deleted by %s", target_id, access.actor_id(actor))
