"""Backends going away and coming back under a running Gunicorn: Redis down is a cache miss and a 503 on
/health, PostgreSQL down is a friendly 503; both recover without a restart, and nothing answers 500."""

import json
import subprocess
import time

import pytest

from tests.deploy.conftest import production_env
from tests.deploy.stack import Browser, csrf_token, throwaway_postgres, throwaway_redis
from tests.servers import BIN, ROOT, app_env, gunicorn, migrate

pytestmark = pytest.mark.slow

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
