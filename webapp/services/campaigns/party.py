"""A campaign's party as a viewer sees it: the roster with sheets, requests and compliance, and the dashboard."""

import hashlib
from dataclasses import dataclass, field

from webapp import rules
from webapp.models import Campaign, CampaignEvent, Character, Membership, MembershipStatus
from webapp.services import access, campaign_events, sheets
from webapp.services.access import Action, Actor
from webapp.services.campaigns.loading import load_campaign
from webapp.services.campaigns.memberships import VERDICT_OPTIONS, active_memberships, verdict
from webapp.services.errors import Forbidden, Violation
from webapp.services.pagination import Pagination


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


def roster(actor: Actor, campaign_id) -> Roster:
    """The party with level, health and load where the viewer may read the sheet, and the pending requests.

    The GM sees every request; a member sees the APPROVED party and their own request; someone whose request
    is pending sees only that.
    A fixed number of queries whatever the party's size. Raises NotFound (can't see the campaign) or Forbidden
    (not the GM and not a member: the roster is for the party).
    """
    campaign = load_campaign(actor, campaign_id)
    runs = access.can(actor, Action.RUN, campaign)
    memberships = active_memberships(campaign.id, options=VERDICT_OPTIONS)
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
        if access.can_read_member(actor, membership, runs):
            sheet = rules.compute_sheet(sheets.character_data(character, cap if approved else rules.MAX_LEVEL))
        violations = verdict(actor, campaign, character) if runs else None
        (members if approved else pending).append(RosterEntry(membership, character, sheet, violations))
    return Roster(campaign, members, pending, runs=runs, own=own, in_party=in_party)


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    roster: Roster | None  # None: the viewer may see the campaign but not its party
    events: list[CampaignEvent]
    events_pagination: Pagination | None
    compliance: list[ComplianceEntry]


def dashboard(actor: Actor, campaign_id, before: str | None = None) -> Dashboard:
    """Everything /campaigns/<id> shows this viewer, in a fixed number of queries whatever the party's size.

    `before` is a log cursor (older entries). Raises NotFound when the actor may not see the campaign.
    """
    try:
        view = roster(actor, campaign_id)
    except Forbidden:
        return Dashboard(load_campaign(actor, campaign_id), None, [], None, [])
    events, pagination = [], None
    if view.in_party:
        events, pagination = campaign_events.page_of(campaign_events.events_of(actor, view.campaign), before)
    return Dashboard(view.campaign, view, events, pagination, view.compliance() if view.runs else [])


def compliance_report(actor: Actor, campaign_id) -> tuple[Campaign, list[ComplianceEntry]]:
    """Every APPROVED member's character that breaks one of the campaign's rules, with every reason; GM only.

    Raises NotFound or Forbidden (not the GM).
    """
    view = roster(actor, campaign_id)
    if not view.runs:
        raise Forbidden("The compliance report is for the game master.")
    return view.campaign, view.compliance()
