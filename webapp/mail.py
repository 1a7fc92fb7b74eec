"""Outgoing mail: SMTP when MAIL_URL is set (smtp://, smtp+starttls://, smtps://), otherwise the log."""

import contextlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import after_this_request, current_app, has_request_context, render_template

log = logging.getLogger("tavern.mail")
TIMEOUT = 10


class MailError(RuntimeError):
    """The mail server refused the message or could not be reached."""


def send(to: str, subject: str, text: str) -> None:
    """Send a plain-text mail; raises MailError when MAIL_URL is set and delivery fails."""
    url = current_app.config.get("MAIL_URL")
    if not url:
        if current_app.config.get("APP_ENV") == "production":
            # Its links (a password reset) are as good as a password: they never reach a log.
            log.warning("mail to %s not sent, MAIL_URL is not set: %s", to, subject)
            return
        # Development without a mail server: the message is only readable here, links included.
        log.info("mail to %s: %s\n%s", to, subject, text)
        return
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM", "Tavern <no-reply@tavern.localhost>")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        _deliver(url, message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail to %s could not be sent: %s", to, type(error).__name__)
        raise MailError("The mail could not be sent.") from error
    log.info("mail sent to %s: %s", to, subject)


def send_template(to: str, subject: str, template: str, **context) -> None:
    """Render templates/mail/<template> as the body and send it."""
    send(to, subject, render_template(f"mail/{template}", **context))


def send_template_after_answer(to: str, subject: str, template: str, **context) -> None:
    """Render the mail now and deliver it once the request's answer has gone out (at once outside a request).

    For an answer that must not tell whether a mail was sent: a mail server takes tens to hundreds of
    milliseconds, and an answer that waited for it would say that the address has an account. A failure is
    logged by `send` and goes no further.
    """
    text = render_template(f"mail/{template}", **context)
    if not has_request_context():
        with contextlib.suppress(MailError):
            send(to, subject, text)
        return
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context(), contextlib.suppress(MailError):
            send(to, subject, text)

    @after_this_request
    def _once_answered(response):
        response.call_on_close(deliver)
        return response


def _deliver(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=TIMEOUT, context=ssl.create_default_context())
    elif parts.scheme in {"smtp", "smtp+starttls"}:
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=TIMEOUT)
    else:
        raise smtplib.SMTPException(f"unsupported MAIL_URL scheme {parts.scheme!r}")
    with smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
