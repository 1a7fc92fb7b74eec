"""deploy/smoke.py against a live production-mode Gunicorn: it passes on a healthy site and names the step
that fails on a broken one."""

import subprocess
import sys

import pytest

from tests.deploy.conftest import production_env
from tests.deploy.stack import throwaway_redis
from tests.servers import BIN, ROOT, app_env, free_port, gunicorn

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

SMOKE = [sys.executable, str(ROOT / "deploy/smoke.py")]


@pytest.fixture(scope="module")
def live_site(deploy_database, tmp_path_factory):
    subprocess.run(
        [str(BIN / "flask"), "seed"], env=app_env(deploy_database), cwd=ROOT, check=True, capture_output=True
    )
    directory = tmp_path_factory.mktemp("smoke")
    # A Redis of its own: the smoke test registers and signs in, and rate limits count per address.
    with throwaway_redis(directory) as redis:
        env = production_env(deploy_database, redis.url)
        with gunicorn(env, workers=2, log_path=directory / "gunicorn.log") as base:
            yield base


def test_the_smoke_test_passes_against_a_live_server(live_site):
    result = subprocess.run([*SMOKE, live_site], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("health", "account", "sign-in (browser form)", "API token", "create a character", "clean up"):
        assert f"ok    {step}" in result.stdout
    assert "smoke test passed" in result.stdout


def test_the_smoke_test_stops_at_the_first_failure_with_a_clear_message():
    result = subprocess.run([*SMOKE, f"http://127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("FAIL  health: GET /health: no answer")
    assert "ok " not in result.stdout


def test_the_smoke_test_refuses_a_wrong_account(live_site):
    env = {"SMOKE_EMAIL": "nobody@example.com", "SMOKE_PASSWORD": "not the password at all", "PATH": "/usr/bin"}
    result = subprocess.run([*SMOKE, live_site], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert "FAIL  sign-in (browser form): POST /login answered 422" in result.stderr
