"""Answers about one character (its sheet, its inventory, its API reads), kept in Redis for each viewer until
something they were built from changes.

What such an answer depends on is decided here, once for every view of a character: the character's own rows
and memberships, campaigns and pictures (their generations), the viewer's credentials and profile, and the
reference entries its loader noted (checked against the worker's snapshot, so another player's new homebrew
leaves it alone). Generations are read before the answer is built: a write that lands meanwhile moves one, and
the answer built from older data is never read. A kept answer and the current generations come back in one
round trip to Redis. When Redis cannot say what changed, every answer is built.

A page is kept for the browser session its cookie names, so a kept page answers without loading its user: it was
built after that session passed its check, under the `credentials` generation that any revocation, ban or change
to the user moves, and it is never served past the session's end. (A session's last-seen time, noted when its
check is made against the database, may so lag by some minutes more.) A kept page holds a marker where the
viewer's CSRF token goes; each answer gets the token of its own session.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp import caching, invalidation, page_etags, reference
from webapp.observability import CACHE_REQUESTS
from webapp.security import bearer_token
from webapp.services import sessions
from webapp.services.sheets import kept_rows

ANONYMOUS, SESSION, TOKEN, USER = "anonymous", "session", "token", "user"
SESSION_KEY, REMEMBER_COOKIE = "_user_id", "remember_token"  # Flask-Login's names
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
    viewer: str | None = None  # the user it was built for, for the request's log line
    until: datetime | None = None  # when the session it was built for ends


# What each answer reads beyond the character's own row (with its memberships): what it carries and knows, its
# campaign (name, rules) and its pictures. The API's character is the row alone, whose picture id the database
# empties when the picture is deleted (no write to the character that would move its generation).
READS = {
    "sheet": ("pack", "campaigns", "images"),
    "inventory": ("pack", "campaigns", "images"),
    "api_character": ("images",),
    "api_sheet": ("pack", "campaigns"),
}


@dataclass(frozen=True)
class _Plan:
    """What an answer is kept under, and everything its request reads from Redis before it is built."""

    kind: str
    who: str
    key: str
    keys: list[str]  # the answer's key first, then the character's rows when it shares them, then the sign-in's
    names: list[str]  # the generations it is built from (the sign-in check reads some of them)
    shares_rows: bool


def _plan(name: str, character_id, sign_in_key: str | None) -> _Plan:
    kind, who = _asker()
    more = {"pack": invalidation.pack(character_id), "campaigns": invalidation.CAMPAIGNS, "images": invalidation.IMAGES}
    names = [invalidation.character(character_id), *(more[read] for read in READS[name])]
    names += reference.GENERATIONS  # read in the same round trip: the snapshot checks them next
    if kind != ANONYMOUS:
        names.append(invalidation.CREDENTIALS)  # also moved by any change to a user that is not noise
    if kind == USER:
        names.append(invalidation.user(who))
    asked = (request.full_path, *(request.headers.get(header, "") for header in _VARIES))
    key = "view:" + caching.key_of(name, character_id, kind, who, *asked)
    keys = [key]
    shares_rows = "pack" in READS[name]  # a write that moves the pack leaves them all stale: the first keeps the rows
    if shares_rows:
        names += kept_rows.names(character_id)
        keys.append(kept_rows.key(character_id))
    if kind == SESSION:
        sign_in_key = sessions.check_key(who)  # a page that is built checks its session next
    if sign_in_key is not None:
        keys.append(sign_in_key)
    return _Plan(kind, who, key, keys, names, shares_rows)


def prefetch(name: str, character_id, sign_in_key: str | None) -> None:
    """Read, before the caller's credential is checked, what `respond` and that check will ask Redis for: one round
    trip for both. `sign_in_key` is where a passed check of the credential is kept."""
    if _may_keep():
        plan = _plan(name, character_id, sign_in_key)
        caching.prefetch(plan.keys, plan.names)


def respond(name: str, character_id, build: Callable[[], Response]) -> Response:
    """The kept answer when nothing it was built from changed, else `build()` (kept when it may be)."""
    if not _may_keep():
        return build()
    plan = _plan(name, character_id, None)
    kind, who, key, names, shares_rows = plan.kind, plan.who, plan.key, plan.names, plan.shares_rows
    found = caching.recall_many(plan.keys, names)
    if found is None:
        return build()
    (kept, *rows), generations = found
    kept = kept.value
    mine = {held: generations[held] for held in names if held not in reference.GENERATIONS}
    if (
        isinstance(kept, Kept)
        and kept.generations == mine
        and (kept.until is None or kept.until > datetime.now(UTC))
        and reference.current().still(kept.stamp)
    ):
        CACHE_REQUESTS.labels(name, "hit").inc()
        g.kept_viewer = kept.viewer
        return _replay(kept)
    CACHE_REQUESTS.labels(name, "miss").inc()
    if shares_rows:
        kept_rows.asked(character_id, rows[0])
    g.pop(CSRF_FIELD, None)
    setattr(g, CSRF_FIELD, CSRF_MARKER)  # csrf_token() in templates writes the marker
    try:
        response = build()
    finally:
        g.pop(CSRF_FIELD, None)
    viewer = current_user if current_user.is_authenticated else None
    if (
        response.status_code != 200
        or response.direct_passthrough
        or "_flashes" in session
        or (kind == SESSION and (viewer is None or viewer.session_id != who))  # the session did not pass its check
    ):
        caching.write_many(kept_rows.to_write())
        return _with_token(response)
    body = response.get_data()
    headers = tuple((k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS)
    digest = page_etags.body_digest(body.replace(CSRF_MARKER.encode(), b"")) if page_etags.tagged(response) else None
    until = viewer.session_expires_at if kind == SESSION else None
    viewer_id = str(viewer.id) if viewer is not None else None
    kept = Kept(body, headers, reference.read_this_request(), mine, digest, viewer_id, until)
    caching.write_many({key: kept, **kept_rows.to_write()})
    response = _with_token(response)
    return page_etags.conditional(response, digest) if digest is not None else response


def no_sign_in() -> bool:
    """Whether a browser's request carries no sign-in at all (no session of Flask-Login's, no remember cookie), told
    without loading anyone."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    return SESSION_KEY not in session and remember not in request.cookies


def _asker() -> tuple[str, str]:
    """Whom the answer is for, without a query where it can be: a browser's page by the session its cookie names
    (checked when the answer was built, under the same `credentials` generation, and kept no longer than the
    session lasts), an API caller by the Bearer token it rides on (checked before the view: the API never reads
    cookies beside one; revoking it moves `credentials`) or else by their user, else anonymous."""
    if not request.path.startswith("/api/"):
        session_id = session.get(SESSION_KEY)
        if session_id:
            return SESSION, str(session_id)
        if no_sign_in():
            return ANONYMOUS, ""
    elif token := bearer_token():
        return TOKEN, token
    if current_user.is_authenticated:
        return USER, str(current_user.id)
    return ANONYMOUS, ""


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


def _with_token(response: Response) -> Response:
    if not response.direct_passthrough:
        body = response.get_data()
        if CSRF_MARKER.encode() in body:
            response.set_data(body.replace(CSRF_MARKER.encode(), generate_csrf().encode()))
    return response
