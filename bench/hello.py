"""The app the benchmark serves: Tavern's own create_app() plus a bare /bench/hello route, the ceiling."""

from flask import Blueprint, Flask

import webapp

bp = Blueprint("bench_hello", __name__)


@bp.get("/bench/hello")
def bench_hello():
    return "hello", 200, {"Content-Type": "text/plain; charset=utf-8"}


def create_app() -> Flask:
    """Production's app, unchanged, with one more route; Gunicorn loads it as `bench.hello:create_app()`.

    The route lives here rather than in webapp/ so that it cannot exist anywhere but in a benchmark run.
    """
    app = webapp.create_app()
    app.register_blueprint(bp)
    return app
