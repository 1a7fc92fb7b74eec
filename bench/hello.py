"""The app the benchmark serves: Tavern's own create_app() plus a bare /bench/hello route, the ceiling, and two
routes that check a sign-in and do nothing else, the floors the build timer sets the views beside."""

from flask import Blueprint, Flask
from flask_login import login_required

import webapp
from webapp.api.caller import Unauthenticated, current_caller

bp = Blueprint("bench_hello", __name__)


@bp.get("/bench/hello")
def bench_hello():
    return "hello", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/bench/signed-in")
@login_required
def bench_signed_in():
    """What every page of a signed-in player costs before its own work: the browser session checked."""
    return "<p>Signed in.</p>", 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/bench/token")
def bench_token():
    """What every API read costs before its own work: the personal token checked."""
    try:
        caller = current_caller()
    except Unauthenticated:
        caller = None
    if caller is None or not caller.signed_in:
        return {"detail": "Send a valid token."}, 401
    return {"user_id": str(caller.user.id)}


def create_app() -> Flask:
    """Production's app, unchanged, with one more route; Gunicorn loads it as `bench.hello:create_app()`.

    The route lives here rather than in webapp/ so that it cannot exist anywhere but in a benchmark run.
    """
    app = webapp.create_app()
    app.register_blueprint(bp)
    return app
