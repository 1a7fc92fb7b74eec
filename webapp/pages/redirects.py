"""Redirects that work for plain forms (303) and htmx requests (HX-Redirect, a whole-page navigation)."""

from flask import Response, redirect, request, url_for
from werkzeug.urls import iri_to_uri


def go(url: str) -> Response:
    """Send the browser to `url` after a successful POST, whether the form was posted by htmx or not."""
    url = iri_to_uri(url)  # a header holds Latin-1 only: a `next` in any script is sent percent-encoded
    if request.headers.get("HX-Request") == "true":
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def safe_next(target: str | None, default_endpoint: str = "pages.home") -> str:
    """Only same-site paths: an open redirect would let a phishing link bounce through our sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default_endpoint)
