"""The app starts the way `make run`, Gunicorn and the flask CLI start it: from a cold interpreter."""

import subprocess
import sys

from tests.servers import ROOT, app_env


def test_flask_cli_loads_the_app_from_a_cold_start(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'cold.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/health" in result.stdout


def test_wsgi_entry_point_imports_cleanly(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'cold.db'}")
    code = "from webapp import create_app; app = create_app(); print(len(app.url_map._rules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
