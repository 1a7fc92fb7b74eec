"""Sign-in, registration and password-reset forms, mapped to the services' inputs (the services decide the rest)."""

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from webapp.pages.account_forms import new_password_field
from webapp.pages.trimmed_form import TrimmedForm
from webapp.services import password_changes, registration, sign_in


class LoginForm(TrimmedForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"})
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Keep me signed in on this device")

    def login(self) -> sign_in.LoginBody:
        return sign_in.LoginBody.read({"email": self.email.data or "", "password": self.password.data or ""})


class RegisterForm(TrimmedForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=1, max=100)])
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = new_password_field("Password")

    def account(self) -> registration.RegisterBody:
        """The form as a new account; InvalidInput when it doesn't fit (a common password, say)."""
        values = {"email": self.email.data, "password": self.password.data, "display_name": self.display_name.data}
        return registration.RegisterBody.read({key: value or "" for key, value in values.items()})


class ForgotPasswordForm(TrimmedForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(TrimmedForm):
    password = new_password_field("New password")

    def reset(self) -> password_changes.PasswordReset:
        return password_changes.PasswordReset.read({"password": self.password.data or ""})
