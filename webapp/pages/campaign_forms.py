"""Forms of the campaign pages: the fields as a page shows them, mapped to the services' inputs, which check them."""

from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp import rules
from webapp.models import Rarity
from webapp.pages.trimmed_form import TrimmedForm
from webapp.services import campaigns
from webapp.services.campaigns import awards

VISIBILITY_CHOICES = [
    SelectChoice("PRIVATE", "Private — only you and the party see it"),
    SelectChoice("PUBLIC", "Public — anyone can see its name, description and rules"),
]
RARITY_CHOICES = [SelectChoice("", "Any rarity"), *(SelectChoice(r.value, r.value.capitalize()) for r in Rarity)]


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """Unknown ids are the service's to report (beside the field), not WTForms' generic message."""


class CampaignForm(TrimmedForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the campaign a name"), Length(max=campaigns.MAX_NAME)]
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=campaigns.MAX_DESCRIPTION)],
        description="What the players should know before they join. Up to 5,000 characters.",
    )
    visibility = RadioField("Who can see this campaign?", choices=VISIBILITY_CHOICES, default="PRIVATE")
    level_cap = IntegerField(
        "Level cap",
        validators=[
            Optional(),
            NumberRange(min=1, max=rules.MAX_LEVEL, message=f"A level from 1 to {rules.MAX_LEVEL}"),
        ],
        description="Characters stop levelling here. Empty: no cap (20).",
    )
    point_budget = IntegerField(
        "Point-buy budget",
        validators=[
            Optional(),
            NumberRange(min=0, max=campaigns.MAX_BUDGET, message=f"From 0 to {campaigns.MAX_BUDGET} points"),
        ],
        description=f"For building characters. Empty: the standard {rules.DEFAULT_BUDGET}.",
    )
    max_rarity = SelectField("Highest item rarity", choices=RARITY_CHOICES, default="")
    allowed_races = CheckboxList("Allowed races", description="None ticked: every race.")
    allowed_archetypes = CheckboxList("Allowed archetypes", description="None ticked: every archetype.")

    # The input calls the allowed lists by their ids; its violations land on these fields.
    ALIASES = {"allowed_race_ids": "allowed_races", "allowed_archetype_ids": "allowed_archetypes"}

    def values(self, *, keep_visibility: bool = True) -> dict:
        """The form as the campaign inputs read it (`keep_visibility=False` leaves visibility as it is)."""
        values = {
            "name": self.name.data or "",
            "description": self.description.data or "",
            "visibility": self.visibility.data,
            "rules": {
                "level_cap": self.level_cap.data,
                "point_budget": self.point_budget.data,
                "max_rarity": self.max_rarity.data or None,
                "allowed_race_ids": self.allowed_races.data or [],
                "allowed_archetype_ids": self.allowed_archetypes.data or [],
            },
        }
        if not keep_visibility:
            del values["visibility"]
        return values

    def new_campaign(self) -> campaigns.CampaignCreate:
        """The form as a new campaign; InvalidInput when it doesn't fit."""
        return campaigns.CampaignCreate.read(self.values())

    def changes(self, *, keep_visibility: bool = True) -> campaigns.CampaignPatch:
        """The form as changes to every detail and rule; InvalidInput when it doesn't fit."""
        return campaigns.CampaignPatch.read(self.values(keep_visibility=keep_visibility))


class JoinForm(TrimmedForm):
    character_id = RadioField("Which character joins?", validators=[InputRequired(message="Choose a character")])


class AwardForm(TrimmedForm):
    target = SelectField("Who gets it", default="all")
    experience = IntegerField(
        "Experience",
        validators=[
            Optional(),
            NumberRange(min=1, max=awards.MAX_AWARD, message=f"From 1 to {awards.MAX_AWARD:,} XP"),
        ],
        description="Each chosen character gets this much.",
    )
    item_id = RadioField("Item", validators=[Optional()], validate_choice=False)
    quantity = IntegerField("How many", default=1, validators=[Optional(), NumberRange(min=1, max=awards.MAX_QUANTITY)])
    reason = StringField(
        "What for",
        validators=[Optional(), Length(max=awards.MAX_REASON)],
        description='Optional, shown in the log: "for clearing the flooded cellar".',
    )

    def award(self) -> awards.AwardBody:
        """The form as an award to one character or the whole party; InvalidInput when it doesn't fit."""
        everyone = self.target.data == "all"
        return awards.AwardBody.read(
            {
                "experience": self.experience.data,
                "item_id": self.item_id.data or None,
                "quantity": self.quantity.data or 1,
                "character_ids": None if everyone else [self.target.data],
                "all": everyone,
                "reason": self.reason.data or "",
            }
        )


class NoteForm(TrimmedForm):
    body = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write something first"), Length(max=campaigns.MAX_NOTE)],
        description="Markdown: **bold**, *italic*, lists, links.",
    )

    def note(self) -> campaigns.NoteBody:
        """The form as a note for the log; InvalidInput when it doesn't fit."""
        return campaigns.NoteBody.read({"body": self.body.data or ""})
