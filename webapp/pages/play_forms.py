"""Forms of play at the table (pools, rests, conditions, dice): the fields as the pages post them, read into the
services' inputs, which check them, so a page and the API refuse a value in the same words."""

import re

from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice

from webapp import rules
from webapp.pages.trimmed_form import TrimmedForm
from webapp.services.dice_rolls import RollRequest
from webapp.services.errors import InvalidInput, Violation
from webapp.services.table import MAX_NOTE, Hit, PoolChange, Rest

POOL_CHOICES = {"mana": "Mana", "stamina": "Stamina"}
REST_CHOICES = {"short": "Short rest", "long": "Long rest"}
VISIBILITY_CHOICES = {
    "public": "Everyone in the campaign",
    "gm": "The game master and me",
    "private": "Only me",
}
ATTRIBUTE_CHOICES = {name: name.capitalize() for name in rules.ATTRIBUTES}
SWITCHES = {"true": True, "false": False}
_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*")  # ASCII digits alone: Python's int() also reads "1_000" and "١٢"


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class _AmountField(IntegerField):
    """A whole number as typed; anything else reads as no number, which the service refuses in its own words (one
    sentence beside the field, where IntegerField would add its own to it)."""

    def process_formdata(self, valuelist):
        typed = valuelist[0] if valuelist else ""
        self.data = int(typed) if _WHOLE.fullmatch(typed) and len(typed) < 40 else None


class HitForm(TrimmedForm):
    amount = _AmountField("Amount")
    note = StringField("Note", description=f"Optional: what happened, for the campaign's log (up to {MAX_NOTE}).")

    def hit(self) -> Hit:
        """Damage or healing; InvalidInput when the amount or the note doesn't fit."""
        return Hit.read({"amount": self.amount.data, "note": self.note.data or ""})


class PoolForm(TrimmedForm):
    pool = SelectField("Pool", choices=_choices(POOL_CHOICES), validate_choice=False)
    amount = _AmountField("Points")

    def change(self) -> PoolChange:
        """Mana or stamina spent or restored; InvalidInput for another pool or an amount that doesn't fit."""
        return PoolChange.read({"pool": self.pool.data, "amount": self.amount.data})


class RestForm(TrimmedForm):
    kind = HiddenField("Rest")

    def rest(self) -> Rest:
        return Rest.read({"kind": self.kind.data})


class ConditionForm(TrimmedForm):
    name = HiddenField("Condition")
    on = HiddenField("Set")

    def wanted(self) -> dict[str, bool]:
        """{name: true|false} for table.set_conditions, which checks the name; InvalidInput for a switch that is
        neither "true" nor "false"."""
        if self.on.data not in SWITCHES:
            raise InvalidInput([Violation("on", "Set the condition on (true) or off (false).")])
        return {self.name.data or "": SWITCHES[self.on.data]}


class RollForm(TrimmedForm):
    kind = HiddenField("Roll")
    attribute = SelectField("Attribute", choices=_choices(ATTRIBUTE_CHOICES), validate_choice=False)
    skill_id = SelectField("Skill", validate_choice=False)
    expression = StringField("Dice", description="Like 2d6+3, 4d6kh3 or 2d20kl1.")
    label = StringField("Label", description="Optional: what the roll is for, like Fireball.")
    visibility = RadioField("Who sees the roll?", choices=_choices(VISIBILITY_CHOICES), validate_choice=False)

    def request(self) -> RollRequest:
        """The roll asked for, with only the fields its kind reads (the page posts them all); InvalidInput when one
        doesn't fit. Without a visibility the roll is private."""
        kind = self.kind.data or ""
        values: dict = {"kind": kind}
        if self.visibility.data:
            values["visibility"] = self.visibility.data
        if kind in ("check", "skill") and self.attribute.data:
            values["attribute"] = self.attribute.data
        if kind == "skill" and self.skill_id.data:
            values["skill_id"] = self.skill_id.data
        if kind == "free":
            values["expression"] = self.expression.data or ""
            values["label"] = self.label.data or ""
        return RollRequest.read(values)
