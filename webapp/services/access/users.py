"""Who may see, change, ban or promote a user, who may sign in, and who reaches the staff pages."""

from datetime import UTC, datetime

from webapp.models import Role, User
from webapp.models.base import as_utc
from webapp.services.access.actor import Actor, is_admin, is_staff, user_of
from webapp.services.access.content import load_plain
from webapp.services.errors import Forbidden, NotFound


def is_banned(user: User, now: datetime | None = None) -> bool:
    if user.ban_reason is None:
        return False
    now = now or datetime.now(UTC)
    return user.banned_until is None or as_utc(user.banned_until) > now


def may_sign_in(user: User) -> bool:
    return user.is_active and not is_banned(user)


def can_view_user(actor: Actor, target: User) -> bool:
    user = user_of(actor)
    return user is not None and (user.id == target.id or is_staff(actor))


def can_ban(actor: Actor, target: User) -> bool:
    """Moderators ban USERs; admins ban anyone but admins; nobody bans themselves."""
    user = user_of(actor)
    if user is None or user.id == target.id or target.role == Role.ADMIN:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MODERATOR and target.role == Role.USER


def can_set_role(actor: Actor, target: User) -> bool:
    """Only admins change roles, never their own and never another admin's."""
    user = user_of(actor)
    return user is not None and user.role == Role.ADMIN and user.id != target.id and target.role != Role.ADMIN


def can_unban(actor: Actor, target: User) -> bool:
    return can_ban(actor, target)


def can_edit_user(actor: Actor, target: User) -> bool:
    user = user_of(actor)
    if user is None:
        return False
    return user.id == target.id or (user.role == Role.ADMIN and target.role != Role.ADMIN)


def load_user(actor: Actor, user_id, manage: bool = False, for_update: bool = False) -> User:
    """A user profile: 404 for those who may not see it, 403 when `manage` is asked and not allowed.

    `for_update` locks the row until the commit and reads it afresh.
    """
    target = load_plain(User, user_id, for_update=for_update)
    if not can_view_user(actor, target):
        raise NotFound("No such user.")
    if manage and not can_edit_user(actor, target):
        raise Forbidden("You can't change this account.")
    return target


def require_staff(actor: Actor) -> User:
    """Moderators and admins pass; everyone else is told there is nothing here (404)."""
    user = user_of(actor)
    if user is None or not is_staff(actor):
        raise NotFound("There is nothing here.")
    return user


def require_admin(actor: Actor) -> User:
    """Admins pass; moderators may know the page exists (403); everyone else gets a 404."""
    user = require_staff(actor)
    if not is_admin(actor):
        raise Forbidden("Only administrators can do this.")
    return user


def load_user_to_ban(actor: Actor, user_id) -> User:
    """A user the actor may ban or unban: 404 when the actor may not see the user, 403 without the right."""
    target = load_user(actor, user_id)
    if not can_ban(actor, target):
        raise Forbidden("You can't ban or unban this account.")
    return target


def load_user_to_promote(actor: Actor, user_id) -> User:
    """A user whose role the actor may change: admins only, never themselves or another admin (403); 404 when
    the actor may not see the user at all."""
    target = load_user(actor, user_id)
    if not can_set_role(actor, target):
        raise Forbidden("You can't change this account's role.")
    return target


def require_account_credential(via: str) -> None:
    """Passwords and tokens are managed by a signed-in person (browser or access token), never by a
    personal token: a leaked script token must not mint new tokens or lock its owner out."""
    if via == "token":
        raise Forbidden("Personal API tokens can't manage passwords or tokens; sign in instead.")
