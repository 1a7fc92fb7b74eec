"""Start real servers (Gunicorn) for tests, on loopback, and stop them by their own PID."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def app_env(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
    env.update({"APP_ENV": "development", "DATABASE_URL": database_url, "FLASK_APP": "webapp:create_app"})
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def migrate(env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)


@contextmanager
def gunicorn(env: dict, workers: int = 2, log_path: Path | None = None, ready_timeout: float = 60.0):
    """Run Gunicorn with the project's config; yields the base URL; stops it on exit.

    Workers boot in a few seconds, but far slower when the machine is busy, hence the generous wait."""
    port = free_port()
    env = {**env, "WEB_CONCURRENCY": str(workers), "PORT": str(port)}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/health", timeout=ready_timeout)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_path:
            log.close()
