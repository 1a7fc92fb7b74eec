"""Personal API tokens: a person creates, lists and revokes their own, and a script signs in with one."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, NamedTuple

import sqlalchemy as sa
from pydantic import Field

from webapp.extensions import db
from webapp.models import ApiToken, Character, TokenScope, User
from webapp.models.base import as_utc
from webapp.services import access, credentials, sign_in_checks
from webapp.services.commits import commit_keeping_objects
from webapp.services.errors import InvalidInput, NotFound, Violation
from webapp.services.ids import parse_id
from webapp.services.inputs import Input, future, name, reworded
from webapp.services.sign_in import InvalidCredentials
from webapp.services.tokens import digest

log = logging.getLogger("tavern.audit")
LAST_USED_EVERY = timedelta(minutes=1)
MAX_NAME = 100


class Holder(NamedTuple):
    """Who signs in with a personal token, what it allows ("read" or "write"), and the campaign it is bound to; with
    the character whose row came with the check, when one was asked for (holder_of)."""

    user: User
    scope: str
    campaign_id: object = None
    character: Character | None = None


# Built once: building it for every request cost about as much as running it. Plain values, not objects: the
# check reads a few of the token's columns, and the user is built from its own (sign_in_checks.user_from).
_TOKEN_AND_USER = (
    sa.select(
        ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at, ApiToken.scope,
        ApiToken.campaign_id, *sign_in_checks.USER_COLUMNS,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash", type_=ApiToken.token_hash.type))
)  # fmt: skip
# The same with the row of the character an API read asks for (None when there is none): one round trip for both.
_CHARACTER_KEYS = tuple(attribute.key for attribute in sa.inspect(Character).column_attrs)
_TOKEN_USER_AND_CHARACTER = _TOKEN_AND_USER.add_columns(
    *(attribute.columns[0] for attribute in sa.inspect(Character).column_attrs)
).outerjoin(Character, Character.id == sa.bindparam("character_id", type_=Character.id.type))
_CHARACTER_FROM = len(_TOKEN_AND_USER.selected_columns)
_CHARACTER_ID = _CHARACTER_FROM + _CHARACTER_KEYS.index("id")  # NULL: no such character


def check_key(secret: str) -> str:
    """Where a passed check of this token is kept (sign_in_checks)."""
    return sign_in_checks.key_for("token", digest(secret))


def holder_of(secret: str, character_id=None) -> Holder:
    """The holder of a personal token. Raises InvalidCredentials when the token is unknown, revoked or expired, or
    its user may no longer sign in.

    A passed check is kept in the shared cache until anything that could end a sign-in changes
    (services/sign_in_checks.py); the database notes when the token was last used at most once a minute. Commits
    that note.

    With `character_id` (a read of that character), a check made against the database reads the character's row in
    the same round trip, and the holder carries it joined to the request's session as if loaded: whether the holder
    may see it is the caller's to check. None when there is no such character, or the check was kept.
    """
    token_hash = digest(secret)
    kept, current = sign_in_checks.recall("token", token_hash)
    if kept is not None:
        user, (scope, campaign_id), _expires_at = kept
        return Holder(user, scope, campaign_id)
    now = datetime.now(UTC)
    if character_id is None:
        found = db.session.connection().execute(_TOKEN_AND_USER, {"token_hash": token_hash}).first()
    else:
        parameters = {"token_hash": token_hash, "character_id": character_id}
        found = db.session.connection().execute(_TOKEN_USER_AND_CHARACTER, parameters).first()
    if found is None:
        raise InvalidCredentials("This API token is not valid.")
    token_id, revoked_at, expires_at, last_used_at, scope, campaign_id = found[:6]
    if revoked_at is not None:
        raise InvalidCredentials("This API token is not valid.")
    expires_at = as_utc(expires_at) if expires_at is not None else None
    if expires_at is not None and expires_at <= now:
        raise InvalidCredentials("This API token has expired.")
    columns = sign_in_checks.user_columns(found, 6)
    user, scope = sign_in_checks.user_from(columns), scope.value
    if not access.may_sign_in(user):
        raise InvalidCredentials("This account cannot use the API.")
    seconds = int(LAST_USED_EVERY.total_seconds())
    sign_in_checks.keep("token", token_hash, current, columns, expires_at, (scope, campaign_id), seconds=seconds)
    character = None
    if character_id is not None and found[_CHARACTER_ID] is not None:
        character = sign_in_checks.attached(Character, dict(zip(_CHARACTER_KEYS, found[_CHARACTER_FROM:], strict=True)))
    if last_used_at is None or now - as_utc(last_used_at) > LAST_USED_EVERY:
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        commit_keeping_objects()  # the user (and character) were just read; the request goes on with them
    return Holder(user, scope, campaign_id, character)


class TokenCreate(Input):
    """A personal token to make: what it is for, what it may do, and when it stops working (never: no expiry)."""

    name: name(MAX_NAME, f"Use 1 to {MAX_NAME} characters.", f"Use 1 to {MAX_NAME} characters.")
    scope: Annotated[Literal["read", "write"], reworded("Choose read or write.")] = "read"
    expires_at: future("Choose a moment in the future.") | None = Field(
        None, description="ISO 8601 with a zone, in the future; omit for no expiry."
    )


def create_personal_token(user: User, body: TokenCreate) -> tuple[ApiToken, str]:
    """A personal token and its secret, which is shown once and never stored. Raises InvalidInput (name: the user
    has too many tokens). Commits."""
    # The user's row is locked until the commit, so parallel requests count the tokens one after the other.
    user = access.load_plain(User, user.id, for_update=True)
    if credentials.count_personal_tokens(user) >= credentials.MAX_PERSONAL_TOKENS:
        raise InvalidInput([Violation("name", "You have too many tokens; revoke some you no longer use.")])
    row, secret = credentials.add_personal_token(user, body.name, TokenScope(body.scope), body.expires_at)
    db.session.commit()
    log.info("user %s created personal token %s (%s)", user.id, row.id, body.scope)
    return row, secret


def personal_tokens(user: User) -> list[ApiToken]:
    return credentials.personal_tokens(user)


def revoke_personal_token(user: User, token_id) -> None:
    """Revoke one of the user's own tokens; another's (or an unknown one) is a NotFound. Commits."""
    row = db.session.get(ApiToken, parse_id(token_id, "token"), with_for_update=True, populate_existing=True)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such token.")
    row.revoked_at = datetime.now(UTC)
    db.session.commit()
    log.info("user %s revoked personal token %s", user.id, row.id)
