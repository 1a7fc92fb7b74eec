"""`make run` tells a newcomer which address to open before the server's own log lines start."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_prints_the_url_to_open_on_the_chosen_port():
    planned = subprocess.run(
        ["make", "-n", "run", "PORT=5123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    announce = next(line for line in planned if "Tavern runs at" in line)
    serve = next(line for line in planned if "gunicorn" in line)
    assert planned.index(announce) < planned.index(serve)  # said before the server takes the terminal
    said = subprocess.run(["sh", "-c", announce], capture_output=True, text=True, check=True).stdout
    assert "Tavern runs at  http://127.0.0.1:5123/" in said
