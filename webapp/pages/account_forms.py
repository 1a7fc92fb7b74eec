"""Forms of the account page (shape only; the services decide the rest), and the new-password field that the
sign-in pages' forms use too."""

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

PASSWORD_HINT = "12 to 128 characters. A short sentence is easy to remember and hard to guess."  # noqa: S105


def new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=12, max=128, message="Use 12 to 128 characters.")],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=1, max=100)])
    bio = TextAreaField("About you", validators=[Optional(), Length(max=2000)], description="Up to 2000 characters.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field("New password")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(min=1, max=100)],
        description="What the token is for, e.g. “backup script”.",
    )
    scope = SelectField(
        "Access",
        choices=[SelectChoice("read", "Read only"), SelectChoice("write", "Read and write")],
        default="read",
        validators=[DataRequired()],
    )
    expires_on = DateField(
        "Expires on", validators=[Optional()], description="Leave empty for a token that never expires."
    )
