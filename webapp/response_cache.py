"""Whole GET responses kept per viewer until a generation they read moves: sheets, inventories, API reads.

A view hands `respond()` what identifies the answer (the viewer among it), the generations it depends on and how
to build it. The generations are read before building, so a write that lands meanwhile bumps one of them and
the copy is never served. Whatever the build finds it read on the way (the owner, the campaign) it names with
`depends_on()`. Each worker keeps its own copies; a hit costs one round trip to Redis, for the generations.

A kept page holds the CSRF token of the browser it was built for; another browser gets its own in its place.
Flashes, conditional requests and anything but a 200 are never kept or answered from a copy. An answer said to be
`kept_on_repeat` (a page deep in a list) is kept only the second time it is built: a script walking a whole
list once would otherwise push out every copy worth keeping.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from webapp import invalidation
from webapp.auth.remembered import viewer_hint
from webapp.caching import WorkerCopies, generations, key_of
from webapp.observability import CACHE_REQUESTS

MAX_ENTRIES = 512
ASKED_ONCE = 4096  # keys of answers built once and not kept, to know a repeat when it comes
MAX_BYTES = 16 * 1024 * 1024  # per worker: an inventory page is about 100 kB, a sheet 30 kB
CSRF_FIELD = "csrf_token"  # Flask-WTF's name, for the session's secret and the request's signed token
_KEPT_HEADERS = {"content-type", "cache-control", "vary", "etag", "hx-trigger"}


@dataclass(frozen=True)
class Copy:
    generations: dict[str, str]
    status: int
    headers: tuple[tuple[str, str], ...]
    parts: tuple[bytes, ...]  # the body, split where the CSRF token was
    csrf: tuple[str | None, bytes] | None = None  # the session's CSRF secret, and the token signed from it

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)


_copies = WorkerCopies(MAX_ENTRIES, budget=MAX_BYTES, weigh=lambda copy: copy.size)
_asked_once = WorkerCopies(ASKED_ONCE)


def respond(
    name: str,
    parts: Iterable,
    depends: Iterable[str],
    build: Callable[[], Response],
    max_age: int | None = None,
    kept_on_repeat: bool = False,
) -> Response:
    """The kept copy of this answer when none of its generations moved, else build it (and keep it if it may be).

    A copy is kept at most `max_age` seconds (the cache's default timeout unless said); with `kept_on_repeat`,
    only once the same answer was asked for before.
    """
    if not _may_use_copies():
        return build()
    key = key_of(name, *parts, request.full_path, *(request.headers.get(h, "") for h in _VARIES))
    held = _copies.get(key, max_age=max_age or current_app.config.get("CACHE_DEFAULT_TIMEOUT") or 300)
    depends = list(depends)
    current = generations([*depends, *(held.generations if held else ())])
    if current is None:  # Redis cannot say what changed: build every time
        return build()
    if held is not None and all(current.get(gen) == value for gen, value in held.generations.items()):
        CACHE_REQUESTS.labels(name, "hit").inc()
        return _replay(held)
    CACHE_REQUESTS.labels(name, "miss").inc()
    g.response_depends = {gen: current[gen] for gen in depends}
    try:
        response = build()
        found = g.response_depends
    finally:
        g.pop("response_depends", None)
    if _keepable(response) and _admitted(key, kept_on_repeat):
        _keep(key, found, response)
    return response


def for_character(
    name: str, character_id, viewer_id, build: Callable[[], Response], *parts, shows_viewer: bool = True
) -> Response:
    """`respond()` for a view of one character as the viewer (a user's id, or None when signed out) sees it.

    What the viewer may see follows their credentials (role, ban); a page also shows their name and picture.
    """
    depends = [*invalidation.character_view(character_id), invalidation.CREDENTIALS]
    if viewer_id is not None and shows_viewer:
        depends.append(invalidation.user(viewer_id))
    return respond(name, (character_id, viewer_id or "anonymous", *parts), depends, build)


def for_viewer(
    name: str,
    viewer_id,
    depends: Iterable[str],
    build: Callable[[], Response],
    parts: tuple = (),
    shows_viewer: bool = True,
    **options,
) -> Response:
    """`respond()` for a page any viewer may open: kept per viewer, whose credentials (and, on a page that shows
    them, name and picture) it also reads."""
    names = list(depends)
    if viewer_id is not None:
        names.append(invalidation.CREDENTIALS)
        if shows_viewer:
            names.append(invalidation.user(viewer_id))
    return respond(name, (viewer_id or "anonymous", *parts), names, build, **options)


def read_ahead(character_id) -> None:
    """Read, in one round trip, every generation a repeat view of this character will check."""
    read_ahead_names(invalidation.character_view(character_id))


def read_ahead_names(names: Iterable[str]) -> None:
    """Read these generations, with the caller's credentials and (for a remembered session or token) the viewer's
    own, in one round trip: what a repeat will check."""
    names = [*names, invalidation.CREDENTIALS]
    viewer_id = viewer_hint()
    if viewer_id is not None:
        names.append(invalidation.user(viewer_id))
    generations(names)


def depends_on(*names: str) -> None:
    """The answer being built read these too (read their generations now, before anything else changes)."""
    found = g.get("response_depends")
    if found is None:
        return
    missing = [name for name in names if name not in found]
    if not missing:
        return
    current = generations(missing)
    if current is None:
        g.response_depends = None  # cannot tell when this would go stale: do not keep it
        return
    found.update(current)


def clear() -> None:
    _copies.clear()
    _asked_once.clear()


_VARIES = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")


def _may_use_copies() -> bool:
    return (
        request.method == "GET"
        and current_app.config.get("WORKER_COPIES")
        and "_flashes" not in session
        and "If-None-Match" not in request.headers
        and "If-Modified-Since" not in request.headers
    )


def _keepable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
        and "_flashes" not in session
    )


def _admitted(key: str, kept_on_repeat: bool) -> bool:
    if not kept_on_repeat or _asked_once.get(key) is not None:
        _asked_once.pop(key)
        return True
    _asked_once.put(key, True)
    return False


def _keep(key: str, found: dict | None, response: Response) -> None:
    if found is None:
        return
    body = response.get_data()
    token = g.get(CSRF_FIELD)
    parts, csrf = (body,), None
    if token:
        parts, csrf = tuple(body.split(token.encode())), (session.get(CSRF_FIELD), token.encode())
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS)
    _copies.put(key, Copy(dict(found), response.status_code, headers, parts, csrf))


def _replay(held: Copy) -> Response:
    body = held.parts[0] if len(held.parts) == 1 else _csrf_token_for(held).join(held.parts)
    return Response(body, status=held.status, headers=list(held.headers))


def _csrf_token_for(held: Copy) -> bytes:
    """The token this browser's session signs: the one the copy holds when it was built for the same session
    (tokens are bound to the session's secret and never expire), else a new one."""
    secret, token = held.csrf
    if secret is not None and session.get(CSRF_FIELD) == secret and current_app.config["WTF_CSRF_TIME_LIMIT"] is None:
        return token
    return generate_csrf().encode()
