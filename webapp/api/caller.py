"""Who is calling the API: a Bearer token (JWT or personal token) or the browser session, with its scope."""

from dataclasses import dataclass

from flask import current_app, g, request
from flask_login import current_user

from webapp import character_views
from webapp.models import Character, TokenScope, User
from webapp.security import bearer_token
from webapp.services import personal_tokens, sign_in
from webapp.services.tokens import PERSONAL_PREFIX


class Unauthenticated(Exception):
    """A credential was presented and is not valid (401)."""


@dataclass(frozen=True)
class Caller:
    """Who calls: the user (None when anonymous), through which credential, with which scope."""

    scope: str  # "read" or "write"
    via: str  # "anonymous", "session", "jwt" or "token"
    campaign_id: object = None
    user: User | None = None
    character: Character | None = None  # the path's character, when its row came with the token's check (holder_of)

    @property
    def user_id(self):
        return None if self.user is None else self.user.id

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def can_write(self) -> bool:
        return self.signed_in and self.scope == TokenScope.WRITE.value


ANONYMOUS = Caller(scope="read", via="anonymous")


def current_caller() -> Caller:
    """Resolve once per request; raises Unauthenticated for a bad, expired or revoked token."""
    if "api_caller" not in g:
        g.api_caller = _resolve()
        if g.api_caller.user is not None:
            g._login_user = g.api_caller.user  # Flask-Login's current_user is the caller, whatever rode in
    return g.api_caller


def _read_ahead(token: str):
    """For an operation that serves a kept answer (its `kept`), read that answer from Redis together with the
    token's kept check, before the check: one round trip for both, whichever asks first (the rate limit's key
    resolves the caller before the view).

    Returns the id of the character whose row the token's check reads from the database with the token's (a read of
    the character itself), else None."""
    operation = current_app.extensions["api"].by_endpoint.get(request.endpoint)
    if operation is None or operation.kept is None or request.method != "GET":
        return None
    character_id = (request.view_args or {}).get("character_id")
    check_key = personal_tokens.check_key(token) if token.startswith(PERSONAL_PREFIX) else None
    character_views.prefetch(operation.kept, character_id, check_key)
    return character_id if operation.kept == "api_character" else None


def _resolve() -> Caller:
    token = bearer_token()
    if token is None:
        if current_user.is_authenticated:
            return Caller(user=current_user._get_current_object(), scope="write", via="session")
        return ANONYMOUS
    character_id = _read_ahead(token)
    try:
        if token.startswith(PERSONAL_PREFIX):
            holder = personal_tokens.holder_of(token, character_id)
            return Caller(
                user=holder.user,
                scope=holder.scope,
                via="token",
                campaign_id=holder.campaign_id,
                character=holder.character,
            )
        return Caller(user=sign_in.user_of_access_token(token), scope="write", via="jwt")
    except sign_in.InvalidCredentials as error:
        raise Unauthenticated(error.message) from None
