"""The Python example of docs/api.md works against a live server with the demo data."""

import subprocess
import sys

import pytest

from tests.servers import ROOT, app_env, gunicorn, migrate


@pytest.mark.slow
def test_the_documented_script_runs_against_a_live_server(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'docs.db'}", RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING")
    migrate(env)
    seeded = subprocess.run([sys.executable, "-m", "flask", "seed", "--demo"], cwd=ROOT, env=env, capture_output=True)
    assert seeded.returncode == 0, seeded.stderr
    with gunicorn(env, workers=1) as base:
        run = subprocess.run(
            [sys.executable, "docs/examples/tavern_script.py", base, "player1@tavern.test", "tavern-demo-player1"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 characters:" in run.stdout
    assert "412:" in run.stdout
    assert "description: Seen by the script." in run.stdout


@pytest.mark.slow
def test_the_documented_follower_prints_events_as_they_happen(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'follow.db'}", RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING")
    migrate(env)
    seeded = subprocess.run([sys.executable, "-m", "flask", "seed", "--demo"], cwd=ROOT, env=env, capture_output=True)
    assert seeded.returncode == 0, seeded.stderr
    with gunicorn(env, workers=1) as base:  # one process: without Redis its streams hear its own writes
        follower = subprocess.Popen(
            [sys.executable, "docs/examples/follow_table.py", base, "player1@tavern.test", "tavern-demo-player1",
             "--events", "2"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert follower.stdout.readline().startswith("Following “The Sunken Stair”")
            gm = _login(base, "gm@tavern.test", "tavern-demo-gm")
            campaign = _call(base, "GET", "/campaigns?status=ACTIVE", gm)["data"][0]["id"]
            # The hidden roll comes first: were it shown, it would be one of the two events printed.
            _call(base, "POST", f"/campaigns/{campaign}/rolls", gm, {"expression": "1d20", "visibility": "gm"})
            _call(base, "POST", f"/campaigns/{campaign}/events", gm, {"body": "The bells ring at low tide."})
            _call(base, "POST", f"/campaigns/{campaign}/rolls", gm, {"expression": "1d6", "label": "Falling rocks"})
            out, err = follower.communicate(timeout=30)
        finally:
            follower.kill()
    assert follower.returncode == 0, err
    assert "[NOTE] " in out and "The bells ring at low tide." in out
    assert "rolled Falling rocks" in out
    assert "1d20" not in out  # the GM's hidden roll is not the player's to see


def _call(base: str, method: str, path: str, token: str | None = None, body=None) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{base}/api/v1{path}", data=json.dumps(body).encode() if body is not None else None, method=method
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _login(base: str, email: str, password: str) -> str:
    return _call(base, "POST", "/auth/login", body={"email": email, "password": password})["access_token"]
