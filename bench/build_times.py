"""Page build times in-process: the app on the benchmark database with nothing cached, its four views timed.

Run as `python -m bench.build_times --character <id> --email <owner> --output <file.json>` in the benchmark's
environment; bench/run.py does so in each phase while no server runs.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import sqlalchemy as sa
from flask import has_app_context
from werkzeug.test import EnvironBuilder

from bench.client import CSRF_FIELD, CSRF_HEADER
from bench.players import PASSWORD
from bench.results import BuildTime

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://localhost"  # production cookies are Secure: the test client must speak HTTPS
ROUNDS = 5
BUDGETS_MS = {"sheet": 5.0, "inventory": 6.0, "api_character": 1.5, "api_sheet": 3.0}
LABELS = {
    "sheet": "Sheet page",
    "inventory": "Inventory page",
    "api_character": "API character",
    "api_sheet": "API sheet",
}
# Routes of bench/hello.py that do no work of their own, timed among the views when the app has them: what any
# request, any signed-in page and any API read costs before a view starts (no budget, for reading the others).
FLOORS = {
    "floor_bare": ("Floor: a bare route", "/bench/hello", None),
    "floor_session": ("Floor: session checked, no work", "/bench/signed-in", "cookie"),
    "floor_token": ("Floor: token checked, no work", "/bench/token", "token"),
}


def nothing_cached_config():
    """Production's configuration from the environment, with every cache off and no rate limits."""
    from webapp.config import load_config

    config = load_config("production")
    config.CACHE_TYPE = "NullCache"
    config.RATELIMIT_ENABLED = False
    return config


class SignedIn:
    """A player in the app's test client: signed in through the login form, with a personal API token."""

    def __init__(self, app, email: str, scope: str = "read") -> None:
        self.app = app
        self.client = app.test_client()
        self.script = app.test_client(use_cookies=False)
        form = self.get("/login").get_data(as_text=True)
        field = CSRF_FIELD.search(form)
        data = {"email": email, "password": PASSWORD}
        if field:
            data["csrf_token"] = field.group(1) or field.group(2)
        answer = self.client.post("/login", data=data, base_url=BASE_URL, headers={"Referer": f"{BASE_URL}/login"})
        if answer.status_code not in (302, 303):
            raise RuntimeError(f"Signing in {email} answered {answer.status_code}")
        answer = self.client.post(
            "/api/v1/tokens",
            json={"name": "bench", "scope": scope},
            base_url=BASE_URL,
            headers={"X-CSRFToken": self.csrf_token("/"), "Referer": f"{BASE_URL}/"},
        )
        if answer.status_code != 201:
            raise RuntimeError(f"Creating a token answered {answer.status_code}: {answer.get_data()[:300]!r}")
        self.api_token = answer.get_json()["token"]
        self.token = {"Authorization": f"Bearer {self.api_token}"}

    def get(self, path: str, headers: dict | None = None):
        """A page with the browser's cookies; with the token's header, as a script asks: no cookie at all."""
        client = self.script if headers and "Authorization" in headers else self.client
        return client.get(path, base_url=BASE_URL, headers=headers or {})

    def csrf_token(self, path: str) -> str:
        """The X-CSRFToken the page at `path` hands htmx."""
        match = CSRF_HEADER.search(self.get(path).get_data(as_text=True))
        if not match:
            raise RuntimeError(f"GET {path} carries no X-CSRFToken for htmx")
        return match.group(1)

    def cookie(self) -> str:
        """The browser's session cookie, as a Cookie header would carry it."""
        name = self.app.config["SESSION_COOKIE_NAME"]
        return f"{name}={self.client.get_cookie(name, domain='localhost').value}"


def time_views(
    app, character_id: str, email: str, builds: int = 200, warmup: int = 5, rounds: int = ROUNDS
) -> list[BuildTime]:
    """Median and p90 of `builds` GETs of each view, taken in turn after `warmup` each, and one build's queries.

    The builds are timed `rounds` times over, and each view reports its quietest round (the lowest median): on a
    shared virtual machine other work only ever adds time, in bursts of seconds, and a round caught in one says
    nothing about the code. Every round's median is kept beside it. Raises RuntimeError when a view answers
    anything but 200.
    """
    # Each request pushes its own app context, as under Gunicorn: with one held open around them, every request
    # would share one database session (its transaction, its connection and the objects it loaded) and skip the
    # pool checkout, BEGIN and ROLLBACK that a served request pays.
    if has_app_context():
        raise RuntimeError("Time the builds outside any app context: each request must push its own")
    with app.app_context():
        owner = SignedIn(app, email)
    path = f"/characters/{character_id}"
    views = {
        "sheet": (path, None),
        "inventory": (f"{path}/inventory", None),
        "api_character": (f"/api/v1{path}", owner.token),
        "api_sheet": (f"/api/v1{path}/sheet", owner.token),
    }
    if "bench_hello" in app.blueprints:
        views.update({key: (url, owner.token if sent == "token" else None) for key, (_, url, sent) in FLOORS.items()})

    for url, headers in views.values():
        for _ in range(warmup):
            owner.get(url, headers)
    cookie = owner.get(path).request.headers["Cookie"]  # what the browser sends once it has seen the pages

    def build(view: str) -> float:
        url, headers = views[view]
        environ = request_environ(url, headers or {"Cookie": cookie})
        status, elapsed = served_once(app, environ)
        if status != 200:
            raise RuntimeError(f"GET {url} answered {status}")
        return elapsed * 1000

    with app.app_context():
        from webapp.extensions import db

        engine = db.engine
    queries = {view: _count_queries(engine, lambda view=view: build(view)) for view in views}
    measured: dict[str, list[list[float]]] = {view: [] for view in views}
    for _ in range(rounds):
        timings: dict[str, list[float]] = {view: [] for view in views}
        for _ in range(builds):
            for view in views:
                timings[view].append(build(view))
        for view, times in timings.items():
            measured[view].append(times)
    results = []
    for view, runs in measured.items():
        quietest = min(runs, key=statistics.median)
        results.append(
            BuildTime(
                view=view,
                label=LABELS[view] if view in LABELS else FLOORS[view][0],
                path=views[view][0],
                median_ms=statistics.median(quietest),
                p90_ms=statistics.quantiles(quietest, n=10)[-1] if len(quietest) > 1 else quietest[0],
                builds=len(quietest),
                queries=queries[view],
                round_medians_ms=[round(statistics.median(times), 3) for times in runs],
            )
        )
    return results


def request_environ(url: str, headers: dict[str, str], method: str = "GET", body: str | None = None) -> dict:
    """The WSGI environ a server hands the app for a request of `url` with these headers (and body)."""
    data = body.encode() if body else None
    return EnvironBuilder(path=url, method=method, base_url=BASE_URL, headers=headers, data=data).get_environ()


def served_once(app, environ: dict) -> tuple[int, float]:
    """The status of the app's answer to `environ` and the seconds from the call until its body was read and
    closed: the app's whole handling of the request, as a server drives it, without a client's work around it
    (building the request, keeping cookies, wrapping the answer)."""
    statuses = []
    started = time.perf_counter()
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        for _ in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    elapsed = time.perf_counter() - started
    return int(statuses[0].split()[0]), elapsed


def _count_queries(engine: sa.Engine, action) -> int:
    """Statements sent while `action` runs; savepoints are bookkeeping, not queries."""
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    return len(statements)


def measure(
    env: dict, character_id: str, email: str, builds: int, warmup: int, output: Path, rounds: int = ROUNDS
) -> list[BuildTime]:
    """Run this module in a process of its own, in the benchmark's environment, and read what it found."""
    env = {**env, "RATELIMIT_ENABLED": "0"}
    command = [sys.executable, "-m", "bench.build_times", "--character", character_id, "--email", email]
    command += ["--builds", str(builds), "--warmup", str(warmup), "--rounds", str(rounds), "--output", str(output)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench.build_times failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return [BuildTime(**row) for row in json.loads(output.read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--character", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--builds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[0-9a-f-]{36}", args.character):
        parser.error("--character must be a character id")
    from bench import hello
    from webapp import create_app

    app = create_app(nothing_cached_config())
    app.register_blueprint(hello.bp)
    results = time_views(app, args.character, args.email, args.builds, args.warmup, args.rounds)
    args.output.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
