"""Personal API tokens: a person creates, lists and revokes their own."""

import logging
import uuid
from datetime import UTC, datetime

from webapp.extensions import db
from webapp.models import ApiToken, TokenScope, User
from webapp.models.base import as_utc
from webapp.services import access, credentials
from webapp.services.errors import InvalidInput, NotFound, Violation

log = logging.getLogger("tavern.audit")


def create_personal_token(
    user: User, name: str, scope: str | TokenScope, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A personal token and its secret, which is shown once and never stored. Raises InvalidInput. Commits."""
    problems = []
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        problems.append(Violation("name", "Use 1 to 100 characters."))
    try:
        scope = TokenScope(str(scope).lower())
    except ValueError:
        problems.append(Violation("scope", "Choose read or write."))
    if expires_at is not None:
        expires_at = as_utc(expires_at)
        if expires_at <= datetime.now(UTC):
            problems.append(Violation("expires_at", "Choose a moment in the future."))
    # The user's row is locked until the commit, so parallel requests count the tokens one after the other.
    user = access.load_plain(User, user.id, for_update=True)
    if credentials.count_personal_tokens(user) >= credentials.MAX_PERSONAL_TOKENS:
        problems.append(Violation("name", "You have too many tokens; revoke some you no longer use."))
    if problems:
        raise InvalidInput(problems)
    row, secret = credentials.add_personal_token(user, name, scope, expires_at)
    db.session.commit()
    log.info("user %s created personal token %s (%s)", user.id, row.id, scope.value)
    return row, secret


def personal_tokens(user: User) -> list[ApiToken]:
    return credentials.personal_tokens(user)


def revoke_personal_token(user: User, token_id) -> None:
    """Revoke one of the user's own tokens; another's (or an unknown one) is a NotFound. Commits."""
    try:
        key = uuid.UUID(str(token_id))
    except ValueError:
        raise NotFound("No such token.") from None
    row = db.session.get(ApiToken, key, with_for_update=True, populate_existing=True)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such token.")
    row.revoked_at = datetime.now(UTC)
    db.session.commit()
    log.info("user %s revoked personal token %s", user.id, row.id)
