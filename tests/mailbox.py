"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and fixtures to read the mail.

Use it from a conftest with `from tests.mailbox import mailbox, smtp_server  # noqa: F401`: `mailbox` points
the app's MAIL_URL at the server for one test and hands out the messages:

    message = mailbox.wait_for(to="ada@example.com", subject="Confirm")
    link = mailbox.link(message, "/verify-email/")
"""

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.servers import free_port

LINK = re.compile(r"https?://[^\s<>\"']+")


class Mailbox:
    """Messages received by the test SMTP server, oldest first."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._changed = threading.Condition()
        self.url = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._changed:
            self.messages.clear()

    def sent_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, to: str | None = None, subject: str | None = None, timeout: float = 10.0) -> EmailMessage:
        """The newest message matching `to` and a `subject` fragment, waiting up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in reversed(self.messages):
                    if to and to.lower() not in str(message["To"]).lower():
                        continue
                    if subject and subject.lower() not in str(message["Subject"]).lower():
                        continue
                    return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no mail to {to!r} about {subject!r}; got {self.summary()}")
                self._changed.wait(remaining)

    def summary(self) -> list[tuple[str, str]]:
        return [(str(m["To"]), str(m["Subject"])) for m in self.messages]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def link(self, message: EmailMessage, contains: str = "") -> str:
        """The first URL in the body that contains `contains`."""
        for url in LINK.findall(self.body(message)):
            if contains in url:
                return url
        raise AssertionError(f"no link containing {contains!r} in: {self.body(message)}")


@pytest.fixture(scope="session")
def smtp_server():
    """One SMTP server for the whole run, on a free loopback port."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.url = f"smtp://127.0.0.1:{controller.port}"
    yield box
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """An empty mailbox, with the app sending its mail to it (through real SMTP) for this test."""
    smtp_server.clear()
    previous = app.config.get("MAIL_URL")
    app.config["MAIL_URL"] = smtp_server.url
    yield smtp_server
    app.config["MAIL_URL"] = previous
