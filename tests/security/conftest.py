"""Security tests may read mail from the loopback SMTP server."""

from tests.mailbox import mailbox, smtp_server  # noqa: F401 - fixtures
