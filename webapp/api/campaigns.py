"""Campaigns over JSON: campaigns, members (join, approve, remove, leave), events, awards and compliance."""

import dataclasses
import json
import uuid
from typing import Any, Literal

from flask import url_for
from pydantic import Field

from webapp import event_streams, rules
from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.sheet_shapes import Number
from webapp.api.spec import endpoint
from webapp.api.wire import Moment, Named, Out, Person, ViolationOut, id_or_null, iso, list_of, page_json, page_of
from webapp.list_queries import ListQuery, Query
from webapp.markdown import render_markdown
from webapp.models import (
    Campaign,
    CampaignEvent,
    CampaignStatus,
    Character,
    EventKind,
    Membership,
    MembershipStatus,
    Rarity,
    Visibility,
)
from webapp.services import access, campaigns
from webapp.services import campaign_events as event_log
from webapp.services.access import Action
from webapp.services.campaign_events import events_query
from webapp.services.campaigns import ApproveBody, CampaignCreate, CampaignPatch, JoinRequest, NoteBody, awards
from webapp.services.errors import RuleViolation
from webapp.services.inputs import Id
from webapp.services.pagination import paginate

TAG = "campaigns"
SORTS = {"created_at": Campaign.created_at, "name": Campaign.name}


class CampaignListQuery(ListQuery):
    status: Literal["ACTIVE", "ARCHIVED"] | None = None
    sort: Literal["created_at", "name"] = "created_at"


class EventListQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="Events per page (1–100).")
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")
    order: Literal["asc", "desc"] = "desc"
    kind: Literal[tuple(kind.value for kind in EventKind)] | None = None  # type: ignore[valid-type]
    after: Id | None = Field(
        None,
        description="An event's id: the events that came after it, oldest first, in the order they were written "
        "(`cursor` and `order` do not apply). `has_next` says that more follow: ask again after the last one.",
    )


class StreamQuery(Query):
    after: Id | None = Field(
        None, description="Start after this event (a `Last-Event-ID` header wins). Without either: from now on."
    )


STREAM = {
    "description": "Server-Sent Events: each event of the log you may see, as it is written: `id:` its id, "
    "`event: event`, `data:` the event (EventOut) as JSON. A comment every 15 s keeps the connection; the stream "
    "ends after some minutes and EventSource clients reconnect with `Last-Event-ID` by themselves, losing and "
    "repeating nothing. `event: end` says that you may no longer read the log.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


class RulesOut(Out):
    level_cap: int | None = Field(description="Members' characters count at most this level; null for none.")
    allowed_race_ids: list[uuid.UUID] = Field(description="Empty: any race.")
    allowed_archetype_ids: list[uuid.UUID] = Field(description="Empty: any archetype.")
    max_rarity: Rarity | None = Field(description="The rarest item a member may add, be granted or equip.")
    point_budget: int | None = Field(description="Point-buy budget of the members' characters; null: the usual 27.")


class CampaignOut(Out):
    id: uuid.UUID
    name: str
    description: str
    visibility: Visibility
    status: CampaignStatus
    owner_id: uuid.UUID
    gm: Person
    rules: RulesOut
    created_at: Moment
    updated_at: Moment
    invite_code: str = Field(
        None,
        description="Only for those who run the campaign: absent for anyone else.",
        json_schema_extra=lambda schema: schema.pop("default"),
    )


class MemberCharacterOut(Out):
    id: uuid.UUID
    name: str
    level: int
    experience: int
    race: str = Field(description="The race's name (\"[hidden]\" where you may not see it).")
    archetype: str
    image_id: uuid.UUID | None


class PartyStatsOut(Out):
    level: int
    max_health: int
    max_mana: int
    max_stamina: int
    load: Number = Field(description="Kilograms carried.")
    capacity: Number = Field(description="Kilograms carried without being encumbered.")
    encumbered: bool


class ComplianceOut(Out):
    complies: bool
    violations: list[ViolationOut]


class MembershipOut(Out):
    id: uuid.UUID
    campaign_id: uuid.UUID
    status: MembershipStatus
    active: bool
    joined_at: Moment | None = Field(description="When it was approved; null while pending.")
    created_at: Moment
    user: Person
    character: MemberCharacterOut
    stats: PartyStatsOut | None = Field(description="Only where you may read the character's sheet.")
    compliance: ComplianceOut | None = Field(
        description="Only for the GM: does the character keep the campaign's rules (at its capped level)?"
    )


class EventOut(Out):
    id: uuid.UUID
    kind: EventKind
    body: str = Field(description="Markdown.")
    body_html: str = Field(description="The body rendered and sanitised.")
    actor: Person | None
    character: Named | None
    data: dict[str, Any] = Field(description="What the event carries, by kind (e.g. `experience`, `item_id`).")
    visibility: Literal["public", "gm", "private"] = Field(
        description="public: every member; gm: the GM and whoever made it; private: its maker alone."
    )
    created_at: Moment


class AwardOut(Out):
    characters: list[MemberCharacterOut] = Field(description="The characters awarded, as they are now.")
    events: list[EventOut] = Field(description="The log's new entries.")


class CampaignStatsOut(Out):
    total: int
    by_status: dict[str, int]
    by_visibility: dict[str, int]
    members: int = Field(description="Approved, active memberships.")


class ComplianceEntryOut(Out):
    membership_id: uuid.UUID
    character: MemberCharacterOut
    violations: list[ViolationOut]


class ComplianceReportOut(Out):
    campaign_id: uuid.UUID
    rules: RulesOut
    data: list[ComplianceEntryOut] = Field(description="The members whose characters break a rule.")


def rules_json(campaign: Campaign) -> dict:
    return {
        "level_cap": campaign.level_cap,
        "allowed_race_ids": [str(race.id) for race in campaign.allowed_races],
        "allowed_archetype_ids": [str(archetype.id) for archetype in campaign.allowed_archetypes],
        "max_rarity": str(campaign.max_rarity) if campaign.max_rarity else None,
        "point_budget": campaign.point_budget,
    }


def campaign_json(actor, campaign: Campaign) -> dict:
    """A campaign; the invite code only for those who run it."""
    data = {
        "id": str(campaign.id),
        "name": campaign.name,
        "description": campaign.description,
        "visibility": str(campaign.visibility),
        "status": str(campaign.status),
        "owner_id": str(campaign.owner_id),
        "gm": {"id": str(campaign.gm.id), "display_name": campaign.gm.display_name},
        "rules": rules_json(campaign),
        "created_at": iso(campaign.created_at),
        "updated_at": iso(campaign.updated_at),
    }
    if access.can(actor, Action.RUN, campaign):
        data["invite_code"] = campaign.invite_code
    return data


def character_json(actor, character: Character) -> dict:
    return {
        "id": str(character.id),
        "name": character.name,
        "level": character.level,
        "experience": character.experience,
        "race": access.shown_name(actor, character.race),
        "archetype": access.shown_name(actor, character.archetype),
        "image_id": id_or_null(character.image_id),
    }


def membership_json(
    actor, membership: Membership, sheet: rules.Sheet | None = None, violations: list | None = None
) -> dict:
    """A membership with its player and character; `stats` only where the caller may read the sheet,
    `compliance` (does the character keep the campaign's rules, and if not why) only for its GM."""
    stats = None
    if sheet is not None:
        stats = {
            "level": sheet.level,
            "max_health": sheet.max_health.value,
            "max_mana": sheet.max_mana.value,
            "max_stamina": sheet.max_stamina.value,
            "load": sheet.load.value,
            "capacity": sheet.capacity.value,
            "encumbered": sheet.encumbered,
        }
    return {
        "id": str(membership.id),
        "campaign_id": str(membership.campaign_id),
        "status": str(membership.status),
        "active": membership.active,
        "joined_at": iso(membership.joined_at),
        "created_at": iso(membership.created_at),
        "user": {"id": str(membership.user.id), "display_name": membership.user.display_name},
        "character": character_json(actor, membership.character),
        "stats": stats,
        "compliance": None
        if violations is None
        else {"complies": not violations, "violations": [{"field": v.field, "message": v.message} for v in violations]},
    }


def event_json(event: CampaignEvent) -> dict:
    return {
        "id": str(event.id),
        "kind": str(event.kind),
        "body": event.body,
        "body_html": str(render_markdown(event.body)),
        "actor": {"id": str(event.actor.id), "display_name": event.actor.display_name} if event.actor else None,
        "character": {"id": str(event.character.id), "name": event.character.name} if event.character else None,
        "data": event.data,
        "visibility": str(event.seen_by),
        "created_at": iso(event.created_at),
    }


def _public(caller) -> bool:
    # Anonymous callers only ever see PUBLIC campaigns, so their answers may be cached by anyone.
    return caller.user is None


def _scoped(caller, campaign_id) -> None:
    access.check_token_campaign(caller.campaign_id, campaign_id)


@endpoint("GET", "/campaigns", "List campaigns", TAG, query=CampaignListQuery, response=page_of(CampaignOut))
def campaign_list(caller, query):
    status = CampaignStatus(query.status) if query.status else None
    select = campaigns.campaigns_query(caller.user, search=query.search, status=status)
    if caller.campaign_id is not None:
        select = select.where(Campaign.id == caller.campaign_id)
    rows, pagination = paginate(select, Campaign, SORTS[query.sort], query.limit, query.cursor, query.order)
    data = [campaign_json(caller.user, campaign) for campaign in rows]
    return json_response(page_json(data, pagination), public=_public(caller))


@endpoint("GET", "/campaigns/stats", "Campaign statistics", TAG, response=CampaignStatsOut)
def campaign_stats(caller):
    return json_response(dataclasses.asdict(campaigns.campaign_stats(caller.user)), public=_public(caller))


@endpoint(
    "POST",
    "/campaigns",
    "Create a campaign",
    TAG,
    body=CampaignCreate,
    response=CampaignOut,
    status=201,
    auth="write",
    errors={409},
    links={"campaign_id": "$response.body#/id"},
)
def campaign_create(caller, body):
    campaign = campaigns.create_campaign(caller.user, body)
    location = url_for("api.campaign_get", campaign_id=campaign.id)
    return json_response(campaign_json(caller.user, campaign), status=201, headers={"Location": location})


@endpoint("GET", "/campaigns/<uuid:campaign_id>", "Get a campaign", TAG, response=CampaignOut)
def campaign_get(caller, campaign_id):
    _scoped(caller, campaign_id)
    campaign = campaigns.load_campaign(caller.user, campaign_id)
    return json_response(campaign_json(caller.user, campaign), public=_public(caller))


@endpoint(
    "PATCH",
    "/campaigns/<uuid:campaign_id>",
    "Change a campaign",
    TAG,
    body=CampaignPatch,
    response=CampaignOut,
    auth="write",
    if_match=True,
    errors={409},
)
def campaign_update(caller, campaign_id, body):
    _scoped(caller, campaign_id)
    campaign = campaigns.update_campaign(caller.user, campaign_id, body, expect=_fresh(caller))
    return json_response(campaign_json(caller.user, campaign))


@endpoint("DELETE", "/campaigns/<uuid:campaign_id>", "Delete a campaign", TAG, status=204, auth="write", if_match=True)
def campaign_delete(caller, campaign_id):
    _scoped(caller, campaign_id)
    campaigns.delete_campaign(caller.user, campaign_id, expect=_fresh(caller))
    return no_content()


@endpoint(
    "POST",
    "/campaigns/<uuid:campaign_id>/archive",
    "Archive a campaign",
    TAG,
    response=CampaignOut,
    auth="write",
    errors={409},
)
def campaign_archive(caller, campaign_id):
    _scoped(caller, campaign_id)
    campaign = campaigns.archive_campaign(caller.user, campaign_id)
    return json_response(campaign_json(caller.user, campaign))


@endpoint(
    "POST",
    "/campaigns/<uuid:campaign_id>/invite-code",
    "Rotate the invite code",
    TAG,
    response=CampaignOut,
    auth="write",
    errors={409},
)
def campaign_invite_rotate(caller, campaign_id):
    _scoped(caller, campaign_id)
    campaign = campaigns.rotate_invite_code(caller.user, campaign_id)
    return json_response(campaign_json(caller.user, campaign))


def _fresh(caller):
    """If-Match against the campaign as the caller last read it: a GM's two tabs don't overwrite each other.

    The service runs it on the campaign it has locked, so parallel changes sent with one ETag pass it one at a
    time.
    """
    return lambda current: require_fresh(campaign_json(caller.user, current), CampaignOut)


@endpoint(
    "POST",
    "/campaigns/join",
    "Ask to join a campaign",
    TAG,
    body=JoinRequest,
    response=MembershipOut,
    status=201,
    auth="write",
    errors={404, 409},
    links={"campaign_id": "$response.body#/campaign_id", "membership_id": "$response.body#/id"},
)
def campaign_join(caller, body):
    membership = campaigns.request_join(caller.user, body.invite_code, body.character_id)
    return json_response(membership_json(caller.user, membership), status=201)


@endpoint(
    "GET",
    "/campaigns/<uuid:campaign_id>/members",
    "List a campaign's members",
    TAG,
    response=list_of(MembershipOut),
    errors={403},
)
def campaign_members(caller, campaign_id):
    _scoped(caller, campaign_id)
    roster = campaigns.roster(caller.user, campaign_id)
    data = [membership_json(caller.user, e.membership, e.sheet, e.violations) for e in roster.members + roster.pending]
    return json_response({"data": data})


@endpoint(
    "POST",
    "/campaigns/<uuid:campaign_id>/members/<uuid:membership_id>/approve",
    "Approve a join request",
    TAG,
    body=ApproveBody,
    body_required=False,
    response=MembershipOut,
    auth="write",
    errors={409},
)
def campaign_member_approve(caller, campaign_id, membership_id, body):
    _scoped(caller, campaign_id)
    membership = campaigns.approve_membership(
        caller.user, campaign_id, membership_id, accept_violations=body.accept_violations
    )
    return json_response(membership_json(caller.user, membership))


@endpoint(
    "DELETE",
    "/campaigns/<uuid:campaign_id>/members/<uuid:membership_id>",
    "Reject, remove or leave",
    TAG,
    status=204,
    auth="write",
)
def campaign_member_remove(caller, campaign_id, membership_id):
    _scoped(caller, campaign_id)
    campaigns.remove_membership(caller.user, campaign_id, membership_id)
    return no_content()


@endpoint(
    "POST",
    "/campaigns/<uuid:campaign_id>/awards",
    "Award XP or items",
    TAG,
    body=awards.AwardBody,
    response=AwardOut,
    auth="write",
    errors={409},
)
def campaign_award(caller, campaign_id, body):
    _scoped(caller, campaign_id)
    result = awards.award(caller.user, campaign_id, body)
    return json_response(
        {
            "characters": [character_json(caller.user, character) for character in result.characters],
            "events": [event_json(event) for event in result.events],
        }
    )


@endpoint(
    "GET",
    "/campaigns/<uuid:campaign_id>/events",
    "A campaign's log",
    TAG,
    query=EventListQuery,
    response=page_of(EventOut),
    # 403: a PUBLIC campaign's log is its party's: anyone else may see the campaign, not the log; 422: an `after`
    # that names no event of this log
    errors={403, 422},
)
def campaign_events(caller, campaign_id, query):
    _scoped(caller, campaign_id)
    select = events_query(caller.user, campaign_id)
    if query.kind:
        select = select.where(CampaignEvent.kind == EventKind(query.kind))
    if query.after is not None:
        if query.cursor:
            raise RuleViolation("cursor", "Use after or cursor, not both.")
        rows, pagination = event_log.page_after(select, campaign_id, query.after, query.limit)
    else:
        rows, pagination = paginate(
            select, CampaignEvent, CampaignEvent.created_at, query.limit, query.cursor, query.order
        )
    return json_response(page_json([event_json(event) for event in rows], pagination))


@endpoint(
    "GET",
    "/campaigns/<uuid:campaign_id>/stream",
    "Follow a campaign's log live",
    TAG,
    query=StreamQuery,
    answers={200: STREAM},
    errors={403, 422},  # 422: an `after` or Last-Event-ID that names no event of this log
)
def campaign_stream(caller, campaign_id, query):
    _scoped(caller, campaign_id)
    event_log.reader(caller.user, campaign_id)  # 404 / 403 before a place to resume is looked up
    after = event_streams.resume_point(campaign_id, str(query.after) if query.after else None)

    def render(event: CampaignEvent) -> str:
        return event_streams.message(json.dumps(event_json(event), ensure_ascii=False), "event", str(event.id))

    return event_streams.stream(caller.user, campaign_id, after, render, "json")


@endpoint(
    "POST",
    "/campaigns/<uuid:campaign_id>/events",
    "Write a note",
    TAG,
    body=NoteBody,
    response=EventOut,
    status=201,
    auth="write",
    errors={409},
)
def campaign_note(caller, campaign_id, body):
    _scoped(caller, campaign_id)
    event = campaigns.add_note(caller.user, campaign_id, body)
    return json_response(event_json(event), status=201)


@endpoint(
    "GET",
    "/campaigns/<uuid:campaign_id>/compliance",
    "Who breaks the campaign's rules",
    TAG,
    response=ComplianceReportOut,
    errors={403},
)
def campaign_compliance(caller, campaign_id):
    _scoped(caller, campaign_id)
    campaign, report = campaigns.compliance_report(caller.user, campaign_id)
    data = [
        {
            "membership_id": str(entry.membership.id),
            "character": character_json(caller.user, entry.character),
            "violations": [{"field": v.field, "message": v.message} for v in entry.violations],
        }
        for entry in report
    ]
    return json_response({"campaign_id": str(campaign.id), "rules": rules_json(campaign), "data": data})
