"""Sign-in for scripts: register, log in, refresh (rotating), log out, change password, verify email."""

import uuid
from typing import Literal

from pydantic import Field

from webapp.api.limits import api_key, json_account_key
from webapp.api.responses import json_response, no_content
from webapp.api.spec import endpoint
from webapp.api.wire import Out
from webapp.extensions import limiter
from webapp.list_queries import Query
from webapp.models import Role
from webapp.net import client_address
from webapp.services import access, password_changes, registration, sign_in
from webapp.services.credentials import IssuedTokens
from webapp.services.password_changes import PasswordBody
from webapp.services.registration import RegisterBody
from webapp.services.sign_in import LOGIN_LIMIT, REGISTER_LIMIT, LoginBody, RefreshBody

TAG = "auth"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class RegisteredOut(Out):
    id: uuid.UUID
    email: str
    role: Role


class TokenPairOut(Out):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires (900).")


class VerifyQuery(Query):
    token: str = Field(min_length=1, max_length=500)


class VerifiedOut(Out):
    id: uuid.UUID
    email: str
    email_verified: bool


def _tokens(issued: IssuedTokens, status: int = 200):
    """The OAuth-style token answer (RFC 6749 §5.1), never stored by a cache."""
    pair = {
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
    }
    return json_response(pair, status=status, headers=NO_STORE)


@endpoint("POST", "/auth/register", "Create an account", TAG, body=RegisterBody, response=RegisteredOut, status=201)
@limiter.shared_limit(REGISTER_LIMIT, scope="register-ip", key_func=client_address, override_defaults=False)
def auth_register(caller, body: RegisterBody):
    registered = registration.register_user(body)
    answer = {"id": registered.id, "email": registered.email, "role": registered.role}
    return json_response(answer, status=201, headers=NO_STORE)


@endpoint("POST", "/auth/login", "Log in for an access and a refresh token", TAG, body=LoginBody, response=TokenPairOut)
@limiter.shared_limit(LOGIN_LIMIT, scope="login-ip", key_func=client_address, override_defaults=False)
@limiter.shared_limit(LOGIN_LIMIT, scope="login-account", key_func=json_account_key, override_defaults=False)
def auth_login(caller, body: LoginBody):
    return _tokens(sign_in.issue_tokens(body))


@endpoint("POST", "/auth/refresh", "Trade a refresh token for a new pair", TAG, body=RefreshBody, response=TokenPairOut)
def auth_refresh(caller, body: RefreshBody):
    return _tokens(sign_in.refresh_tokens(body))


@endpoint("POST", "/auth/logout", "Revoke a refresh token and its family", TAG, body=RefreshBody, status=204)
def auth_logout(caller, body: RefreshBody):
    sign_in.sign_out_token(body)
    return no_content()


@endpoint("POST", "/auth/logout-all", "End every session and token of the account", TAG, status=204, auth="required",
          errors={403})
def auth_logout_all(caller):
    access.require_account_credential(caller.via)
    keep = caller.user.session_id if caller.via == "session" else None
    sign_in.sign_out_everywhere(caller.user, keep_session=keep)
    return no_content()


@endpoint(
    "PUT", "/auth/password", "Change the password (ends every other session and token)", TAG,
    body=PasswordBody, response=TokenPairOut, auth="write",
)
def auth_password(caller, body: PasswordBody):
    access.require_account_credential(caller.via)
    keep = caller.user.session_id if caller.via == "session" else None
    pair = password_changes.change_password_for_tokens(caller.user, body, keep)
    return _tokens(pair)


@endpoint("POST", "/auth/verify/send", "Mail a new email-verification link", TAG, status=204, auth="required")
@limiter.limit("3/minute", key_func=api_key, override_defaults=False)
def auth_verify_send(caller):
    registration.send_verification(caller.user)
    return no_content()


@endpoint("GET", "/auth/verify/confirm", "Confirm an email address", TAG, query=VerifyQuery, response=VerifiedOut)
def auth_verify_confirm(caller, query: VerifyQuery):
    user = registration.verify_email(query.token)
    return json_response({"id": user.id, "email": user.email, "email_verified": True}, headers=NO_STORE)
