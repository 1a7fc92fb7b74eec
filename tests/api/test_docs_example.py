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
