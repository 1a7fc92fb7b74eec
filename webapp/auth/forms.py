"""Sign-in and registration forms (shape only; the services decide the rest)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=1, max=100)])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=12, max=128, message="Use 12 to 128 characters.")],
        description="12 to 128 characters. A short sentence is easy to remember and hard to guess.",
    )
