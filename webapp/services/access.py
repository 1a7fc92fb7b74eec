"""The only place where permissions are decided: who may see, change, delete or hide what."""

import enum
import uuid
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_login import AnonymousUserMixin

from webapp.extensions import db
from webapp.models import Campaign, Character, Image, Membership, MembershipStatus, Role, User, Visibility
from webapp.models.base import as_utc
from webapp.services.errors import Forbidden, NotFound

T = TypeVar("T")
HIDDEN_LABEL = "[hidden]"


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    DELETE = "delete"
    HIDE = "hide"
    AWARD = "award"  # giving a character experience or loot: its GM's job while it is in a campaign
    RUN = "run"  # a GM running a campaign: members, awards, notes, invite code, rules


def _user(actor) -> User | None:
    if actor is None or isinstance(actor, AnonymousUserMixin) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def role_of(actor) -> Role | None:
    user = _user(actor)
    return user.role if user else None


def is_staff(actor) -> bool:
    return role_of(actor) in {Role.MODERATOR, Role.ADMIN}


def is_admin(actor) -> bool:
    return role_of(actor) == Role.ADMIN


def owns(actor, obj) -> bool:
    user = _user(actor)
    return user is not None and getattr(obj, "owner_id", None) == user.id


def can(actor, action: Action, obj) -> bool:
    """The access matrix of the spec for owned content (characters, compendium entries, images, campaigns)."""
    role = role_of(actor)
    if action == Action.AWARD:
        return isinstance(obj, Character) and _may_award(actor, obj)
    if role == Role.ADMIN or owns(actor, obj):
        return True
    visibility = obj.visibility
    if action == Action.VIEW:
        if visibility == Visibility.PUBLIC:
            return True
        if visibility == Visibility.HIDDEN:
            return role == Role.MODERATOR
        return _private_reader(actor, obj)
    if role == Role.MODERATOR:
        if visibility == Visibility.PUBLIC:
            return action in {Action.EDIT, Action.HIDE}
        if visibility == Visibility.HIDDEN:
            return action in {Action.EDIT, Action.DELETE, Action.HIDE}
    return False


def _private_reader(actor, obj) -> bool:
    """Beyond the owner: a GM reads the PRIVATE characters of their party; members read a PRIVATE campaign."""
    if isinstance(obj, Character):
        return is_gm_of(actor, obj)
    if isinstance(obj, Campaign):
        return is_member_of(actor, obj)
    return False


def is_gm_of(actor, character: Character) -> bool:
    """True when the actor runs an active campaign in which this character is an APPROVED member."""
    user = _user(actor)
    if user is None:
        return False
    query = _party_of(user).where(Membership.character_id == character.id).limit(1)
    return db.session.execute(query).first() is not None


def _party_of(user: User) -> sa.Select:
    """The ids of the characters in an APPROVED membership of a campaign the user runs (the GM rule)."""
    return (
        sa.select(Membership.character_id)
        .join(Campaign, Campaign.id == Membership.campaign_id)
        .where(
            Membership.status == MembershipStatus.APPROVED,
            Membership.active.is_(True),
            Campaign.owner_id == user.id,
        )
    )


def can_see_picture(actor, image: Image) -> bool:
    """Whether the actor may look at a picture: what `can` allows, and a PRIVATE one where it shows what the
    actor reads through a grant of their own: the portrait a player gave their character, for the GM of its
    party; the avatar a user chose, for the staff who see their profile.

    The picture's visibility stays its own for everyone else (a PUBLIC character does not publish a PRIVATE
    portrait). Only a picture its owner put there counts, so no one publishes another's picture by showing it;
    a HIDDEN one stays with moderation. Looking is all this grants: changing, deleting or reusing the picture
    still goes by `can`.
    """
    if can(actor, Action.VIEW, image):
        return True
    user = _user(actor)
    if user is None or image.visibility != Visibility.PRIVATE or image.owner_id is None:
        return False
    portrait = sa.select(Character.id).where(
        Character.image_id == image.id, Character.owner_id == image.owner_id, Character.id.in_(_party_of(user))
    )
    if db.session.execute(portrait.limit(1)).first() is not None:
        return True
    if not is_staff(actor):
        return False
    avatar = sa.select(User).where(User.id == image.owner_id, User.avatar_image_id == image.id)
    profile = db.session.execute(avatar).scalar_one_or_none()
    return profile is not None and can_view_user(actor, profile)


def load_picture(actor, image_id) -> Image:
    """An image to look at (its details or its picture), as `can_see_picture` allows; NotFound otherwise."""
    image = load_plain(Image, image_id)
    if not can_see_picture(actor, image):
        raise NotFound("No such image.")
    return image


def is_member_of(actor, campaign: Campaign, approved_only: bool = False) -> bool:
    """True when the actor has an active membership (any status, or only APPROVED) in the campaign."""
    user = _user(actor)
    if user is None:
        return False
    query = (
        sa.select(Membership.id)
        .where(
            Membership.campaign_id == campaign.id,
            Membership.user_id == user.id,
            Membership.active.is_(True),
        )
        .limit(1)
    )
    if approved_only:
        query = query.where(Membership.status == MembershipStatus.APPROVED)
    return db.session.execute(query).first() is not None


def _may_award(actor, character: Character) -> bool:
    """While a character is in a campaign only its GM (or an admin) gives it experience; otherwise its owner."""
    if role_of(actor) == Role.ADMIN or is_gm_of(actor, character):
        return True
    return owns(actor, character) and not in_a_campaign(character)


def in_a_campaign(character: Character) -> bool:
    """True when the character is an APPROVED member of an active campaign."""
    query = (
        sa.select(Membership.id)
        .where(
            Membership.character_id == character.id,
            Membership.status == MembershipStatus.APPROVED,
            Membership.active.is_(True),
        )
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def can_see_roster(actor, campaign: Campaign) -> bool:
    """The party list (names, levels, portraits) is for the GM and the APPROVED members; sheets stay per character."""
    return can(actor, Action.RUN, campaign) or is_member_of(actor, campaign, approved_only=True)


def can_read_member(actor, character: Character, runs_campaign: bool) -> bool:
    """Whether someone looking at a party reads this member's sheet: the GM always, anyone else as `can` says.

    Without a query: a character is in one campaign at a time, so the GM exception can only be this one's.
    """
    if runs_campaign:
        return True
    if character.visibility == Visibility.PRIVATE:
        return role_of(actor) == Role.ADMIN or owns(actor, character)
    return can(actor, Action.VIEW, character)


def can_leave(actor, membership: Membership) -> bool:
    """A player takes back their own join request or leaves with their own character."""
    user = _user(actor)
    return user is not None and membership.user_id == user.id


def check_token_campaign(token_campaign_id, campaign_id) -> None:
    """An API token tied to one campaign reaches no other: NotFound, as if the others did not exist."""
    if token_campaign_id is not None and str(token_campaign_id) != str(campaign_id):
        raise NotFound("No such campaign.")


def visible_campaigns(actor):
    """A WHERE clause for campaign lists: what `visible` allows, plus the campaigns the actor is a member of."""
    user = _user(actor)
    seen = visible(actor, Campaign)
    if user is None:
        return seen
    mine = sa.select(Membership.campaign_id).where(Membership.user_id == user.id, Membership.active.is_(True))
    return sa.or_(seen, Campaign.id.in_(mine))


def check(actor, action: Action, obj: T) -> T:
    """Return obj when allowed; NotFound when it may not even be seen, Forbidden when seen but not allowed."""
    if not can(actor, Action.VIEW, obj):
        raise NotFound(f"No such {_kind(obj)}.")
    if action != Action.VIEW and not can(actor, action, obj):
        raise Forbidden(f"You can't {action.value} this {_kind(obj)}.")
    return obj


def load(actor, model: type[T], object_id, action: Action = Action.VIEW, options=(), for_update=False) -> T:
    """Fetch one row by id with the given loader options, then `check` it; a malformed id is a NotFound.

    `for_update` locks the row until the commit and reads it afresh (an object already in the session would keep
    the values it was first read with), so a change checked against it is checked against the latest.
    """
    try:
        key = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError:
        raise NotFound(f"No such {model.__name__.lower()}.") from None
    query = sa.select(model).where(model.id == key).options(*options)
    if for_update:
        query = query.with_for_update(of=model).execution_options(populate_existing=True)
    obj = db.session.execute(query).unique().scalar_one_or_none()
    if obj is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    return check(actor, action, obj)


def visible(actor, model):
    """A WHERE clause for lists: only rows this actor may see (GM access is granted per campaign, not here)."""
    role = role_of(actor)
    if role == Role.ADMIN:
        return sa.true()
    seen = model.visibility == Visibility.PUBLIC
    if role == Role.MODERATOR:
        seen = sa.or_(seen, model.visibility == Visibility.HIDDEN)
    user = _user(actor)
    if user is not None:
        seen = sa.or_(seen, model.owner_id == user.id)
    return seen


def shown_name(actor, obj) -> str:
    """The name to show for a nested entity: "[hidden]" when the actor may not see it."""
    if obj is None:
        return ""
    return obj.name if can(actor, Action.VIEW, obj) else HIDDEN_LABEL


def shown_description(actor, obj) -> str:
    """The description to show for a nested entity: "[hidden]" when the actor may not see it."""
    if obj is None:
        return ""
    return getattr(obj, "description", "") if can(actor, Action.VIEW, obj) else HIDDEN_LABEL


def nested(actor, obj) -> dict | None:
    """A nested entity as others may see it: id always, name and description masked when not visible."""
    if obj is None:
        return None
    seen = can(actor, Action.VIEW, obj)
    return {
        "id": obj.id,
        "name": obj.name if seen else HIDDEN_LABEL,
        "description": getattr(obj, "description", "") if seen else HIDDEN_LABEL,
        "hidden": not seen,
    }


def may_hide(actor, obj) -> bool:
    """Staff hide what they may see and change (moderators: others' PUBLIC and HIDDEN; admins: anything)."""
    return is_staff(actor) and can(actor, Action.VIEW, obj) and can(actor, Action.HIDE, obj)


def may_set_visibility(actor, obj, visibility: Visibility) -> bool:
    """Only staff hide content or bring it back; owners choose between PUBLIC and PRIVATE."""
    current = getattr(obj, "visibility", None)
    if visibility == Visibility.HIDDEN or current == Visibility.HIDDEN:
        return visibility == current or can(actor, Action.HIDE, obj) and is_staff(actor)
    return True


def require_creator(actor) -> User:
    """The user who may create content: signed in, and verified when the site requires it."""
    user = _user(actor)
    if user is None:
        raise Forbidden("Sign in to create content.")
    if current_app.config.get("EMAIL_VERIFICATION_REQUIRED") and not user.email_verified:
        raise Forbidden("Verify your email address before creating content.")
    return user


# --- users -----------------------------------------------------------------------------------------------


def is_banned(user: User, now: datetime | None = None) -> bool:
    if user.ban_reason is None:
        return False
    now = now or datetime.now(UTC)
    return user.banned_until is None or as_utc(user.banned_until) > now


def may_sign_in(user: User) -> bool:
    return user.is_active and not is_banned(user)


def can_view_user(actor, target: User) -> bool:
    user = _user(actor)
    return user is not None and (user.id == target.id or is_staff(actor))


def can_ban(actor, target: User) -> bool:
    """Moderators ban USERs; admins ban anyone but admins; nobody bans themselves."""
    user = _user(actor)
    if user is None or user.id == target.id or target.role == Role.ADMIN:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MODERATOR and target.role == Role.USER


def can_set_role(actor, target: User) -> bool:
    """Only admins change roles, never their own and never another admin's."""
    user = _user(actor)
    return user is not None and user.role == Role.ADMIN and user.id != target.id and target.role != Role.ADMIN


def can_unban(actor, target: User) -> bool:
    return can_ban(actor, target)


def can_edit_user(actor, target: User) -> bool:
    user = _user(actor)
    if user is None:
        return False
    return user.id == target.id or (user.role == Role.ADMIN and target.role != Role.ADMIN)


def load_user(actor, user_id, manage: bool = False, for_update: bool = False) -> User:
    """A user profile: 404 for those who may not see it, 403 when `manage` is asked and not allowed.

    `for_update` locks the row until the commit and reads it afresh.
    """
    target = load_plain(User, user_id, for_update=for_update)
    if not can_view_user(actor, target):
        raise NotFound("No such user.")
    if manage and not can_edit_user(actor, target):
        raise Forbidden("You can't change this account.")
    return target


def require_staff(actor) -> User:
    """Moderators and admins pass; everyone else is told there is nothing here (404)."""
    if not is_staff(actor):
        raise NotFound("There is nothing here.")
    return _user(actor)


def require_admin(actor) -> User:
    """Admins pass; moderators may know the page exists (403); everyone else gets a 404."""
    require_staff(actor)
    if not is_admin(actor):
        raise Forbidden("Only administrators can do this.")
    return _user(actor)


def load_user_to_ban(actor, user_id) -> User:
    """A user the actor may ban or unban: 404 when the actor may not see the user, 403 without the right."""
    target = load_user(actor, user_id)
    if not can_ban(actor, target):
        raise Forbidden("You can't ban or unban this account.")
    return target


def load_user_to_promote(actor, user_id) -> User:
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


def actor_id(actor) -> str:
    user = _user(actor)
    return str(user.id) if user else "anonymous"


def load_plain(model: type[T], object_id, for_update: bool = False) -> T:
    try:
        key = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError:
        raise NotFound(f"No such {model.__name__.lower()}.") from None
    obj = db.session.get(model, key, with_for_update=True if for_update else None, populate_existing=for_update)
    if obj is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    return obj


def _kind(obj) -> str:
    return type(obj).__name__.lower()
