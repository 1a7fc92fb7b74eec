"""Start real servers (Gunicorn) for tests, on loopback, and stop them by their own PID."""

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# Ports for the tests' servers come from a slice of 20000-32767 per xdist worker, counting up: below Linux's
# ephemeral range (32768 on), so no outgoing connection holds one, and never the same port twice in a run, so a
# server started again on its port (Redis back after an outage) never finds another test's server there. The
# kernel's own choice (bind to 0) could hand a port just freed by one worker's Redis to another worker's server.
FIRST_PORT, LAST_PORT, SLICES = 20000, 32767, 8


def _ports() -> Iterator[int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    size = (LAST_PORT - FIRST_PORT + 1) // SLICES
    start = FIRST_PORT + (int(worker) % SLICES if worker.isdigit() else 0) * size
    return itertools.cycle(range(start, start + size))


_next_ports = _ports()
_ports_lock = threading.Lock()


def free_port() -> int:
    """A loopback port nothing listens on, not handed out before in this run (until the slice wraps)."""
    with _ports_lock:
        for _ in range((LAST_PORT - FIRST_PORT + 1) // SLICES):
            port = next(_next_ports)
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port left in this worker's slice")


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
