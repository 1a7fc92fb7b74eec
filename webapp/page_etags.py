"""Pages answer 304 when the browser's copy is still what it would get: an ETag over the page as this session sees
it, with the session's CSRF token set aside (a fresh token is signed for every page, and the one the browser
kept stays valid for its session)."""

import hashlib

from flask import Flask, Response, g, request, session

CSRF_FIELD = "csrf_token"  # Flask-WTF's name: the signed token on `g`, the session's secret in the session


def init_app(app: Flask) -> None:
    app.after_request(_conditional)


def tagged(response: Response) -> bool:
    """Whether this answer to a GET gets a page's ETag: an HTML page, whole, with no ETag of the view's own (the
    roster's version) and one a browser may keep."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
        and "ETag" not in response.headers
        and "no-store" not in response.headers.get("Cache-Control", "")
    )


def _conditional(response: Response) -> Response:
    if not tagged(response):
        return response
    body = response.get_data()
    token = g.get(CSRF_FIELD)
    if token:
        body = body.replace(token.encode(), b"")
    return conditional(response, body_digest(body))


def body_digest(body: bytes) -> bytes:
    """The digest of a page's body with its CSRF token taken out; a kept page keeps it beside the body."""
    return hashlib.sha256(body).digest()


def conditional(response: Response, digest: bytes) -> Response:
    """The page's ETag (its body's digest and the session's CSRF secret), and 304 when the browser has it."""
    tag = hashlib.sha256(digest + str(session.get(CSRF_FIELD, "")).encode())
    response.set_etag(tag.hexdigest()[:32])
    return response.make_conditional(request)
