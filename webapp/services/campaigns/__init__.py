"""Campaigns: opened, changed, archived and invited to; joined, approved, removed and left; the party, its rewards.

Callers use the package (`campaigns.create_campaign(...)`); the modules split it by purpose.
"""

from webapp.services.campaigns.inputs import (
    MAX_BUDGET,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NOTE,
    RULE_FIELDS,
    CampaignCreate,
    CampaignPatch,
    RulesBody,
    RulesPatch,
)
from webapp.services.campaigns.lifecycle import (
    add_note,
    archive_campaign,
    create_campaign,
    delete_campaign,
    rotate_invite_code,
    update_campaign,
)
from webapp.services.campaigns.listing import campaign_stats, campaigns_query, my_campaigns, party_sizes
from webapp.services.campaigns.loading import (
    CAMPAIGN_OPTIONS,
    CHARACTER_CARD,
    campaign_of,
    campaign_rules_for,
    ensure_active,
    find_by_invite_code,
    load_campaign,
    load_running,
    rules_of,
    sync_level,
)
from webapp.services.campaigns.memberships import (
    approve_membership,
    join_choices,
    load_membership,
    remove_membership,
    request_join,
    verdict,
)
from webapp.services.campaigns.party import (
    ComplianceEntry,
    Dashboard,
    Roster,
    RosterEntry,
    compliance_report,
    dashboard,
    roster,
)

__all__ = [
    "CAMPAIGN_OPTIONS",
    "CHARACTER_CARD",
    "MAX_BUDGET",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "MAX_NOTE",
    "RULE_FIELDS",
    "CampaignCreate",
    "CampaignPatch",
    "ComplianceEntry",
    "Dashboard",
    "Roster",
    "RosterEntry",
    "RulesBody",
    "RulesPatch",
    "add_note",
    "approve_membership",
    "archive_campaign",
    "campaign_of",
    "campaign_rules_for",
    "campaign_stats",
    "campaigns_query",
    "compliance_report",
    "create_campaign",
    "dashboard",
    "delete_campaign",
    "ensure_active",
    "find_by_invite_code",
    "join_choices",
    "load_campaign",
    "load_membership",
    "load_running",
    "my_campaigns",
    "party_sizes",
    "remove_membership",
    "request_join",
    "roster",
    "rotate_invite_code",
    "rules_of",
    "sync_level",
    "update_campaign",
    "verdict",
]
