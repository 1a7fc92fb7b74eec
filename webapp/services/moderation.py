"""Moderation: finding users, changing roles, bans, and the queue of HIDDEN content."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import Field

from webapp.extensions import db
from webapp.models import (
    Archetype,
    Campaign,
    Character,
    Image,
    Item,
    Perk,
    Race,
    Role,
    Skill,
    Tag,
    User,
    Visibility,
)
from webapp.models.base import as_utc
from webapp.services import access
from webapp.services.access import Actor
from webapp.services.accounts import Roles, UserPatch, revoke_everything, update_profile
from webapp.services.commits import commit_or_raise
from webapp.services.errors import Conflict, Forbidden, NotFound
from webapp.services.inputs import Input, future, trimmed
from webapp.services.matching import LIKE_ESCAPE, like_pattern
from webapp.services.pagination import paginate

log = logging.getLogger("tavern.audit")

# Content that can be hidden, by the plural used in URLs.
KINDS: dict[str, type] = {
    "characters": Character,
    "races": Race,
    "archetypes": Archetype,
    "skills": Skill,
    "perks": Perk,
    "items": Item,
    "tags": Tag,
    "images": Image,
    "campaigns": Campaign,
}
MAX_REASON = 500
QUEUE_PER_KIND = 100


@dataclass(frozen=True)
class UserFilter:
    search: str | None = None
    role: Role | None = None
    status: str | None = None  # "banned", "unverified" or None for everyone


def search_users(actor: Actor, filters: UserFilter, limit: int = 25, cursor: str | None = None, order: str = "desc"):
    """Staff only (404 otherwise): users matching the filters, newest first; returns (rows, pagination)."""
    access.require_staff(actor)
    query = sa.select(User)
    if filters.search:
        pattern = like_pattern(filters.search.lower())
        query = query.where(
            sa.or_(
                User.email.like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(User.display_name).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.status == "banned":
        query = query.where(banned_clause())
    elif filters.status == "unverified":
        query = query.where(User.email_verified.is_(False))
    return paginate(query, User, User.created_at, limit, cursor, order)


def banned_clause():
    now = datetime.now(UTC)
    return sa.and_(User.ban_reason.is_not(None), sa.or_(User.banned_until.is_(None), User.banned_until > now))


@dataclass(frozen=True)
class UserCounts:
    """The accounts, by role, banned now, and not yet confirmed."""

    total: int
    by_role: dict[str, int]
    banned: int
    unverified: int


def user_stats(actor: Actor) -> UserCounts:
    """Counts for the admin overview: by role, banned, unverified. Staff only."""
    access.require_staff(actor)
    by_role = dict(db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all())
    count = sa.select(sa.func.count()).select_from(User)
    return UserCounts(
        total=sum(by_role.values()),
        by_role={role.value: by_role.get(role, 0) for role in Role},
        banned=db.session.execute(count.where(banned_clause())).scalar_one(),
        unverified=db.session.execute(count.where(User.email_verified.is_(False))).scalar_one(),
    )


class RoleBody(Input):
    """The role an admin gives an account."""

    role: Roles


class BanBody(Input):
    """Why a user is banned, and until when (never: a lasting ban)."""

    reason: trimmed(
        MAX_REASON,
        required=True,
        blank="Say why, so the person and other moderators know.",
        too_long=f"Use at most {MAX_REASON} characters.",
    )
    until: future("Choose a moment in the future, or leave it empty for a lasting ban.") | None = Field(
        None, description="When the ban lifts, in the future; omit for a lasting ban."
    )


def set_role(actor: Actor, user_id, body: RoleBody) -> User:
    """Change a user's role: admins only, never their own and never another admin's (403). Commits.

    The role is changed by the same service as the rest of an account, so it is checked and logged in one place.
    """
    target = access.load_user_to_promote(actor, user_id)
    return update_profile(actor, target.id, UserPatch(role=body.role))


def ban_user(actor: Actor, user_id, body: BanBody) -> User:
    """Ban a user (moderators: USERs only; admins: anyone but admins; nobody themselves).

    Every session and token of the banned user ends at once. Raises NotFound / Forbidden through `access`.
    Commits.
    """
    target = access.load_user_to_ban(actor, user_id)
    target.ban_reason = body.reason
    target.banned_until = body.until
    target.banned_by_id = actor.id
    revoke_everything(target)
    db.session.commit()
    ends = body.until.isoformat() if body.until else "further notice"
    log.warning("user %s banned by %s until %s", target.id, access.actor_id(actor), ends)
    return target


def unban_user(actor: Actor, user_id) -> User:
    """Lift a ban; the same people who may ban may unban. Commits."""
    target = access.load_user_to_ban(actor, user_id)
    if target.ban_reason is not None:
        target.ban_reason = None
        target.banned_until = None
        target.banned_by_id = None
        db.session.commit()
        log.warning("user %s unbanned by %s", target.id, access.actor_id(actor))
    return target


def ban_state(user: User) -> dict | None:
    """What the ban looks like from outside, or None when the user is not banned (an expired ban included)."""
    if not access.is_banned(user):
        return None
    return {"reason": user.ban_reason, "until": user.banned_until, "by_id": user.banned_by_id}


def model_of(kind: str) -> type:
    model = KINDS.get(kind)
    if model is None:
        raise NotFound("No such kind of content.")
    return model


def hide_content(actor: Actor, kind: str, object_id):
    """Hide something from everyone but its owner and staff. Staff only: moderators hide others' PUBLIC
    content, admins anything. NotFound when the actor may not see it, Forbidden otherwise. Commits."""
    access.require_staff(actor)
    obj = access.load(actor, model_of(kind), object_id, for_update=True)
    if not access.may_hide(actor, obj):
        raise Forbidden("You can't hide this.")
    if obj.visibility != Visibility.HIDDEN:
        obj.visibility = Visibility.HIDDEN
        db.session.commit()
        log.warning("%s %s hidden by %s", kind, obj.id, access.actor_id(actor))
    return obj


def restore_content(actor: Actor, kind: str, object_id):
    """Bring hidden content back as PRIVATE: only its owner sees it again, and may publish it. Commits."""
    access.require_staff(actor)
    # Locked: of parallel restorations one restores, the others find it no longer hidden (409).
    obj = access.load(actor, model_of(kind), object_id, for_update=True)
    if obj.visibility != Visibility.HIDDEN:
        raise Conflict("This is not hidden.")
    if not access.may_hide(actor, obj):
        raise Forbidden("You can't restore this.")
    obj.visibility = Visibility.PRIVATE
    db.session.commit()
    log.warning("%s %s restored by %s", kind, obj.id, access.actor_id(actor))
    return obj


def delete_hidden(actor: Actor, kind: str, object_id) -> None:
    """Delete hidden content for good (moderators may delete only what is HIDDEN). Conflict when still in use."""
    access.require_staff(actor)
    obj = access.load(actor, model_of(kind), object_id, access.Action.DELETE, for_update=True)
    if obj.visibility != Visibility.HIDDEN:
        raise Conflict("Only hidden content is deleted from the moderation queue.")
    object_key = obj.id
    db.session.delete(obj)
    commit_or_raise(
        Conflict(
            "Something still uses this (a character carries it, or it is part of other content).",
            references=[{"kind": kind, "id": str(object_key)}],
        )
    )
    log.warning("%s %s deleted by %s", kind, object_key, access.actor_id(actor))


@dataclass(frozen=True)
class QueueEntry:
    kind: str
    obj: object
    owner: User | None


def hidden_queue(actor: Actor, kind: str | None = None) -> list[QueueEntry]:
    """HIDDEN content of every kind (or one), newest change first, with owners loaded. Staff only."""
    access.require_staff(actor)
    kinds = {kind: model_of(kind)} if kind else KINDS
    rows: list[tuple[str, object]] = []
    for name, model in kinds.items():
        query = (
            sa.select(model)
            .where(model.visibility == Visibility.HIDDEN)
            .order_by(model.updated_at.desc())
            .limit(QUEUE_PER_KIND)
        )
        rows.extend((name, obj) for obj in db.session.execute(query).scalars())
    owner_ids = {obj.owner_id for _, obj in rows if obj.owner_id}
    owners = {}
    if owner_ids:
        owners = {u.id: u for u in db.session.execute(sa.select(User).where(User.id.in_(owner_ids))).scalars()}
    rows.sort(key=lambda pair: as_utc(pair[1].updated_at), reverse=True)
    return [QueueEntry(name, obj, owners.get(obj.owner_id)) for name, obj in rows]
