"""Campaigns: create, edit, archive and invite; join, approve, remove and leave; the roster, notes and rules."""

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from webapp import rules
from webapp.extensions import db
from webapp.models import (
    Archetype,
    Campaign,
    CampaignEvent,
    CampaignStatus,
    Character,
    EventKind,
    Membership,
    MembershipStatus,
    Race,
    Rarity,
    User,
    Visibility,
)
from webapp.models.base import utcnow
from webapp.services import access, campaign_events, sheets
from webapp.services.access import Action
from webapp.services.campaign_events import load_event, record
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Violation

MAX_NAME = 100
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
MAX_BUDGET = 6 * max(rules.POINT_COST.values())  # every score at 15
RULE_FIELDS = ("level_cap", "allowed_race_ids", "allowed_archetype_ids", "max_rarity", "point_budget")
DETAIL_FIELDS = ("name", "description", "visibility")

CHARACTER_CARD = (joinedload(Character.race), joinedload(Character.archetype))
CAMPAIGN_OPTIONS = (
    joinedload(Campaign.gm),
    selectinload(Campaign.allowed_races),
    selectinload(Campaign.allowed_archetypes),
)


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


# --- the campaign's rules ----------------------------------------------------------------------------------


def rules_of(campaign: Campaign) -> rules.CampaignRules:
    """The campaign's rules as the rules engine sees them (allowed races and archetypes must be loaded)."""
    return rules.CampaignRules(
        level_cap=campaign.level_cap,
        allowed_race_ids=frozenset(race.id for race in campaign.allowed_races) or None,
        allowed_archetype_ids=frozenset(archetype.id for archetype in campaign.allowed_archetypes) or None,
        max_rarity=str(campaign.max_rarity) if campaign.max_rarity else None,
        point_budget=campaign.point_budget,
    )


def campaign_rules_for(character: Character | uuid.UUID | str) -> rules.CampaignRules | None:
    """The rules of the campaign a character plays in (APPROVED, active), or None; two queries.

    For the builder (point budget, allowed races and archetypes, level cap) and the inventory (highest rarity).
    """
    campaign = campaign_of(character)
    return rules_of(campaign) if campaign is not None else None


def campaign_of(character: Character | uuid.UUID | str) -> Campaign | None:
    """The active campaign in which the character is an APPROVED member, with its allowed lists, or None."""
    character_id = character.id if isinstance(character, Character) else _uuid(character, "character")
    query = (
        sa.select(Campaign)
        .join(Membership, Membership.campaign_id == Campaign.id)
        .where(
            Membership.character_id == character_id,
            Membership.status == MembershipStatus.APPROVED,
            Membership.active.is_(True),
            Campaign.status == CampaignStatus.ACTIVE,
        )
        .options(*CAMPAIGN_OPTIONS)
    )
    return db.session.execute(query).scalars().first()


def sync_level(character: Character, cap: int = rules.MAX_LEVEL) -> None:
    """Keep the stored level what the rules derive from experience, under the campaign's cap while a member."""
    character.level = rules.level_for_xp(character.experience, cap)


# --- loading -----------------------------------------------------------------------------------------------


def load_campaign(actor, campaign_id, action: Action = Action.VIEW) -> Campaign:
    """A campaign with GM and rule lists; NotFound when the actor may not see it, Forbidden when not `action`."""
    return access.load(actor, Campaign, campaign_id, action, options=CAMPAIGN_OPTIONS)


def load_running(actor, campaign_id, options=CAMPAIGN_OPTIONS, for_update: bool = False) -> Campaign:
    """A campaign its GM is about to change: NotFound / Forbidden through access, Conflict once archived.

    `for_update` locks the row until the commit and reads it afresh: a change that needs the campaign active
    then waits for an archiving in progress, and finds it archived.
    """
    campaign = access.load(actor, Campaign, campaign_id, Action.RUN, options=options, for_update=for_update)
    ensure_active(campaign)
    return campaign


def ensure_active(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.ACTIVE:
        raise Conflict(f"“{campaign.name}” is archived; its party and log can no longer change.")


def find_by_invite_code(code: str, for_update: bool = False) -> Campaign:
    """The ACTIVE campaign with this invite code; NotFound for an unknown, rotated or archived one.

    `for_update` locks the row until the commit: a join then waits for a rotation or an archiving in progress.
    """
    query = sa.select(Campaign).where(Campaign.invite_code == (code or "").strip()).options(*CAMPAIGN_OPTIONS)
    if for_update:
        query = query.with_for_update(of=Campaign).execution_options(populate_existing=True)
    campaign = db.session.execute(query).scalar_one_or_none()
    if campaign is None or campaign.status != CampaignStatus.ACTIVE:
        raise NotFound("This invite link doesn't work (any more). Ask your game master for a new one.")
    return campaign


def campaigns_query(actor, search: str | None = None, status: CampaignStatus | None = None) -> sa.Select:
    """Campaigns the actor may see (PUBLIC ones, their own, the ones they are in), GM and rule lists loaded."""
    query = sa.select(Campaign).where(access.visible_campaigns(actor)).options(*CAMPAIGN_OPTIONS)
    if search:
        query = query.where(Campaign.name.ilike(f"%{_escape_like(search)}%", escape="\\"))
    if status is not None:
        query = query.where(Campaign.status == status)
    return query


def my_campaigns(actor) -> tuple[list[Campaign], list[Membership]]:
    """The campaigns the actor runs (newest first), and their characters' active memberships elsewhere."""
    user = _signed_in(actor)
    running = db.session.execute(
        sa.select(Campaign).where(Campaign.owner_id == user.id).order_by(Campaign.status, Campaign.id.desc())
    )
    playing = db.session.execute(
        sa.select(Membership)
        .where(Membership.user_id == user.id, Membership.active.is_(True))
        .options(
            joinedload(Membership.campaign).joinedload(Campaign.gm),
            joinedload(Membership.character).options(*CHARACTER_CARD),
        )
        .order_by(Membership.created_at.desc())
    )
    return list(running.scalars()), list(playing.scalars())


def party_sizes(campaign_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """APPROVED members per campaign, in one query."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    query = (
        sa.select(Membership.campaign_id, sa.func.count())
        .where(
            Membership.campaign_id.in_(ids),
            Membership.active.is_(True),
            Membership.status == MembershipStatus.APPROVED,
        )
        .group_by(Membership.campaign_id)
    )
    return dict(db.session.execute(query).tuples().all())


def campaign_stats(actor) -> dict:
    """Counts over the campaigns the actor may see: total, by status and visibility, and their members."""
    seen = access.visible_campaigns(actor)
    by = db.session.execute(
        sa.select(Campaign.status, Campaign.visibility, sa.func.count())
        .where(seen)
        .group_by(Campaign.status, Campaign.visibility)
    ).all()
    members = db.session.execute(
        sa.select(sa.func.count(Membership.id))
        .join(Campaign, Campaign.id == Membership.campaign_id)
        .where(seen, Membership.active.is_(True), Membership.status == MembershipStatus.APPROVED)
    ).scalar_one()
    stats = {
        "total": sum(count for *_key, count in by),
        "by_status": {status.value: 0 for status in CampaignStatus},
        "by_visibility": {visibility.value: 0 for visibility in Visibility},
        "members": members,
    }
    for status, visibility, count in by:
        stats["by_status"][str(status)] += count
        stats["by_visibility"][str(visibility)] += count
    return stats


# --- creating and changing ---------------------------------------------------------------------------------


def create_campaign(actor, *, name: str, description: str = "", visibility=Visibility.PUBLIC, **rule_values):
    """Create a campaign run by the actor, with a fresh invite code, and log it.

    `rule_values` are any of RULE_FIELDS. Raises Forbidden (not signed in or unverified) or InvalidInput (one
    message per field: name taken or too long, a cap outside 1–20, an unknown race…).
    """
    user = access.require_creator(actor)
    unknown = set(rule_values) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(owner_id=user.id, invite_code=new_invite_code(), status=CampaignStatus.ACTIVE)
    values = {"name": name, "description": description, "visibility": visibility, **rule_values}
    _apply(campaign, _validated(actor, values, campaign=None))
    db.session.add(campaign)
    db.session.flush()
    record(campaign, EventKind.CREATED, user, f"{user.display_name} opened the campaign.")
    _commit_unique_name()
    return load_campaign(actor, campaign.id)


def update_campaign(
    actor, campaign_id, changes: dict, *, expect: Callable[[Campaign], None] | None = None
) -> Campaign:
    """Change the campaign's details and rules (only the keys given), logging what changed.

    `expect(campaign)` runs on the locked campaign before any change (the API's If-Match). A new level cap
    re-derives the members' stored levels. Raises NotFound / Forbidden (not the GM), Conflict (archived) or
    InvalidInput.
    """
    unknown = set(changes) - set(DETAIL_FIELDS) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = load_running(actor, campaign_id, for_update=True)
    if expect is not None:
        expect(campaign)
    before = _summary(campaign)
    if "visibility" in changes and not access.may_set_visibility(actor, campaign, Visibility(changes["visibility"])):
        raise InvalidInput([Violation("visibility", "Only moderators hide content.")])
    _apply(campaign, _validated(actor, changes, campaign=campaign))
    after = _summary(campaign)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        record(
            campaign,
            EventKind.RULES_CHANGED,
            actor,
            "; ".join(_describe_change(key, before[key], after[key]) for key in changed) + ".",
            data={"changed": changed},
        )
    if "level_cap" in changed:
        members = _active_memberships(campaign.id, approved_only=True, for_update=True)
        _lock_characters(members)
        for membership in members:
            sync_level(membership.character, sheets.campaign_level_cap(campaign))
    _commit_unique_name()
    return load_campaign(actor, campaign.id)


def archive_campaign(actor, campaign_id) -> Campaign:
    """End the campaign: it becomes read-only, every character in it is free again (levels uncapped)."""
    campaign = load_running(actor, campaign_id, for_update=True)
    members = _active_memberships(campaign.id, for_update=True)
    _lock_characters(members)
    for membership in members:
        _end(membership)
    campaign.status = CampaignStatus.ARCHIVED
    record(campaign, EventKind.ARCHIVED, actor, "The campaign was archived; every character is free again.")
    db.session.commit()
    return load_campaign(actor, campaign.id)


def delete_campaign(actor, campaign_id, *, expect: Callable[[Campaign], None] | None = None) -> None:
    """Delete the campaign with its memberships and log; its characters stay, free again.

    `expect(campaign)` runs on the locked campaign before any change (the API's If-Match). Raises NotFound
    (of parallel deletes, every one but the first) or Forbidden.
    """
    options = (*CAMPAIGN_OPTIONS, selectinload(Campaign.memberships))
    campaign = access.load(actor, Campaign, campaign_id, Action.DELETE, options=options, for_update=True)
    if expect is not None:
        expect(campaign)
    members = _active_memberships(campaign.id, for_update=True)
    _lock_characters(members)
    for membership in members:
        _end(membership)
    db.session.delete(campaign)
    db.session.commit()


def rotate_invite_code(actor, campaign_id) -> Campaign:
    """Give the campaign a new invite code; links with the old one answer 404 from now on."""
    campaign = load_running(actor, campaign_id, for_update=True)
    campaign.invite_code = new_invite_code()
    record(campaign, EventKind.INVITE_ROTATED, actor, "A new invite link replaced the old one.")
    db.session.commit()
    return load_campaign(actor, campaign.id)


def add_note(actor, campaign_id, body: str) -> CampaignEvent:
    """The GM writes a note (Markdown) into the log; raises NotFound, Forbidden, Conflict or InvalidInput."""
    campaign = load_running(actor, campaign_id, options=(), for_update=True)
    text = (body or "").strip()
    if not text:
        raise InvalidInput([Violation("body", "Write something first.")])
    if len(text) > MAX_NOTE:
        raise InvalidInput([Violation("body", f"Notes are at most {MAX_NOTE} characters; this one has {len(text)}.")])
    event = record(campaign, EventKind.NOTE, actor, text)
    db.session.commit()
    return load_event(event.id)


def _validated(actor, values: dict, campaign: Campaign | None) -> dict:
    """Check the given fields; returns them normalised (races and archetypes as rows) or raises InvalidInput."""
    problems: list[Violation] = []
    clean: dict = {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())
        if not name:
            problems.append(Violation("name", "Give the campaign a name."))
        elif len(name) > MAX_NAME:
            problems.append(Violation("name", f"Names are at most {MAX_NAME} characters."))
        elif _name_taken(actor, name, campaign):
            problems.append(Violation("name", f"You already run a campaign called “{name}”."))
        clean["name"] = name
    if "description" in values:
        description = str(values["description"] or "").strip()
        if len(description) > MAX_DESCRIPTION:
            problems.append(Violation("description", f"Descriptions are at most {MAX_DESCRIPTION} characters."))
        clean["description"] = description
    if "visibility" in values:
        try:
            clean["visibility"] = Visibility(values["visibility"] or Visibility.PUBLIC)
        except ValueError:
            problems.append(Violation("visibility", "Choose PUBLIC or PRIVATE."))
        else:
            if campaign is None and clean["visibility"] == Visibility.HIDDEN:
                problems.append(Violation("visibility", "Choose PUBLIC or PRIVATE."))
    for key, low, high, message in (
        ("level_cap", 1, rules.MAX_LEVEL, f"A level cap is between 1 and {rules.MAX_LEVEL}, or none."),
        ("point_budget", 0, MAX_BUDGET, f"A point-buy budget is between 0 and {MAX_BUDGET}, or none."),
    ):
        if key in values:
            number = values[key]
            if number in (None, ""):
                clean[key] = None
            elif not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
                problems.append(Violation(key, message))
            else:
                clean[key] = number
    if "max_rarity" in values:
        try:
            clean["max_rarity"] = Rarity(values["max_rarity"]) if values["max_rarity"] else None
        except ValueError:
            problems.append(Violation("max_rarity", "Choose one of " + ", ".join(r.value for r in Rarity) + "."))
    for key, model, label in (("allowed_race_ids", Race, "race"), ("allowed_archetype_ids", Archetype, "archetype")):
        if key in values:
            rows, missing = _visible_rows(actor, model, values[key] or [])
            if missing:
                problems.append(Violation(key, f"There is no {label} with the id {missing[0]}."))
            clean[key] = rows
    if problems:
        raise InvalidInput(problems)
    return clean


def _apply(campaign: Campaign, clean: dict) -> None:
    for key, value in clean.items():
        if key == "allowed_race_ids":
            campaign.allowed_races = value
        elif key == "allowed_archetype_ids":
            campaign.allowed_archetypes = value
        else:
            setattr(campaign, key, value)


def _visible_rows(actor, model, ids) -> tuple[list, list[str]]:
    keys, missing = [], []
    for raw in ids:
        try:
            keys.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            missing.append(str(raw))
    rows = list(db.session.execute(sa.select(model).where(model.id.in_(keys), access.visible(actor, model))).scalars())
    found = {row.id for row in rows}
    missing += [str(key) for key in keys if key not in found]
    return sorted(rows, key=lambda row: row.name), missing


def _name_taken(actor, name: str, campaign: Campaign | None) -> bool:
    owner_id = campaign.owner_id if campaign is not None else access.require_creator(actor).id
    query = sa.select(Campaign.id).where(Campaign.owner_id == owner_id, Campaign.name == name)
    if campaign is not None:
        query = query.where(Campaign.id != campaign.id)
    return db.session.execute(query.limit(1)).first() is not None


def _commit_unique_name() -> None:
    """Commit; two requests racing for the same name meet the unique index, which becomes a field error."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput([Violation("name", "You already run a campaign with this name.")]) from None


def _summary(campaign: Campaign) -> dict:
    return {
        "name": campaign.name,
        "description": campaign.description,
        "visibility": str(campaign.visibility),
        "level_cap": campaign.level_cap,
        "allowed_race_ids": tuple(race.name for race in campaign.allowed_races),
        "allowed_archetype_ids": tuple(archetype.name for archetype in campaign.allowed_archetypes),
        "max_rarity": str(campaign.max_rarity) if campaign.max_rarity else None,
        "point_budget": campaign.point_budget,
    }


CHANGE_LABELS = {
    "name": "Name",
    "description": "Description",
    "visibility": "Visibility",
    "level_cap": "Level cap",
    "allowed_race_ids": "Allowed races",
    "allowed_archetype_ids": "Allowed archetypes",
    "max_rarity": "Highest rarity",
    "point_budget": "Point-buy budget",
}


def _describe_change(key: str, before, after) -> str:
    if key == "description":
        return "Description updated"

    def shown(value) -> str:
        if value in (None, ()):
            return "any" if key != "point_budget" else f"default ({rules.DEFAULT_BUDGET})"
        return ", ".join(value) if isinstance(value, tuple) else str(value)

    return f"{CHANGE_LABELS[key]}: {shown(before)} → {shown(after)}"


# --- memberships -------------------------------------------------------------------------------------------

MEMBERSHIP_OPTIONS = (
    joinedload(Membership.user),
    joinedload(Membership.character).options(*CHARACTER_CARD),
)
# What a verdict on a member's character reads: the whole sheet (race, inventory, equipment, perks).
VERDICT_OPTIONS = (
    joinedload(Membership.user),
    joinedload(Membership.character).options(*sheets.SHEET_OPTIONS),
)


def join_choices(actor, code: str) -> tuple[Campaign, list[Character], dict[uuid.UUID, Membership]]:
    """For /join/<code>: the campaign, the actor's characters, and each one's active membership (where any)."""
    user = _signed_in(actor)
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


def request_join(actor, invite_code: str, character_id) -> Membership:
    """Ask to join the campaign of this invite code with one of the actor's characters (PENDING until approved).

    Raises NotFound (unknown or rotated code; a character the actor can't see), Forbidden (not their character;
    the campaign's own GM), Conflict (already asked or in this campaign) or RuleViolation (the character is in
    another campaign: one active campaign per character).
    """
    user = _signed_in(actor)
    # Both locked until the commit, the campaign first: a join waits for an archiving or a rotation in progress
    # (and is then refused), and two requests with the same character run one after the other.
    campaign = find_by_invite_code(invite_code, for_update=True)
    character = access.load(actor, Character, character_id, for_update=True)
    if not access.owns(actor, character):
        raise Forbidden(f"Only {character.name}'s player can ask to join with them.")
    if access.owns(actor, campaign):
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
    body = f"{character.name} ({user.display_name}) asked to join."
    record(campaign, EventKind.JOIN_REQUESTED, user, body, character)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation("character_id", f"{character.name} just joined another campaign.") from None
    return load_membership(membership.id)


def approve_membership(actor, campaign_id, membership_id, accept_violations: bool = False) -> Membership:
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
    body, data = f"{character.name} joined the party.", {}
    if violations:
        reasons = "; ".join(violation.message for violation in violations)
        body = f"{character.name} joined the party, approved despite the campaign's rules: {reasons}."
        data = {"accepted_violations": [{"field": v.field, "message": v.message} for v in violations]}
    record(campaign, EventKind.JOINED, actor, body, character, data)
    db.session.commit()
    return load_membership(membership.id)


def verdict(actor, campaign: Campaign, character: Character) -> list[Violation]:
    """Every way the character breaks the campaign's rules, as its GM is told (VERDICT_OPTIONS loaded).

    Entries the GM may not see are named "[hidden]": the verdict tells why, not what a player keeps private.
    """
    data = sheets.character_data(character, namer=lambda obj: access.shown_name(actor, obj))
    return rules.check_compliance(rules_of(campaign), data)


def remove_membership(actor, campaign_id, membership_id) -> Membership:
    """End a membership: the GM rejects a request or removes a member; a player withdraws or leaves.

    The character is free again, its level no longer capped. Raises NotFound (no such active membership, or a
    campaign the actor can't see) or Forbidden (neither the GM nor that membership's player).
    """
    campaign = load_campaign(actor, campaign_id)
    # Locked: of parallel removals one ends the membership, the others find it ended (404).
    membership = _membership_of(campaign, membership_id)
    name = membership.character.name
    was_pending = membership.status == MembershipStatus.PENDING
    if access.can(actor, Action.RUN, campaign):
        kind, body = (
            (EventKind.REJECTED, f"{name}'s request to join was declined.")
            if was_pending
            else (EventKind.REMOVED, f"{name} was removed from the party.")
        )
    elif access.can_leave(actor, membership):
        kind, body = EventKind.LEFT, (f"{name} withdrew the request to join." if was_pending else f"{name} left.")
    else:
        raise Forbidden("Only the game master or the character's player can do that.")
    _end(membership)
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
    key = _uuid(membership_id, "membership")
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


def _active_memberships(
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


def _lock_characters(memberships: Iterable[Membership]) -> None:
    """Lock the memberships' characters and read them afresh before their levels are derived again from their
    experience: an award in progress is waited for, and its experience counted."""
    ids = sorted({membership.character_id for membership in memberships})
    if ids:
        query = sa.select(Character).where(Character.id.in_(ids)).order_by(Character.id).with_for_update()
        db.session.execute(query.execution_options(populate_existing=True)).scalars().all()


def _end(membership: Membership) -> None:
    if membership.status == MembershipStatus.APPROVED:
        sync_level(membership.character)
    membership.active = False


# --- the roster and compliance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceEntry:
    membership: Membership
    character: Character
    violations: list[Violation]


@dataclass(frozen=True)
class RosterEntry:
    membership: Membership
    character: Character
    sheet: rules.Sheet | None  # None when the viewer may not read this character's sheet
    violations: list[Violation] | None = None  # how it breaks the campaign's rules; for the GM only, else None

    @property
    def pending(self) -> bool:
        return self.membership.status == MembershipStatus.PENDING


@dataclass(frozen=True)
class Roster:
    campaign: Campaign
    members: list[RosterEntry]
    pending: list[RosterEntry]
    runs: bool  # the viewer is the GM (or an admin)
    own: list[Membership] = field(default_factory=list)  # the viewer's memberships here
    in_party: bool = False  # the GM or an APPROVED member: reads the roster and the log

    def compliance(self) -> list[ComplianceEntry]:
        """The members whose characters break the campaign's rules, each with every reason (GM only, else [])."""
        return [
            ComplianceEntry(entry.membership, entry.character, entry.violations)
            for entry in self.members
            if entry.violations
        ]

    @property
    def version(self) -> str:
        """A fingerprint of everything the roster shows: equal versions render the same fragment."""
        parts = [str(self.runs), self.campaign.status, str([m.id for m in self.own])]
        for entry in self.members + self.pending:
            character, sheet = entry.character, entry.sheet
            parts.append(
                f"{entry.membership.id}|{entry.membership.status}|{character.name}|{character.image_id}|"
                f"{character.level}|{character.experience}|"
                + (
                    f"{sheet.level}|{sheet.max_health.value}|{sheet.load.value}|{sheet.capacity.value}"
                    if sheet
                    else "-"
                )
                + "|".join(violation.message for violation in entry.violations or [])
            )
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def roster(actor, campaign_id) -> Roster:
    """The party with level, health and load where the viewer may read the sheet, and the pending requests.

    The GM sees every request; a member sees the APPROVED party and their own request; someone whose request
    is pending sees only that.
    A fixed number of queries whatever the party's size. Raises NotFound (can't see the campaign) or Forbidden
    (not the GM and not a member: the roster is for the party).
    """
    campaign = load_campaign(actor, campaign_id)
    runs = access.can(actor, Action.RUN, campaign)
    memberships = _active_memberships(campaign.id, options=VERDICT_OPTIONS)
    own = [m for m in memberships if access.can_leave(actor, m)]
    in_party = runs or access.can_see_roster(actor, campaign)
    if not in_party:
        if not own:
            raise Forbidden("The party is visible to its game master and members.")
        memberships = own  # someone waiting for approval sees their own request only
    cap = sheets.campaign_level_cap(campaign)
    members, pending = [], []
    for membership in memberships:
        approved = membership.status == MembershipStatus.APPROVED
        if not approved and not runs and membership not in own:
            continue
        character = membership.character
        sheet = None
        if access.can_read_member(actor, character, runs):
            sheet = rules.compute_sheet(sheets.character_data(character, cap if approved else rules.MAX_LEVEL))
        violations = verdict(actor, campaign, character) if runs else None
        (members if approved else pending).append(RosterEntry(membership, character, sheet, violations))
    return Roster(campaign, members, pending, runs=runs, own=own, in_party=in_party)


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    roster: Roster | None  # None: the viewer may see the campaign but not its party
    events: list[CampaignEvent]
    events_pagination: dict | None
    compliance: list[ComplianceEntry]


def dashboard(actor, campaign_id, before: str | None = None) -> Dashboard:
    """Everything /campaigns/<id> shows this viewer, in a fixed number of queries whatever the party's size.

    `before` is a log cursor (older entries). Raises NotFound when the actor may not see the campaign.
    """
    try:
        view = roster(actor, campaign_id)
    except Forbidden:
        return Dashboard(load_campaign(actor, campaign_id), None, [], None, [])
    events, pagination = [], None
    if view.in_party:
        events, pagination = campaign_events.page_of(campaign_events.events_of(view.campaign), before)
    return Dashboard(view.campaign, view, events, pagination, view.compliance() if view.runs else [])


def compliance_report(actor, campaign_id) -> tuple[Campaign, list["ComplianceEntry"]]:
    """Every APPROVED member's character that breaks one of the campaign's rules, with every reason; GM only.

    Raises NotFound or Forbidden (not the GM).
    """
    view = roster(actor, campaign_id)
    if not view.runs:
        raise Forbidden("The compliance report is for the game master.")
    return view.campaign, view.compliance()


# --- helpers -----------------------------------------------------------------------------------------------


def _signed_in(actor) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Sign in first.")
    return actor


def _uuid(value, kind: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"No such {kind}.") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
