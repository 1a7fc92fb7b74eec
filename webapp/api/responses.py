"""JSON responses written by their declared models, with ETags, conditional requests and the right Cache-Control."""

import hashlib
import re
from datetime import date, datetime
from enum import Enum
from uuid import UUID

import orjson
from flask import Response, request

from webapp.api.spec import current_operation
from webapp.api.wire import encode
from webapp.services.errors import ServiceError

# An entity tag (RFC 9110 §8.8.3), weak or strong, in a comma-separated list.
ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


class PreconditionFailed(ServiceError):
    status = 412
    code = "precondition_failed"


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


def _body(data, status: int) -> bytes:
    """The answer written by the model the current operation declares for `status` (plain JSON elsewhere)."""
    operation = current_operation()
    if operation is None:
        return dumps(data)
    answer = operation.answers.get(status)
    if answer is None or isinstance(answer, dict):
        raise LookupError(f"{operation.operation_id} declares no JSON answer with status {status}")
    return encode(answer, data)


def json_response(data, status: int = 200, public: bool = False, headers: dict | None = None) -> Response:
    """Serialise through the operation's response model. Every answer with a body carries the ETag of what it holds
    (a create's, a change's too, so the next If-Match needs no read first); a GET answers 304 to a matching
    If-None-Match.

    `public` marks an answer that does not depend on who asks (anonymous, PUBLIC content only).
    """
    body = _body(data, status)
    tag = etag_of(body)
    response = Response(body, status=status, mimetype="application/json")
    response.headers["ETag"] = tag
    if request.method in {"GET", "HEAD"} and status == 200:
        response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-cache"
        if _none_match(request.headers.get("If-None-Match", ""), tag):
            response = Response(status=304, headers={"ETag": tag, "Cache-Control": response.headers["Cache-Control"]})
    else:
        response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Cookie"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def no_content() -> Response:
    return Response(status=204, headers={"Cache-Control": "no-store"})


def entity_tags(header: str) -> list[tuple[bool, str]]:
    """(weak, tag) for each entity tag of an If-Match / If-None-Match list; what is not an entity tag is left out."""
    return [(bool(match[1]), match[2]) for match in ENTITY_TAG.finditer(header)]


def _none_match(header: str, tag: str) -> bool:
    """If-None-Match uses the weak comparison: W/"x" and "x" are the same version."""
    if header.strip() == "*":
        return True
    return any(candidate == tag for _, candidate in entity_tags(header))


def require_fresh(current_representation, answer) -> None:
    """Honour If-Match on a change: 412 unless the client names the current version of the resource, as `answer`
    (its response model) writes it.

    If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag never matches.
    """
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    tag = etag_of(encode(answer, current_representation))
    if not any(not weak and candidate == tag for weak, candidate in entity_tags(header)):
        raise PreconditionFailed("This was changed since you last read it. Fetch it again and retry.")
