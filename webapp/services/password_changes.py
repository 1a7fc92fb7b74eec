"""Changing a password: forgotten (a reset link by mail) or known (the current one first); either ends the other
sign-ins."""

import contextlib
import logging

from pydantic import ConfigDict, Field

from webapp import mail
from webapp.extensions import db
from webapp.models import User
from webapp.net import external_url
from webapp.services import access, accounts, credentials, sign_in_links
from webapp.services.accounts import client, email_ref
from webapp.services.errors import InvalidInput, Violation
from webapp.services.inputs import Input
from webapp.services.passwords import MAX_LENGTH, NewPassword, hash_password, personal_problems, verify_password

log = logging.getLogger("tavern.audit")


class PasswordBody(Input):
    """The current password, then the one that replaces it, both kept as typed."""

    model_config = ConfigDict(str_strip_whitespace=False)

    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: NewPassword


class PasswordReset(Input):
    """The new password a reset link sets, kept as typed."""

    model_config = ConfigDict(str_strip_whitespace=False)

    password: NewPassword


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to an account that may sign in; say nothing either way."""
    user = accounts.find_user_by_email(email)
    if user is None or not access.may_sign_in(user):
        log.info("password reset asked for unknown or blocked account (email ref %s)", email_ref(email))
        return
    link = external_url("auth.reset_password", token=sign_in_links.make_token(user, sign_in_links.RESET_PASSWORD))
    # Neither the mail server's time nor a failure (logged in mail.send) may tell whether the account exists.
    subject = "Reset your Tavern password"
    mail.send_template_after_answer(user.email, subject, "reset_password.txt", user=user, link=link)
    log.info("password reset link for user %s is mailed once the answer is out", user.id)


def check_reset_link(token: str) -> User:
    """The user a reset link is for, without using it up. Raises InvalidLink."""
    return sign_in_links.read_token(token, sign_in_links.RESET_PASSWORD)


def reset_password(token: str, reset: PasswordReset) -> User:
    """Set a new password from a reset link: the link dies, every session and token ends, and the address
    counts as verified (the mail reached its owner). Raises InvalidLink, InvalidInput (field "password": the
    person's own name or address)."""
    user = sign_in_links.read_token(token, sign_in_links.RESET_PASSWORD, lock=True)
    _check_personal(user, reset.password, "password")
    user.password_hash = hash_password(reset.password)
    user.email_verified = True
    accounts.revoke_everything(user)
    db.session.commit()
    log.info("user %s reset their password from %s", user.id, client())
    return user


def change_password(user: User, change: PasswordBody, keep_session: str | None = None) -> User:
    """Change the password after checking the current one; every other session and token ends at once.

    Raises InvalidInput on "current_password" (wrong) or "new_password" (the person's own name or address, or the
    current password again). Commits.
    """
    user = _replace_password(user, change, keep_session)
    db.session.commit()
    _password_changed(user)
    return user


def change_password_for_tokens(
    user: User, change: PasswordBody, keep_session: str | None = None
) -> credentials.IssuedTokens:
    """The API's password change: as change_password, and a fresh access token and refresh-token family for the
    caller in the same commit (every older token just ended), so neither happens without the other."""
    user = _replace_password(user, change, keep_session)
    pair = credentials.token_pair(user)
    db.session.commit()
    _password_changed(user)
    return pair


def _replace_password(user: User, change: PasswordBody, keep_session: str | None) -> User:
    """Check the current and the new password, then set the new one and end the rest; no commit."""
    user = accounts.fresh(user, lock=True)  # parallel changes take turns: the second finds its password gone
    if not verify_password(user.password_hash, change.current_password):
        raise InvalidInput([Violation("current_password", "That is not your current password.")])
    _check_personal(user, change.new_password, "new_password")
    if verify_password(user.password_hash, change.new_password):
        raise InvalidInput([Violation("new_password", "Choose a password different from the current one.")])
    user.password_hash = hash_password(change.new_password)
    accounts.revoke_everything(user, keep_session=keep_session)
    return user


def _password_changed(user: User) -> None:
    log.info("user %s changed their password", user.id)
    _notify_password_changed(user)


def _check_personal(user: User, password: str, field: str) -> None:
    problems = personal_problems(password, user.email, user.display_name)
    if problems:
        raise InvalidInput([Violation(field, message) for message in problems])


def _notify_password_changed(user: User) -> None:
    with contextlib.suppress(mail.MailError):
        mail.send_template(user.email, "Your Tavern password was changed", "password_changed.txt", user=user)
