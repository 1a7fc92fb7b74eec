"""What a committed write makes stale: every flush is mapped to generation names, bumped once the commit is done.

Whoever writes (a service, moderation, the seed), the cached views that read those rows move on. Writes the
flush cannot see (bulk UPDATE or DELETE statements) name what they touch with `stale()`.

The names:
- ``character:<id>``: the character's own row and its memberships;
- ``pack:<id>``: what the character carries, wears and knows (inventory, equipment, skills, perks);
- ``campaign:<id>``: the campaign row (rules, GM, status) and its memberships;
- ``characters``: any character row or membership (what lists of characters read);
- ``campaigns``: any campaign row (what a character's views read of its campaign: GM, rules, level cap);
- ``user:<id>``: a user's profile, role and anything shown about them;
- ``credentials``: anything that can end a sign-in (sessions, tokens, bans, roles, passwords, deletions);
- ``compendium:<kind>``: a compendium kind and the kinds that show it;
- ``images``: an image went away, and whatever showed it falls back to its placeholder.
"""

from collections.abc import Iterator

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from webapp import caching
from webapp.models import (
    ApiToken,
    Campaign,
    Character,
    EquippedItem,
    Image,
    InventoryEntry,
    Membership,
    User,
    UserSession,
)
from webapp.models.compendium_kinds import KINDS, dependents

PENDING = "stale_generations"
CREDENTIALS = "credentials"
IMAGES = "images"
CAMPAIGNS = "campaigns"
CHARACTERS = "characters"
_KIND_OF_MODEL = {kind.model: kind.name for kind in KINDS.values()}
# Bookkeeping a request writes as it goes: it changes nothing anyone is shown and ends no sign-in.
_NOISE = {
    User: {"last_login_at", "updated_at"},
    UserSession: {"last_seen_at", "updated_at"},
    ApiToken: {"last_used_at", "updated_at"},
}


def character(character_id) -> str:
    return f"character:{character_id}"


def pack(character_id) -> str:
    return f"pack:{character_id}"


def campaign(campaign_id) -> str:
    return f"campaign:{campaign_id}"


def user(user_id) -> str:
    return f"user:{user_id}"


def compendium(kind: str) -> str:
    return f"compendium:{kind}"


def stale(session: Session, *names: str) -> None:
    """Bump these names when the session's transaction commits (nothing, if it rolls back)."""
    session.info.setdefault(PENDING, set()).update(names)


def _value(obj, key: str):
    """A column's value without a query: deleted or expired rows keep what they last loaded."""
    state = sa.inspect(obj)
    if key in state.dict:
        return state.dict[key]
    history = state.attrs[key].history
    committed = (*history.unchanged, *history.deleted)
    return committed[0] if committed else None


def _only_noise(obj) -> bool:
    noise = _NOISE.get(type(obj))
    if noise is None:
        return False
    state = sa.inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= noise


def names_of(obj, change: str = "dirty") -> Iterator[str]:
    """The generations a change ("new", "dirty" or "deleted") to this row moves.

    A new session, token or user ends nobody's sign-in, so only changes and deletions move `credentials`.
    """
    deleted, ends_sign_ins = change == "deleted", change != "new"
    kind = _KIND_OF_MODEL.get(type(obj))
    if kind is not None:
        yield from (compendium(name) for name in dependents(kind))
    elif isinstance(obj, Character):
        yield character(_value(obj, "id"))
        yield CHARACTERS
    elif isinstance(obj, InventoryEntry | EquippedItem):
        yield pack(_value(obj, "character_id"))
    elif isinstance(obj, Membership):
        yield character(_value(obj, "character_id"))
        yield campaign(_value(obj, "campaign_id"))
        yield CHARACTERS
    elif isinstance(obj, Campaign):
        yield campaign(_value(obj, "id"))
        yield CAMPAIGNS
        if deleted:  # its campaign-bound tokens and memberships go with it
            yield CREDENTIALS
            yield CHARACTERS
    elif isinstance(obj, User):
        yield user(_value(obj, "id"))
        if ends_sign_ins:
            yield CREDENTIALS
        if deleted:  # the database deletes their characters with them
            yield CHARACTERS
    elif isinstance(obj, UserSession | ApiToken) and ends_sign_ins:
        yield CREDENTIALS
    elif isinstance(obj, Image) and deleted:
        yield IMAGES
        yield from (compendium(name) for name in KINDS)


@sa.event.listens_for(Session, "after_flush")
def _note_writes(session: Session, _context) -> None:
    pending = session.info.setdefault(PENDING, set())
    for obj in session.new:
        pending.update(names_of(obj, "new"))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=True) and not _only_noise(obj):
            pending.update(names_of(obj))
    for obj in session.deleted:
        pending.update(names_of(obj, "deleted"))


@sa.event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    names = session.info.pop(PENDING, None)
    if names and has_app_context():
        caching.bump(*sorted(names))


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
