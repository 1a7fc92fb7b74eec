"""Registration: creating a person's account and confirming their address."""

import contextlib
import logging
import uuid
from dataclasses import dataclass

import uuid6
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.extensions import db
from webapp.models import Role, User
from webapp.net import external_url
from webapp.services import accounts, sign_in_links
from webapp.services.accounts import client, normalise_email
from webapp.services.errors import InvalidInput, ServiceError, Violation
from webapp.services.passwords import hash_password, password_problems

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


def register_user(email: str, password: str, display_name: str) -> Registration:
    """Create a USER and mail the verification link; when the address already has an account, change nothing
    and mail its owner instead. Raises InvalidInput for an unacceptable password or name. A mail failure does
    not undo the account (the link can be sent again). Commits."""
    email = normalise_email(email)
    display_name = display_name.strip()
    problems = [Violation("password", message) for message in password_problems(password, email, display_name)]
    if not display_name:
        problems.append(Violation("display_name", "Tell us what to call you."))
    if problems:
        raise InvalidInput(problems)
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
