"""Registration: creating a person's account and confirming their address."""

import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Annotated, Self

import uuid6
from pydantic import AfterValidator, ConfigDict, Field, model_validator
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.extensions import db
from webapp.models import Role, User
from webapp.net import external_url
from webapp.services import accounts, sign_in_links
from webapp.services.accounts import MAX_DISPLAY_NAME, client, normalise_email
from webapp.services.errors import InvalidInput, ServiceError, Violation
from webapp.services.inputs import CONTROLS, SPACES, Input, name, reworded
from webapp.services.passwords import NewPassword, hash_password, personal_problems

log = logging.getLogger("tavern.audit")


class MailUnavailable(ServiceError):
    """The mail could not be sent just now."""

    status = 503
    code = "mail_unavailable"


@dataclass(frozen=True)
class Registration:
    """What registering answers: the same shape, status and mail count whether or not the address had an
    account, so nobody learns who has one. For a taken address the id is a fresh one that names nobody."""

    id: uuid.UUID
    email: str
    role: Role


EMAIL_PATTERN = rf"^[^@{SPACES}{CONTROLS}]+@[^@{SPACES}{CONTROLS}]+$"
MAX_EMAIL = 254


def _fits_once_lowered(email: str) -> str:
    """Some capitals lower to two characters ("İ"): what is stored, the lowered address, must fit its column too."""
    if len(normalise_email(email)) > MAX_EMAIL:
        raise ValueError("too long once lower-cased")
    return email


Email = Annotated[
    str,
    Field(min_length=3, max_length=MAX_EMAIL, pattern=EMAIL_PATTERN),
    AfterValidator(_fits_once_lowered),
    reworded("Enter an email address, like name@example.com."),
]


class RegisterBody(Input):
    """A new account: its address (to sign in and be mailed at), its password, and what to call its owner."""

    model_config = ConfigDict(str_strip_whitespace=False)  # a password is kept as typed

    email: Email
    password: NewPassword
    display_name: name(MAX_DISPLAY_NAME, "Tell us what to call you.", f"Use 1 to {MAX_DISPLAY_NAME} characters.")

    @model_validator(mode="after")
    def _not_ones_own_name(self) -> Self:
        """Raises InvalidInput beside the password when it holds its owner's name or address."""
        problems = personal_problems(self.password, normalise_email(self.email), self.display_name)
        if problems:
            raise InvalidInput([Violation("password", message) for message in problems])
        return self


def register_user(body: RegisterBody) -> Registration:
    """Create a USER and mail the verification link; when the address already has an account, change nothing
    and mail its owner instead. A mail failure does not undo the account (the link can be sent again). Commits."""
    email, password, display_name = normalise_email(body.email), body.password, body.display_name
    password_hash = hash_password(password)  # for a taken address too: both answers take as long
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        return _tell_owner_of(existing)
    user = User(email=email, display_name=display_name, password_hash=password_hash)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same address registered at the same moment
        db.session.rollback()
        return _tell_owner_of(accounts.find_user_by_email(email))
    log.info("user %s registered from %s", user.id, client())
    with contextlib.suppress(MailUnavailable):  # logged; the account page offers to send it again
        send_verification(user)
    return Registration(user.id, user.email, user.role)


def _tell_owner_of(user: User) -> Registration:
    """Someone registered with an address that has an account: its owner hears of it, the caller learns nothing."""
    log.info("registration asked for the address of user %s from %s", user.id, client())
    context = {"user": user, "sign_in": external_url("auth.login"), "reset": external_url("auth.forgot_password")}
    with contextlib.suppress(mail.MailError):  # logged in mail.send; the answer must not differ
        mail.send_template(user.email, "Someone tried to register with your address", "register_taken.txt", **context)
    return Registration(uuid6.uuid7(), user.email, Role.USER)


def send_verification(user: User) -> None:
    """Mail a fresh verification link (nothing when already verified). Raises MailUnavailable."""
    if user.email_verified:
        return
    link = external_url("auth.verify_email", token=sign_in_links.make_token(user, sign_in_links.VERIFY_EMAIL))
    try:
        mail.send_template(
            user.email, "Confirm your email address for Tavern", "verify_email.txt", user=user, link=link
        )
    except mail.MailError:
        raise MailUnavailable("We could not send the mail just now. Please try again in a few minutes.") from None


def verify_email(token: str) -> User:
    """Mark the address of a valid link verified; the link then stops working. Raises InvalidLink. Commits."""
    user = sign_in_links.read_token(token, sign_in_links.VERIFY_EMAIL)
    user.email_verified = True
    db.session.commit()
    log.info("user %s verified their email", user.id)
    return user
