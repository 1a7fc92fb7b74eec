"""Sign-in, registration and password-reset forms (shape only; the services decide the rest)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from webapp.pages.account_forms import new_password_field


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"})
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=1, max=100)])
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = new_password_field("Password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")
