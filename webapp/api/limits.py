"""API-wide rate limits, shared by every instance: 150/min per IP for anonymous callers, 500/min per user."""

from flask import request

from webapp.api import bp
from webapp.api.caller import Unauthenticated, current_caller
from webapp.extensions import limiter
from webapp.net import client_address

ANONYMOUS_LIMIT = "150/minute"
USER_LIMIT = "500/minute"


def _user_id() -> str | None:
    try:
        caller = current_caller()
    except Unauthenticated:
        return None  # a bad token counts against its IP address; the endpoint answers 401
    return str(caller.user_id) if caller.signed_in else None


def api_limit() -> str:
    return USER_LIMIT if _user_id() else ANONYMOUS_LIMIT


def api_key() -> str:
    user_id = _user_id()
    return f"user:{user_id}" if user_id else f"ip:{client_address()}"


def json_account_key() -> str:
    """The account a JSON sign-in names, so guessing one account's password from many addresses is limited."""
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else None
    return "account:" + (email.strip().lower() if isinstance(email, str) else "")


limiter.shared_limit(api_limit, scope="api", key_func=api_key)(bp)
