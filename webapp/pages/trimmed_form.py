"""The base of every page form: its text is trimmed as the services trim it before any length is counted."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from webapp.services.inputs import TRIMMED, TRIMMED_WITH_LINES


def _trim(ends: str):
    def trim(value):
        return value.strip(ends) if isinstance(value, str) else value

    return trim


_ONE_LINE, _LINES = _trim(TRIMMED), _trim(TRIMMED_WITH_LINES)


class TrimmedForm(FlaskForm):
    """A FlaskForm whose text fields (never a password) drop spaces and what shows nothing at either end, so that
    "Length(max=100)" counts the characters the service keeps, as the API does."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, (PasswordField, HiddenField)):
                trim = _LINES if issubclass(kind, TextAreaField) else _ONE_LINE
                options = {**options, "filters": (*unbound_field.kwargs.get("filters", ()), trim)}
            return super().bind_field(form, unbound_field, options)
