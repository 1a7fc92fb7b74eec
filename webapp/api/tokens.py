"""Personal API tokens: create (the secret is shown once), list without secrets, revoke."""

import uuid
from typing import Literal

from pydantic import Field

from webapp.api.responses import json_response, no_content
from webapp.api.spec import endpoint
from webapp.api.wire import Moment, Out, page_json, page_of
from webapp.services import access, personal_tokens
from webapp.services.credentials import MAX_PERSONAL_TOKENS, is_expired
from webapp.services.pagination import Pagination
from webapp.services.personal_tokens import TokenCreate

TAG = "tokens"
NO_STORE = {"Cache-Control": "no-store"}


class TokenCreatedOut(Out):
    id: uuid.UUID
    token: str = Field(description="The secret: shown once, never again.")


class TokenOut(Out):
    id: uuid.UUID
    name: str
    scope: Literal["read", "write"]
    prefix: str = Field(description="The first characters of the secret, to tell tokens apart.")
    created_at: Moment
    last_used_at: Moment | None
    expires_at: Moment | None
    expired: bool


def token_out(row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "scope": row.scope.value,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "expires_at": row.expires_at,
        "expired": is_expired(row.expires_at),
    }


@endpoint("POST", "/tokens", "Create a personal API token", TAG, body=TokenCreate, response=TokenCreatedOut, status=201,
          auth="write", links={"token_id": "$response.body#/id"})
def token_create(caller, body: TokenCreate):
    access.require_account_credential(caller.via)
    row, secret = personal_tokens.create_personal_token(caller.user, body)
    return json_response({"id": row.id, "token": secret}, status=201, headers=NO_STORE)


@endpoint("GET", "/tokens", "List your personal API tokens (without secrets)", TAG, response=page_of(TokenOut),
          auth="required", errors={403})
def token_list(caller):
    access.require_account_credential(caller.via)
    rows = personal_tokens.personal_tokens(caller.user)
    every = Pagination(MAX_PERSONAL_TOKENS, has_next=False, next_cursor=None)  # a person has at most so many
    return json_response(page_json([token_out(row) for row in rows], every), headers=NO_STORE)


@endpoint("DELETE", "/tokens/<uuid:token_id>", "Revoke a personal API token", TAG, status=204, auth="write")
def token_delete(caller, token_id):
    access.require_account_credential(caller.via)
    personal_tokens.revoke_personal_token(caller.user, token_id)
    return no_content()
