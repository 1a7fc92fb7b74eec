"""Forms of the character pages and the builder: the fields as a page shows them, mapped to the services' inputs,
which check them (the services apply the rules)."""

from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp import rules
from webapp.pages.trimmed_form import TrimmedForm
from webapp.services.character_growth import MAX_AWARD, ExperienceAward, PerkPick, SkillPick
from webapp.services.characters import (
    MAX_AGE,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_SEX,
    CharacterIdentity,
    CharacterPatch,
)
from webapp.services.errors import InvalidInput, Violation

VISIBILITY_CHOICES = {
    "PRIVATE": "Private — only you (and your game master) can see it",
    "PUBLIC": "Public — shown in the gallery; anyone can read the sheet",
}


class IdentityForm(TrimmedForm):
    name = StringField("Name", validators=[DataRequired(message="Give your character a name"), Length(max=MAX_NAME)])
    sex = StringField("Sex", validators=[Optional(), Length(max=MAX_SEX)], description="Optional, in your own words.")
    age = IntegerField(
        "Age",
        validators=[Optional(), NumberRange(min=0, max=MAX_AGE, message=f"A whole number from 0 to {MAX_AGE}")],
        description="Optional, in years.",
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=MAX_DESCRIPTION)],
        description="Looks, history, quirks. Up to 5,000 characters.",
    )

    def values(self) -> dict:
        return {
            "name": self.name.data or "",
            "sex": self.sex.data or "",
            "age": self.age.data,
            "description": self.description.data or "",
        }

    def changes(self) -> CharacterPatch:
        """The form as changes to who the character is; InvalidInput when it doesn't fit."""
        return CharacterPatch.read(self.values())


class NewIdentityForm(IdentityForm):
    visibility = RadioField("Who can see this character?", choices=VISIBILITY_CHOICES, default="PRIVATE")

    def identity(self) -> CharacterIdentity:
        """The form as a new character's identity; InvalidInput when it doesn't fit."""
        return CharacterIdentity.read({**self.values(), "visibility": self.visibility.data})


class VisibilityForm(TrimmedForm):
    visibility = RadioField("Who can see this character?", choices=VISIBILITY_CHOICES)

    def changes(self) -> CharacterPatch:
        """Raises InvalidInput for anything but the two choices: HIDDEN is a moderator's, never the owner's."""
        if self.visibility.data not in VISIBILITY_CHOICES:
            raise InvalidInput([Violation("visibility", "Choose public or private.")])
        return CharacterPatch.read({"visibility": self.visibility.data})


class ExperienceForm(TrimmedForm):
    amount = IntegerField(
        "Experience to add",
        validators=[
            InputRequired(message="How much experience?"),
            NumberRange(min=1, max=MAX_AWARD, message=f"Add between 1 and {MAX_AWARD:,} experience points"),
        ],
    )

    def award(self) -> ExperienceAward:
        return ExperienceAward.read({"amount": self.amount.data})


class SkillForm(TrimmedForm):
    skill_id = SelectField("Skill to learn", validate_choice=False)

    def pick(self) -> SkillPick:
        return SkillPick.read({"skill_id": self.skill_id.data})


class PerkForm(TrimmedForm):
    perk_id = SelectField("Perk to take", validate_choice=False)

    def pick(self) -> PerkPick:
        return PerkPick.read({"perk_id": self.perk_id.data})


class ImportForm(TrimmedForm):
    file = FileField("Character file (.json)", description="A file exported from a Tavern character sheet.")
    document = TextAreaField(
        "…or paste the JSON", validators=[Optional(), Length(max=500_000)], description="Used when no file is chosen."
    )


class ChoiceForm(TrimmedForm):
    """One pick among compendium entries (the builder's race and archetype steps)."""

    choice = RadioField(validate_choice=False, validators=[InputRequired(message="Choose one")])


def _base_score(label: str) -> IntegerField:
    """A point-buy score; the rules refuse one outside the range with the same sentence, beside the field."""
    message = f"{label} must be between {rules.MIN_BASE} and {rules.MAX_BASE}"
    return IntegerField(label, [NumberRange(min=rules.MIN_BASE, max=rules.MAX_BASE, message=message)])


class AttributesForm(TrimmedForm):
    strength = _base_score("Strength")
    constitution = _base_score("Constitution")
    dexterity = _base_score("Dexterity")
    intelligence = _base_score("Intelligence")
    wisdom = _base_score("Wisdom")
    charisma = _base_score("Charisma")

    def scores(self) -> dict:
        return {name: getattr(self, name).data for name in rules.ATTRIBUTES}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PicksForm(TrimmedForm):
    skill_ids = MultiCheckboxField("Starting skills", validate_choice=False)
    perk_ids = MultiCheckboxField("Starting perk", validate_choice=False)
