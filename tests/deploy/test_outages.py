"""Backends going away and coming back under a running Gunicorn: Redis down is a cache miss and a 503 on
/health, PostgreSQL down is a friendly 503; both recover without a restart, and nothing answers 500."""

import json
import subprocess
import time

import pytest

from tests.deploy.conftest import production_env
from tests.deploy.stack import Browser, csrf_token, throwaway_postgres, throwaway_redis
from tests.servers import BIN, ROOT, app_env, gunicorn, migrate

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

PAGES = ["/", "/login", "/register", "/api/docs", "/api/v1/races", "/api/v1/items", "/static/css/app.css"]


def _statuses(base: str, paths=PAGES) -> dict[str, int]:
    visitor = Browser()
    statuses = {}
    for path in paths:
        started = time.monotonic()
        statuses[path] = visitor.get(base + path).status
        assert time.monotonic() - started < 5, f"{path} took more than 5 s"
    return statuses


def _health(base: str) -> tuple[int, dict]:
    response = Browser().get(base + "/health")
    return response.status, json.loads(response.body)


def _eventually(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _cache_hits(base: str) -> float:
    text = Browser().get(base + "/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("cache_requests_total{") and 'result="hit"' in line
    )


def _worker_boots(log_path) -> int:
    """How many workers Gunicorn has started so far: a restart, or a worker that died, adds to it."""
    return log_path.read_text().count("Booting worker with pid")


def _request_lines(log_path) -> list[dict]:
    """The app's JSON request lines from a Gunicorn log."""
    lines = (json.loads(line) for line in log_path.read_text().splitlines() if line.startswith('{"'))
    return [line for line in lines if "status" in line]


@pytest.fixture(scope="module")
def seeded_database(deploy_database):
    subprocess.run(
        [str(BIN / "flask"), "seed"], env=app_env(deploy_database), cwd=ROOT, check=True, capture_output=True
    )
    return deploy_database


def test_redis_outage_is_a_cache_miss_and_recovers_without_a_restart(seeded_database, tmp_path):
    """Redis down: every page still renders from the database; /health says 503; back, all recovers."""
    with throwaway_redis(tmp_path) as redis:
        env = production_env(seeded_database, redis.url, LOG_LEVEL="INFO")
        log = tmp_path / "gunicorn.log"
        with gunicorn(env, workers=2, log_path=log) as base:
            assert set(_statuses(base).values()) == {200}
            assert _health(base)[0] == 200
            boots = _worker_boots(log)

            redis.stop()
            down = _statuses(base)
            assert set(down.values()) == {200}, f"pages must still render without Redis: {down}"
            assert _health(base) == (503, {"status": "unhealthy", "error": "redis unreachable"})
            # A rate-limited form (login) still answers: limits are skipped while their storage is away.
            visitor = Browser()
            token = csrf_token(visitor.get(base + "/login").text)
            wrong = {"csrf_token": token, "email": "nobody@example.com", "password": "not the password at all"}
            assert visitor.post_form(base + "/login", wrong).status == 422

            redis.start()
            _eventually(lambda: _assert_equal(_health(base)[0], 200))
            assert set(_statuses(base).values()) == {200}
            hits = _cache_hits(base)
            _statuses(base, ["/api/v1/races", "/api/v1/races", "/api/v1/items", "/api/v1/items"])
            assert _cache_hits(base) > hits, "the cache is used again once Redis is back"
            assert _worker_boots(log) == boots, "recovered without restarting a worker"
        assert 500 not in {line["status"] for line in _request_lines(log)}


def test_postgresql_outage_is_a_friendly_503_and_recovers_without_a_restart(tmp_path):
    # Its own Redis, so no cached answer from another test stands in for the database.
    with throwaway_postgres() as postgres, throwaway_redis(tmp_path) as redis:
        env = production_env(postgres.url, redis.url, LOG_LEVEL="INFO")
        migrate(env)
        log = tmp_path / "gunicorn.log"
        with gunicorn(env, workers=2, log_path=log) as base:
            # Only the probes before the outage: the pages below must meet it with a cold cache.
            assert _statuses(base, ["/health", "/ready"]) == {"/health": 200, "/ready": 200}
            boots = _worker_boots(log)

            postgres.stop()
            assert _health(base) == (503, {"status": "unhealthy", "error": "database unreachable"})
            page = Browser().get(base + "/")
            assert page.status == 503
            assert page.header("Content-Type").startswith("text/html")
            assert "try again in a moment" in page.text
            api = Browser().get(base + "/api/v1/races")
            assert api.status == 503
            assert api.header("Content-Type").startswith("application/problem+json")
            down = _statuses(base, PAGES + ["/ready"])
            assert 500 not in down.values() and down["/ready"] == 503, down

            postgres.start()
            _eventually(lambda: _assert_equal(_health(base)[0], 200))
            assert set(_statuses(base, PAGES + ["/ready"]).values()) == {200}
            assert _worker_boots(log) == boots, "recovered without restarting a worker"
        assert 500 not in {line["status"] for line in _request_lines(log)}


def _assert_equal(actual, expected) -> None:
    assert actual == expected, f"{actual} != {expected}"


def test_a_redis_that_refuses_writes_serves_nothing_stale_and_trusts_no_remembered_token(seeded_database, tmp_path):
    """Redis answers reads but refuses writes (full, or a read-only replica): the bump of a character made PRIVATE
    and of a revoked token cannot be recorded, so no worker may answer from what it kept."""
    with throwaway_redis(tmp_path) as redis:
        env = production_env(seeded_database, redis.url, LOG_LEVEL="INFO", RATELIMIT_ENABLED="false")
        log = tmp_path / "gunicorn.log"
        with gunicorn(env, workers=2, log_path=log) as base:
            api = _Script(base)
            session = api.call("POST", "/api/v1/auth/login", {"email": api.email, "password": api.password})
            jwt = {"Authorization": f"Bearer {session['access_token']}"}
            token = api.call("POST", "/api/v1/tokens", {"name": "refusal", "scope": "write"}, jwt)
            bearer = {"Authorization": f"Bearer {token['token']}"}
            hero = api.call("POST", "/api/v1/characters", api.character("Stale Brannoc"), bearer)
            paths = [f"/characters/{hero['id']}", f"/api/v1/characters/{hero['id']}"]
            for _ in range(12):  # both workers keep both answers, and remember the token
                assert {Browser().get(base + path).status for path in paths} == {200}
                assert Browser().get(base + "/api/v1/characters?mine=true", headers=bearer).status == 200

            _redis_cli(redis, "CONFIG", "SET", "maxmemory", "1")
            assert "OOM" in _redis_cli(redis, "SET", "probe", "x", check=False)
            api.call("PATCH", f"/api/v1/characters/{hero['id']}", {"visibility": "PRIVATE"}, bearer)
            seen = [Browser().get(base + path).status for _ in range(12) for path in paths]
            assert set(seen) == {404}, f"a PRIVATE character was served from a kept answer: {seen}"
            api.call("DELETE", f"/api/v1/tokens/{token['id']}", None, jwt)
            used = [Browser().get(base + "/api/v1/characters?mine=true", headers=bearer).status for _ in range(12)]
            assert set(used) == {401}, f"a revoked token kept working: {used}"

            _redis_cli(redis, "CONFIG", "SET", "maxmemory", "0")
            _eventually(lambda: _assert_equal({Browser().get(base + path).status for path in paths}, {404}))
            hits = _cache_hits(base)
            _statuses(base, ["/api/v1/races", "/api/v1/races", "/api/v1/races", "/api/v1/races"])
            assert _cache_hits(base) > hits, "kept answers are used again once Redis takes writes"
        assert 500 not in {line["status"] for line in _request_lines(log)}


class _Script:
    """A script author's calls over plain HTTP, with an account of its own."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.email, self.password = f"refusal-{time.monotonic_ns()}@example.com", "a lantern in the deep mine"
        account = {"email": self.email, "password": self.password, "display_name": "R"}
        self.call("POST", "/api/v1/auth/register", account)

    def call(self, method: str, path: str, body: dict | None, headers: dict | None = None):
        sent = {"Content-Type": "application/json", **(headers or {})}
        response = Browser().request(method, self.base + path, json.dumps(body).encode() if body else None, sent)
        assert response.status < 300, f"{method} {path} answered {response.status}: {response.text[:300]}"
        return json.loads(response.body) if response.body else None

    def character(self, name: str) -> dict:
        races = self.call("GET", "/api/v1/races?search=Human", None)["data"]
        archetypes = self.call("GET", "/api/v1/archetypes?search=Sellsword", None)["data"]
        scores = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
        return {"name": name, "race_id": races[0]["id"], "archetype_id": archetypes[0]["id"], "visibility": "PUBLIC",
                **scores}  # fmt: skip


def _redis_cli(redis, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["redis-cli", "-p", str(redis.port), *args], capture_output=True, text=True, check=check, timeout=10
    )
    return done.stdout + done.stderr
