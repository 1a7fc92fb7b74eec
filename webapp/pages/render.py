"""The one helper that decides between a whole page and an htmx fragment of the same template."""

import json
from collections.abc import Mapping

from flask import Response, make_response, render_template, request, session
from jinja2_fragments.flask import render_block

from webapp import character_views


def is_fragment_request() -> bool:
    """An htmx request that is neither boosted nor a history restore wants just the named block."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render `block` of `template` for htmx, or the whole page otherwise; always `Vary: HX-Request`."""
    if block and is_fragment_request():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def render_blocks(template: str, blocks: list[str], status: int = 200, **context) -> Response:
    """Several blocks of `template` in one htmx answer: the first swaps into the target, the others (rendered with
    `oob` set) carry hx-swap-oob and replace their own elements elsewhere on the page."""
    first, *others = blocks
    body = render_block(template, first, **context)
    body += "".join(render_block(template, block, oob=True, **context) for block in others)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def toast(response: Response, message: str, level: str = "success", events: Mapping | None = None) -> Response:
    """Announce the outcome to htmx with a `toast` event, and any other `events` its widgets listen for."""
    response.headers["HX-Trigger"] = json.dumps({"toast": {"message": message, "level": level}, **(events or {})})
    return response


def public_for_visitors(response: Response, seconds: int = 60) -> Response:
    """A visitor's view of PUBLIC content (signed out, no cookie of theirs in it) may be kept by any cache, Nginx's
    included, for a short while; everyone else's stays private."""
    if response.status_code == 200 and character_views.no_sign_in() and not session.modified:
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
    return response


def render_error(status: int, title: str, message: str, errors: list[dict] | None = None) -> Response:
    """An error as a whole page, or as a toast fragment when htmx asked."""
    context = {"status": status, "title": title, "message": message, "errors": errors or []}
    if is_fragment_request():
        response = make_response(render_template("errors/_toast.html", **context), status)
        # htmx swaps error toasts into the toast region, whatever the original target was.
        response.headers["HX-Retarget"] = "#toasts"
        response.headers["HX-Reswap"] = "beforeend"
    else:
        response = make_response(render_template("errors/error.html", **context), status)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response
