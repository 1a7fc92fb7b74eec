"""Forms of the campaign pages (shape only; the services apply the rules)."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp import rules
from webapp.models import Rarity
from webapp.services import awards, campaigns

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


class CampaignForm(FlaskForm):
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
        validators=[Optional(), NumberRange(min=1, max=rules.MAX_LEVEL, message="A level from 1 to 20")],
        description="Characters stop levelling here. Empty: no cap (20).",
    )
    point_budget = IntegerField(
        "Point-buy budget",
        validators=[Optional(), NumberRange(min=0, max=campaigns.MAX_BUDGET, message="From 0 to 54 points")],
        description=f"For building characters. Empty: the standard {rules.DEFAULT_BUDGET}.",
    )
    max_rarity = SelectField("Highest item rarity", choices=RARITY_CHOICES, default="")
    allowed_races = CheckboxList("Allowed races", description="None ticked: every race.")
    allowed_archetypes = CheckboxList("Allowed archetypes", description="None ticked: every archetype.")

    def values(self) -> dict:
        return {
            "name": self.name.data or "",
            "description": self.description.data or "",
            "visibility": self.visibility.data,
            "level_cap": self.level_cap.data,
            "point_budget": self.point_budget.data,
            "max_rarity": self.max_rarity.data or None,
            "allowed_race_ids": self.allowed_races.data or [],
            "allowed_archetype_ids": self.allowed_archetypes.data or [],
        }


class JoinForm(FlaskForm):
    character_id = RadioField("Which character joins?", validators=[InputRequired(message="Choose a character")])


class AwardForm(FlaskForm):
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


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write something first"), Length(max=campaigns.MAX_NOTE)],
        description="Markdown: **bold**, *italic*, lists, links.",
    )
