"""Forms of the account page (shape only; the services decide the rest), and the new-password field that the
sign-in pages' forms use too."""

from datetime import UTC, datetime, time

from wtforms import DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.pages.trimmed_form import TrimmedForm
from webapp.services import accounts, password_changes, personal_tokens

PASSWORD_HINT = "12 to 128 characters. A short sentence is easy to remember and hard to guess."  # noqa: S105


def new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=12, max=128, message="Use 12 to 128 characters.")],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(TrimmedForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=1, max=100)])
    bio = TextAreaField("About you", validators=[Optional(), Length(max=2000)], description="Up to 2000 characters.")

    def changes(self) -> accounts.UserPatch:
        """The form as changes to one's profile; InvalidInput when it doesn't fit."""
        return accounts.UserPatch.read({"display_name": self.display_name.data or "", "bio": self.bio.data or ""})


class ChangePasswordForm(TrimmedForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field("New password")

    def change(self) -> password_changes.PasswordBody:
        values = {"current_password": self.current_password.data or "", "new_password": self.new_password.data or ""}
        return password_changes.PasswordBody.read(values)


class TokenForm(TrimmedForm):
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

    def token(self) -> personal_tokens.TokenCreate:
        """The form as a token to make, valid to the end of the day chosen; InvalidInput when it doesn't fit
        (on `expires_at`, the service's name for `expires_on`)."""
        expires_at = None
        if self.expires_on.data:
            expires_at = datetime.combine(self.expires_on.data, time(23, 59, 59), tzinfo=UTC)
        values = {"name": self.name.data or "", "scope": self.scope.data, "expires_at": expires_at}
        return personal_tokens.TokenCreate.read(values)
