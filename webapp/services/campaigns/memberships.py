"""A campaign's memberships: a player asks to join, the GM approves, rejects or removes, a player leaves."""

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp import rules
from webapp.extensions import db
from webapp.markdown import escape_markdown
from webapp.models import Campaign, Character, EventKind, Membership, MembershipStatus
from webapp.models.base import utcnow
from webapp.services import access, sheets
from webapp.services.access import Action, Actor
from webapp.services.campaign_events import record
from webapp.services.campaigns.loading import (
    CHARACTER_CARD,
    find_by_invite_code,
    load_running,
    rules_of,
    sync_level,
)
from webapp.services.errors import Conflict, Forbidden, NotFound, RuleViolation, Violation
from webapp.services.ids import parse_id

MEMBERSHIP_OPTIONS = (
    joinedload(Membership.user),
    joinedload(Membership.character).options(*CHARACTER_CARD),
)
# What a verdict on a member's character reads: the whole sheet (race, inventory, equipment, perks).
VERDICT_OPTIONS = (
    joinedload(Membership.user),
    joinedload(Membership.character).options(*sheets.SHEET_OPTIONS),
)


def join_choices(actor: Actor, code: str) -> tuple[Campaign, list[Character], dict[uuid.UUID, Membership]]:
    """For /join/<code>: the campaign, the actor's characters, and each one's active membership (where any).

    Raises Forbidden for an anonymous visitor, NotFound for a code that doesn't work.
    """
    user = access.require_signed_in(actor)
    campaign = find_by_invite_code(code)
    characters = list(
        db.session.execute(
            sa.select(Character).where(Character.owner_id == user.id).options(*CHARACTER_CARD).order_by(Character.name)
        ).scalars()
    )
    busy = db.session.execute(
        sa.select(Membership)
        .where(Membership.character_id.in_([c.id for c in characters]), Membership.active.is_(True))
        .options(joinedload(Membership.campaign))
    ).scalars()
    return campaign, characters, {membership.character_id: membership for membership in busy}


def request_join(actor: Actor, invite_code: str, character_id) -> Membership:
    """Ask to join the campaign of this invite code with one of the actor's characters (PENDING until approved).

    Raises NotFound (unknown or rotated code; a character the actor can't see), Forbidden (not their character;
    the campaign's own GM), Conflict (already asked or in this campaign) or RuleViolation (the character is in
    another campaign: one active campaign per character).
    """
    user = access.require_signed_in(actor)
    # Both locked until the commit, the campaign first: a join waits for an archiving or a rotation in progress
    # (and is then refused), and two requests with the same character run one after the other.
    campaign = find_by_invite_code(invite_code, for_update=True)
    character = access.load(actor, Character, character_id, for_update=True)
    if not access.can_request_join(actor, campaign, character):
        if not access.owns(actor, character):
            raise Forbidden(f"Only {character.name}'s player can ask to join with them.")
        raise Forbidden("You run this campaign; your players join it with their characters.")
    memberships = list(
        db.session.execute(
            sa.select(Membership)
            .where(Membership.character_id == character.id)
            .options(joinedload(Membership.campaign))
        ).scalars()
    )
    for membership in memberships:
        if membership.active and membership.campaign_id == campaign.id:
            state = "is already in" if membership.status == MembershipStatus.APPROVED else "has already asked to join"
            raise Conflict(f"{character.name} {state} “{campaign.name}”.")
        if membership.active:
            raise RuleViolation(
                "character_id",
                f"{character.name} already plays in “{membership.campaign.name}”; a character joins one campaign "
                "at a time. Leave that one first.",
            )
    membership = next((m for m in memberships if m.campaign_id == campaign.id), None)
    if membership is None:
        membership = Membership(campaign_id=campaign.id, user_id=user.id, character_id=character.id)
        db.session.add(membership)
    membership.status, membership.active, membership.joined_at = MembershipStatus.PENDING, True, None
    db.session.flush()
    body = f"{escape_markdown(character.name)} ({escape_markdown(user.display_name)}) asked to join."
    record(campaign, EventKind.JOIN_REQUESTED, user, body, character)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation("character_id", f"{character.name} just joined another campaign.") from None
    return load_membership(membership.id)


def approve_membership(actor: Actor, campaign_id, membership_id, accept_violations: bool = False) -> Membership:
    """The GM lets a PENDING character into the party; its level now follows the campaign's cap.

    A character that breaks the campaign's rules joins only when the GM accepts that knowingly
    (`accept_violations`); the log then says it was approved despite every reason. Raises NotFound, Forbidden
    (not the GM), Conflict (archived; not pending any more) or RuleViolation (every reason, not accepted).
    """
    campaign = load_running(actor, campaign_id, for_update=True)  # an archiving in progress is waited for
    membership = _membership_of(campaign, membership_id, options=VERDICT_OPTIONS)
    character = membership.character
    if membership.status == MembershipStatus.APPROVED:
        raise Conflict(f"{character.name} is already in the party.")
    violations = verdict(actor, campaign, character)
    if violations and not accept_violations:
        raise RuleViolation.many(violations)
    membership.status, membership.joined_at = MembershipStatus.APPROVED, utcnow()
    sync_level(character, sheets.campaign_level_cap(campaign))
    name = escape_markdown(character.name)
    body, data = f"{name} joined the party.", {}
    if violations:
        reasons = "; ".join(escape_markdown(violation.message) for violation in violations)
        body = f"{name} joined the party, approved despite the campaign's rules: {reasons}."
        data = {"accepted_violations": [{"field": v.field, "message": v.message} for v in violations]}
    record(campaign, EventKind.JOINED, actor, body, character, data)
    db.session.commit()
    return load_membership(membership.id)


def verdict(actor: Actor, campaign: Campaign, character: Character) -> list[Violation]:
    """Every way the character breaks the campaign's rules, as its GM is told (VERDICT_OPTIONS loaded).

    Entries the GM may not see are named "[hidden]": the verdict tells why, not what a player keeps private.
    """
    data = sheets.character_data(character, namer=access.namer(actor))
    return rules.check_compliance(rules_of(campaign), data)


def remove_membership(actor: Actor, campaign_id, membership_id) -> Membership:
    """End a membership: the GM rejects a request or removes a member; a player withdraws or leaves.

    The character is free again, its level no longer capped. A player's own membership stays theirs to end even
    once a moderator hid the campaign. Raises NotFound (no such active membership, or a campaign the actor can't
    see and has no membership in) or Forbidden (neither the GM nor that membership's player).
    """
    # The campaign is locked first, as every other change to its party locks it: the log's entry below needs a
    # share lock on it, and a GM holding it while waiting for this membership would otherwise deadlock with us.
    campaign = access.load_plain(Campaign, campaign_id, for_update=True)
    seen = access.can(actor, Action.VIEW, campaign)
    if not seen and not access.is_member_of(actor, campaign):
        raise NotFound("No such campaign.")
    # Locked: of parallel removals one ends the membership, the others find it ended (404).
    membership = _membership_of(campaign, membership_id)
    if not access.can_remove_membership(actor, campaign, membership):
        if not seen:  # past a campaign a moderator hid, a member reaches their own memberships only
            raise NotFound("No such member or request in this campaign.")
        raise Forbidden("Only the game master or the character's player can do that.")
    name = escape_markdown(membership.character.name)
    was_pending = membership.status == MembershipStatus.PENDING
    if access.can(actor, Action.RUN, campaign):
        kind, body = (
            (EventKind.REJECTED, f"{name}'s request to join was declined.")
            if was_pending
            else (EventKind.REMOVED, f"{name} was removed from the party.")
        )
    else:
        kind, body = EventKind.LEFT, (f"{name} withdrew the request to join." if was_pending else f"{name} left.")
    end_membership(membership)
    record(campaign, kind, actor, body, membership.character)
    db.session.commit()
    return load_membership(membership.id)


def load_membership(membership_id) -> Membership:
    query = sa.select(Membership).where(Membership.id == membership_id).options(*MEMBERSHIP_OPTIONS)
    return db.session.execute(query).scalar_one()


def _membership_of(campaign: Campaign, membership_id, options=MEMBERSHIP_OPTIONS) -> Membership:
    """The campaign's active membership, its row and its character's locked until the commit; NotFound when
    there is none.

    Whoever decides on a membership (approve, reject, remove, leave) reads it after the locks, so parallel
    decisions run one after the other and each sees what the one before it did; the character is locked too,
    since each decision derives its level again (an award in progress is waited for).
    """
    key = parse_id(membership_id, "membership")
    where = (Membership.id == key, Membership.campaign_id == campaign.id, Membership.active.is_(True))
    db.session.execute(sa.select(Membership.id).where(*where).with_for_update())
    character = sa.select(Membership.character_id).where(*where).scalar_subquery()
    db.session.execute(sa.select(Character.id).where(Character.id == character).with_for_update())
    # The session may hold the rows from before the locks (the page's roster): read them again.
    query = sa.select(Membership).where(*where).options(*options).execution_options(populate_existing=True)
    membership = db.session.execute(query).scalar_one_or_none()
    if membership is None:
        raise NotFound("No such member or request in this campaign.")
    return membership


def active_memberships(
    campaign_id, approved_only: bool = False, options=MEMBERSHIP_OPTIONS, for_update: bool = False
) -> list[Membership]:
    """The campaign's active memberships; `for_update` locks them (a removal in progress is waited for, and the
    membership it ended left out), before their characters: the order every change takes them in."""
    query = (
        sa.select(Membership)
        .where(Membership.campaign_id == campaign_id, Membership.active.is_(True))
        .options(*options)
        .order_by(Membership.joined_at, Membership.created_at)
    )
    if approved_only:
        query = query.where(Membership.status == MembershipStatus.APPROVED)
    if for_update:
        query = query.with_for_update(of=Membership).execution_options(populate_existing=True)
    return list(db.session.execute(query).scalars())


def lock_characters(memberships: Iterable[Membership]) -> None:
    """Lock the memberships' characters and read them afresh before their levels are derived again from their
    experience: an award in progress is waited for, and its experience counted."""
    ids = sorted({membership.character_id for membership in memberships})
    if ids:
        query = sa.select(Character).where(Character.id.in_(ids)).order_by(Character.id).with_for_update()
        db.session.execute(query.execution_options(populate_existing=True)).scalars().all()


def end_membership(membership: Membership) -> None:
    """The membership ends; an APPROVED member's level is no longer capped."""
    if membership.status == MembershipStatus.APPROVED:
        sync_level(membership.character)
    membership.active = False
