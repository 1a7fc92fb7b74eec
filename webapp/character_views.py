"""Answers about one character (its sheet, its inventory, its API reads), kept in Redis for each viewer until
something they were built from changes.

What such an answer depends on is decided here, once for every view of a character: the character's own rows
and memberships, campaigns and pictures (their generations), the viewer's credentials and profile, and the
reference entries its loader noted (checked against the worker's snapshot, so another player's new homebrew
leaves it alone). Generations are read before the answer is built: a write that lands meanwhile moves one, and
the answer built from older data is never read. A kept answer and the current generations come back in one
round trip to Redis. When Redis cannot say what changed, every answer is built.
A kept page holds a marker where the viewer's CSRF token goes; each answer gets the token of its own session.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp import caching, invalidation, page_etags, reference
from webapp.observability import CACHE_REQUESTS

CSRF_FIELD = "csrf_token"  # Flask-WTF's name, on `g` for the request's signed token
CSRF_MARKER = "csrf-token-of-this-session"
_VARIES = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary", "ETag")


@dataclass(frozen=True)
class Kept:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    stamp: reference.Stamp
    generations: dict[str, str]  # what it was built from, as read before the build
    digest: bytes | None = None  # a page's body without its CSRF token, digested (page_etags.py)


# What each answer reads beyond the character's own row (with its memberships): what it carries and knows, its
# campaign (name, rules) and its pictures. The API's character is the row alone.
READS = {
    "sheet": ("pack", "campaigns", "images"),
    "inventory": ("pack", "campaigns", "images"),
    "api_character": (),
    "api_sheet": ("pack", "campaigns"),
}


def respond(name: str, character_id, build: Callable[[], Response]) -> Response:
    """The kept answer when nothing it was built from changed, else `build()` (kept when it may be)."""
    if not _may_keep():
        return build()
    viewer = current_user.id if current_user.is_authenticated else None
    more = {"pack": invalidation.pack(character_id), "campaigns": invalidation.CAMPAIGNS, "images": invalidation.IMAGES}
    names = [invalidation.character(character_id), *(more[read] for read in READS[name])]
    names += reference.GENERATIONS  # read in the same round trip: the snapshot checks them next
    if viewer is not None:
        names += [invalidation.CREDENTIALS, invalidation.user(viewer)]
    asked = (request.full_path, *(request.headers.get(header, "") for header in _VARIES))
    key = "view:" + caching.key_of(name, character_id, viewer or "anonymous", *asked)
    found = caching.recall(key, names)
    if found is None:
        return build()
    kept, generations = found
    mine = {held: generations[held] for held in names if held not in reference.GENERATIONS}
    if isinstance(kept, Kept) and kept.generations == mine and reference.current().still(kept.stamp):
        CACHE_REQUESTS.labels(name, "hit").inc()
        return _replay(kept)
    CACHE_REQUESTS.labels(name, "miss").inc()
    g.pop(CSRF_FIELD, None)
    setattr(g, CSRF_FIELD, CSRF_MARKER)  # csrf_token() in templates writes the marker
    try:
        response = build()
    finally:
        g.pop(CSRF_FIELD, None)
    if response.status_code != 200 or response.direct_passthrough or "_flashes" in session:
        return _with_token(response)
    body = response.get_data()
    headers = tuple((k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS)
    digest = page_etags.body_digest(body.replace(CSRF_MARKER.encode(), b"")) if _is_page(response) else None
    caching.write(key, Kept(body, headers, reference.read_this_request(), mine, digest))
    response = _with_token(response)
    return page_etags.conditional(response, digest) if digest is not None else response


def _may_keep() -> bool:
    headers = request.headers
    # A page's If-None-Match is answered from the kept page (page_etags.py); the API's own conditional
    # answers are built afresh (responses.json_response).
    conditional = request.path.startswith("/api/") and "If-None-Match" in headers
    return request.method == "GET" and "_flashes" not in session and not conditional and caching.keeps_anything()


def _replay(kept: Kept) -> Response:
    body = kept.body
    if CSRF_MARKER.encode() in body:
        body = body.replace(CSRF_MARKER.encode(), generate_csrf().encode())
    response = Response(body, status=200, headers=list(kept.headers))
    return page_etags.conditional(response, kept.digest) if kept.digest is not None else response


def _is_page(response: Response) -> bool:
    """An HTML page that page_etags.py would tag: the kept copy carries the digest of its body."""
    return (
        response.mimetype == "text/html"
        and "ETag" not in response.headers
        and ("no-store" not in response.headers.get("Cache-Control", ""))
    )


def _with_token(response: Response) -> Response:
    if not response.direct_passthrough:
        body = response.get_data()
        if CSRF_MARKER.encode() in body:
            response.set_data(body.replace(CSRF_MARKER.encode(), generate_csrf().encode()))
    return response
