"""JSON responses with ETags, conditional requests and the right Cache-Control."""

import hashlib
from datetime import date, datetime
from enum import Enum
from uuid import UUID

import orjson
from flask import Response, request

from webapp.services.errors import ServiceError


class PreconditionFailed(ServiceError):
    status = 412
    code = "precondition_failed"


class NotModified(Exception):
    pass


def _default(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (UUID, date, datetime)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data) -> bytes:
    # Stored times are UTC; SQLite hands them back without a zone, so say so explicitly.
    return orjson.dumps(data, default=_default, option=orjson.OPT_NAIVE_UTC)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def json_response(data, status: int = 200, public: bool = False, headers: dict | None = None) -> Response:
    """Serialise with orjson; GETs get an ETag and answer 304 to a matching If-None-Match.

    `public` marks an answer that does not depend on who asks (anonymous, PUBLIC content only).
    """
    body = dumps(data)
    response = Response(body, status=status, mimetype="application/json")
    if request.method in {"GET", "HEAD"} and status == 200:
        tag = etag_of(body)
        response.headers["ETag"] = tag
        response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-cache"
        if tag in _tags(request.headers.get("If-None-Match", "")):
            response = Response(status=304, headers={"ETag": tag, "Cache-Control": response.headers["Cache-Control"]})
    else:
        response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Cookie"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def no_content() -> Response:
    return Response(status=204, headers={"Cache-Control": "no-store"})


def _tags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def require_fresh(current_representation) -> None:
    """Honour If-Match on a change: 412 when the client's copy is older than the current one."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    if etag_of(dumps(current_representation)) not in _tags(header):
        raise PreconditionFailed("This was changed since you last read it. Fetch it again and retry.")
