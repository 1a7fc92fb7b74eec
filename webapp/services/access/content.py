"""The access matrix for owned content (characters, compendium entries, images, campaigns) and its loaders."""

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Campaign, Character, Role, Visibility
from webapp.services.access.actor import Actor, is_staff, owns, role_of, user_of
from webapp.services.access.parties import in_a_campaign, is_gm_of, is_member_of
from webapp.services.errors import Forbidden, InvalidInput, NotFound, Violation
from webapp.services.ids import parse_id

T = TypeVar("T")
HIDDEN_LABEL = "[hidden]"
OWNER_CHOOSES = "Only its owner makes it public or private."


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    DELETE = "delete"
    HIDE = "hide"
    AWARD = "award"  # giving a character experience or loot: its GM's job while it is in a campaign
    RUN = "run"  # a GM running a campaign: members, awards, notes, invite code, rules
    TEND = "tend"  # at the table: damage, healing, restoring, conditions and rests, by the owner or the GM
    PLAY = "play"  # at the table, the owner's own moves: spending mana or stamina, rolling dice


def can(actor: Actor, action: Action, obj) -> bool:
    """The access matrix of the spec for owned content (characters, compendium entries, images, campaigns)."""
    if action == Action.VIEW and getattr(obj, "visibility", None) == Visibility.PUBLIC:
        return True  # whoever asks: answered first, as a sheet asks it of every entry it names
    role = role_of(actor)
    if action == Action.AWARD:
        return isinstance(obj, Character) and may_award(actor, obj)
    if action == Action.PLAY:
        return isinstance(obj, Character) and owns(actor, obj)
    if action == Action.TEND:
        return isinstance(obj, Character) and (role == Role.ADMIN or owns(actor, obj) or is_gm_of(actor, obj))
    if role == Role.ADMIN or owns(actor, obj):
        return True
    visibility = obj.visibility
    if action == Action.VIEW:  # PUBLIC was answered above
        if visibility == Visibility.HIDDEN:
            return role == Role.MODERATOR
        return _private_reader(actor, obj)
    if role == Role.MODERATOR:
        if visibility == Visibility.PUBLIC:
            return action in {Action.EDIT, Action.HIDE}
        if visibility == Visibility.HIDDEN:
            return action in {Action.EDIT, Action.DELETE, Action.HIDE}
    return False


def _private_reader(actor: Actor, obj) -> bool:
    """Beyond the owner: a GM reads the PRIVATE characters of their party; members read a PRIVATE campaign."""
    if isinstance(obj, Character):
        return is_gm_of(actor, obj)
    if isinstance(obj, Campaign):
        return is_member_of(actor, obj)
    return False


def tends(actor: Actor, character: Character, gm_id) -> bool:
    """Action.TEND without a query, for a caller that knows the GM of the campaign the character plays in
    (`gm_id`; None when it plays in none): its owner, an admin, or that GM."""
    if role_of(actor) == Role.ADMIN or owns(actor, character):
        return True
    user = user_of(actor)
    return gm_id is not None and user is not None and user.id == gm_id


def may_award(actor: Actor, character: Character, in_campaign: bool | None = None) -> bool:
    """While a character is in a campaign only its GM (or an admin) gives it experience; otherwise its owner.

    `in_campaign` is whether it is an APPROVED member of an active campaign, when the caller already knows.
    """
    if role_of(actor) == Role.ADMIN or is_gm_of(actor, character):
        return True
    if not owns(actor, character):
        return False
    return not (in_a_campaign(character) if in_campaign is None else in_campaign)


def check(actor: Actor, action: Action, obj: T) -> T:
    """Return obj when allowed; NotFound when it may not even be seen, Forbidden when seen but not allowed."""
    if not can(actor, Action.VIEW, obj):
        raise NotFound(f"No such {_kind(obj)}.")
    if action != Action.VIEW and not can(actor, action, obj):
        raise Forbidden(f"You can't {action.value} this {_kind(obj)}.")
    return obj


def load(actor: Actor, model: type[T], object_id, action: Action = Action.VIEW, options=(), for_update=False) -> T:
    """Fetch one row by id with the given loader options, then `check` it; a malformed id is a NotFound.

    `for_update` locks the row until the commit and reads it afresh (an object already in the session would keep
    the values it was first read with), so a change checked against it is checked against the latest.
    """
    key = parse_id(object_id, model.__name__.lower())
    query = _by_id(model).options(*options) if options else _by_id(model)
    if for_update:
        query = query.with_for_update(of=model).execution_options(populate_existing=True)
    obj = db.session.execute(query, {"object_id": key}).unique().scalar_one_or_none()
    if obj is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    return check(actor, action, obj)


@functools.cache
def _by_id(model: type) -> sa.Select:
    """One row of `model` by id, built once per model: building a statement costs more than looking it up."""
    return sa.select(model).where(model.id == sa.bindparam("object_id"))


def load_chosen(actor: Actor, model: type[T], object_id, field_name: str, options=()) -> T:
    """An entry chosen by id in a form or body: the one the actor may see, or InvalidInput on `field_name`."""
    try:
        return load(actor, model, object_id, Action.VIEW, options=options)
    except NotFound:
        kind = model.__name__.lower()
        raise InvalidInput([Violation(field_name, f"There is no such {kind}")], f"There is no such {kind}.") from None


def load_plain(model: type[T], object_id, for_update: bool = False) -> T:
    """Fetch one row by id, unchecked (the caller decides who may see it); NotFound when missing or malformed."""
    key = parse_id(object_id, model.__name__.lower())
    obj = db.session.get(model, key, with_for_update=True if for_update else None, populate_existing=for_update)
    if obj is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    return obj


def visible(actor: Actor, model):
    """A WHERE clause for lists: only rows this actor may see (GM access is granted per campaign, not here)."""
    role = role_of(actor)
    if role == Role.ADMIN:
        return sa.true()
    seen = model.visibility == Visibility.PUBLIC
    if role == Role.MODERATOR:
        seen = sa.or_(seen, model.visibility == Visibility.HIDDEN)
    user = user_of(actor)
    if user is not None:
        seen = sa.or_(seen, model.owner_id == user.id)
    return seen


def namer(actor: Actor) -> Callable[[Any], str]:
    """Names entities as the actor may see them: for rules that word their refusals with names."""
    return lambda obj: shown_name(actor, obj)


def shown_name(actor: Actor, obj) -> str:
    """The name to show for a nested entity: "[hidden]" when the actor may not see it."""
    if obj is None:
        return ""
    return obj.name if can(actor, Action.VIEW, obj) else HIDDEN_LABEL


def shown_description(actor: Actor, obj) -> str:
    """The description to show for a nested entity: "[hidden]" when the actor may not see it."""
    if obj is None:
        return ""
    return getattr(obj, "description", "") if can(actor, Action.VIEW, obj) else HIDDEN_LABEL


def nested(actor: Actor, obj) -> dict | None:
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


def may_hide(actor: Actor, obj) -> bool:
    """Staff hide what they may see and change (moderators: others' PUBLIC and HIDDEN; admins: anything)."""
    return is_staff(actor) and can(actor, Action.VIEW, obj) and can(actor, Action.HIDE, obj)


def may_set_visibility(actor: Actor, obj, visibility: Visibility) -> bool:
    """Only staff hide content or bring it back; its owner (or an admin) chooses between PUBLIC and PRIVATE: a
    moderator who edits another's PUBLIC entry may not take it out of everyone's sight but by hiding it."""
    current = getattr(obj, "visibility", None)
    if visibility == Visibility.HIDDEN or current == Visibility.HIDDEN:
        return visibility == current or can(actor, Action.HIDE, obj) and is_staff(actor)
    if current is None or visibility == current:
        return True  # a new entry, or no change
    return may_choose_visibility(actor, obj)


def may_choose_visibility(actor: Actor, obj) -> bool:
    """Whether the actor chooses between PUBLIC and PRIVATE for obj: its owner, or an admin."""
    return owns(actor, obj) or role_of(actor) == Role.ADMIN


def visibility_refusal(actor: Actor, obj, visibility: Visibility, hiding: str) -> str | None:
    """Why the actor may not give obj this visibility (`hiding` when it is about hiding), or None when they may."""
    if may_set_visibility(actor, obj, visibility):
        return None
    if Visibility.HIDDEN in (visibility, getattr(obj, "visibility", None)):
        return hiding
    return OWNER_CHOOSES


def _kind(obj) -> str:
    return type(obj).__name__.lower()
