"""What players and GMs send about a campaign (its details and rules, a join, an approval, a note), checked once
for the pages and the API alike."""

from typing import Literal

from pydantic import Field

from webapp import rules
from webapp.models import Rarity
from webapp.services.inputs import Id, Ids, Input, Patch, name, trimmed, whole

MAX_NAME = 100
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
MAX_BUDGET = 6 * max(rules.POINT_COST.values())  # every score at 15
DETAIL_FIELDS = ("name", "description", "visibility")
RULE_FIELDS = ("level_cap", "allowed_race_ids", "allowed_archetype_ids", "max_rarity", "point_budget")

RarityName = Literal[tuple(rarity.value for rarity in Rarity)]  # type: ignore[valid-type]

Name = name(MAX_NAME, "Give the campaign a name.", collapse=True)
Description = trimmed(MAX_DESCRIPTION, lines=True)


class RulesBody(Input):
    """A campaign's rules; a rule left empty leaves that part of the game open."""

    level_cap: whole(1, rules.MAX_LEVEL) | None = Field(None, description="Characters stop at this level.")
    allowed_race_ids: Ids = Field(default_factory=list, description="Empty: every race.")
    allowed_archetype_ids: Ids = Field(default_factory=list, description="Empty: every archetype.")
    max_rarity: RarityName | None = Field(None, description="The highest item rarity allowed.")
    point_budget: whole(0, MAX_BUDGET) | None = Field(
        None, description=f"Point-buy budget (default {rules.DEFAULT_BUDGET})."
    )


class RulesPatch(RulesBody):
    """The rules to change: only the keys given."""

    allowed_race_ids: Ids | None = None
    allowed_archetype_ids: Ids | None = None


class CampaignCreate(Input):
    """A new campaign: its GM is whoever opens it."""

    name: Name
    description: Description = ""
    visibility: Literal["PUBLIC", "PRIVATE"] = "PRIVATE"
    rules: RulesBody = Field(default_factory=RulesBody)

    def values(self) -> dict:
        """Every detail and rule, flat (the keys of DETAIL_FIELDS and RULE_FIELDS)."""
        return {**self.model_dump(exclude={"rules"}), **self.rules.model_dump()}


class CampaignPatch(Patch):
    """The details and rules to change: only the keys given (HIDDEN is for moderators); a null description
    empties it, a null visibility makes the campaign PUBLIC."""

    NULL_MESSAGES = {"name": "Give the campaign a name."}

    name: Name = None
    description: Description | None = None
    visibility: Literal["PUBLIC", "PRIVATE", "HIDDEN"] | None = None
    rules: RulesPatch | None = None

    def values(self) -> dict:
        """The keys given, flat (of DETAIL_FIELDS and RULE_FIELDS); an empty description or visibility as sent
        empty: no description, PUBLIC."""
        changes = self.model_dump(exclude_unset=True, exclude={"rules"})
        if "description" in changes:
            changes["description"] = changes["description"] or ""
        if "visibility" in changes:
            changes["visibility"] = changes["visibility"] or "PUBLIC"
        if self.rules is not None:
            changes.update(self.rules.model_dump(exclude_unset=True))
        return changes


class JoinRequest(Input):
    """A player asks to join the campaign of an invite code with one of their characters."""

    invite_code: trimmed(64, required=True)
    character_id: Id


class ApproveBody(Input):
    """The GM lets a pending character in."""

    accept_violations: bool = Field(
        False,
        description="Approve a character that breaks the campaign's rules (see `compliance` in the members list); "
        "without it such a request answers 422 with every reason, and the log records what was accepted.",
    )


class NoteBody(Input):
    """A note the GM writes into the log."""

    body: trimmed(MAX_NOTE, required=True, lines=True) = Field(description="Markdown; rendered sanitised.")
