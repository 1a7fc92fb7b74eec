"""deploy/blue-green.sh with real Gunicorn colours behind the project's Nginx: a switch under load loses no
request, a rollback returns to the old colour, and an unhealthy new colour is rolled back by the script."""

import http.client
import json
import os
import signal
import ssl
import subprocess
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

import pytest

from tests.deploy.conftest import production_env
from tests.deploy.stack import nginx, read_pid, require_tool, stop_pid
from tests.servers import BIN, ROOT, free_port

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

LOAD_PATHS = ("/health", "/", "/api/v1/races", "/login")
MIN_REQUESTS = 2000


class Load:
    """Threads sending GETs through Nginx, a new TLS connection each, counting every answer."""

    def __init__(self, port: int, cafile: Path, threads: int = 8) -> None:
        self.port, self.threads = port, threads
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.versions: Counter = Counter()
        self.stop = threading.Event()
        self.workers = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + len(self.failures)

    def _run(self, offset: int) -> None:
        n = offset
        while not self.stop.is_set():
            path = LOAD_PATHS[n % len(LOAD_PATHS)]
            n += 1
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=15, context=self.context)
            try:
                connection.request("GET", path, headers={"Connection": "close"})
                response = connection.getresponse()
                body = response.read()
                with self.lock:
                    self.statuses[response.status] += 1
                    if response.status != 200:
                        self.failures.append(f"{path}: {response.status}")
                    elif path == "/health":
                        self.versions[json.loads(body)["version"]] += 1
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    self.failures.append(f"{path}: {error!r}")
            finally:
                connection.close()

    def __enter__(self) -> "Load":
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=20)


@pytest.fixture(scope="module")
def colours(deploy_database, real_services, tmp_path_factory):
    """Nginx in front of the (not yet running) blue colour, and how to call blue-green.sh on it.

    The tests below run in order on the same colours, as deploys follow each other on a real host."""
    require_tool("curl")
    _, redis_url = real_services
    tmp_path = tmp_path_factory.mktemp("blue-green")
    run = tmp_path / "run"
    run.mkdir()
    ports = {"blue": [free_port(), free_port()], "green": [free_port(), free_port()]}
    with nginx(tmp_path, [f"http://127.0.0.1:{p}" for p in ports["blue"]]) as server:
        # One client address sends thousands of requests here: rate limits are off, as for a benchmark.
        env = production_env(deploy_database, redis_url, WEB_CONCURRENCY="1", RATELIMIT_ENABLED="false")
        env.update(
            BLUE_GREEN_DRIVER=str(ROOT / "tests/deploy/bluegreen_driver.sh"),
            STATE_DIR=str(tmp_path / "state"),
            UPSTREAM_FILE=str(server.upstream),
            HEALTH_URL=f"{server.base}/health",
            READY_TIMEOUT="60",
            VERIFY_CHECKS="3",
            VERIFY_INTERVAL="0.5",
            VERIFY_TIMEOUT="10",
            BG_RUN=str(run),
            BG_GUNICORN=str(BIN / "gunicorn"),
            BG_FLASK=str(BIN / "flask"),
            BG_PORTS_BLUE=" ".join(map(str, ports["blue"])),
            BG_PORTS_GREEN=" ".join(map(str, ports["green"])),
            NGINX_BIN=server.binary,
            NGINX_CONF=str(server.conf),
            NGINX_PREFIX=str(server.prefix),
        )

        def blue_green(*args: str, **settings: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["bash", str(ROOT / "deploy/blue-green.sh"), *args],
                env={**env, **settings}, cwd=ROOT, capture_output=True, text=True, timeout=240,
            )  # fmt: skip

        try:
            yield {"run": blue_green, "nginx": server, "ports": ports, "dir": run}
        finally:
            # SIGINT: Gunicorn's quick stop; all colours at once.
            pids = [read_pid(pidfile) for pidfile in run.glob("*.pid")]
            for pid in pids:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGINT)
            for pid in pids:
                stop_pid(pid, timeout=15)


def _edge_version(server) -> str:
    """The release that answers /health through Nginx."""
    context = ssl.create_default_context(cafile=str(server.cafile))
    connection = http.client.HTTPSConnection("127.0.0.1", server.https_port, timeout=10, context=context)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, f"/health through Nginx answered {response.status}"
        return json.loads(body)["version"]
    finally:
        connection.close()


def _upstream_ports(server) -> set[int]:
    return {int(line.split(":")[1].split()[0].rstrip(";")) for line in server.upstream.read_text().splitlines()
            if line.startswith("server ")}  # fmt: skip


def test_a_switch_under_load_loses_no_request_and_rollbacks_work(colours):
    server, ports = colours["nginx"], colours["ports"]
    live, idle = _live(colours)
    serving = _edge_version(server)

    with Load(server.https_port, server.cafile) as load:
        while load.total < 200:  # traffic is flowing before the deploy starts
            time.sleep(0.05)
        started = time.monotonic()
        deploy = colours["run"]("deploy", "v2")
        deadline = time.monotonic() + 60
        while load.total < MIN_REQUESTS and time.monotonic() < deadline:
            time.sleep(0.1)
    assert deploy.returncode == 0, deploy.stderr
    assert load.total >= MIN_REQUESTS, f"only {load.total} requests in {time.monotonic() - started:.0f} s"
    assert load.failures == [], f"{len(load.failures)} of {load.total} failed: {load.failures[:10]}"
    assert set(load.versions) == {serving, "v2"}, "the traffic moved to v2 during the run"
    assert _upstream_ports(server) == set(ports[idle])
    assert _edge_version(server) == "v2"

    # The old colour is still running: a rollback is one reload away, and back again.
    back = colours["run"]("rollback")
    assert back.returncode == 0, back.stderr
    assert _edge_version(server) == serving
    forth = colours["run"]("rollback")
    assert forth.returncode == 0, forth.stderr
    assert _edge_version(server) == "v2"
    status = colours["run"]("status").stdout
    assert f"{idle} (live): v2" in status and f"{live}: {serving}" in status


def _live(colours) -> tuple[str, str]:
    """(live colour, idle colour), deploying v1 first when nothing runs yet."""
    if _upstream_ports(colours["nginx"]) == set(colours["ports"]["blue"]) and not list(colours["dir"].glob("*.pid")):
        assert colours["run"]("deploy", "v1").returncode == 0
    live = "blue" if _upstream_ports(colours["nginx"]) == set(colours["ports"]["blue"]) else "green"
    return live, "green" if live == "blue" else "blue"


def test_a_release_that_never_gets_ready_is_rolled_back(colours):
    server, ports = colours["nginx"], colours["ports"]
    live, idle = _live(colours)
    serving = _edge_version(server)
    broken = colours["run"]("deploy", "broken", READY_TIMEOUT="10")
    assert broken.returncode == 1
    assert "ROLLED BACK" in broken.stderr and "never became ready" in broken.stderr
    assert _upstream_ports(server) == set(ports[live]), "Nginx still sends traffic to the live colour"
    assert _edge_version(server) == serving
    assert not list(colours["dir"].glob(f"{idle}-*.pid")), "the broken colour is stopped"


def test_a_colour_that_fails_behind_nginx_after_the_switch_is_rolled_back(colours):
    server, ports = colours["nginx"], colours["ports"]
    live, idle = _live(colours)
    serving = _edge_version(server)

    # The new colour passes /ready, then dies (master and workers: its process group) the moment Nginx
    # points at it.
    def crash_when_switched() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if _upstream_ports(server) == set(ports[idle]):
                for pidfile in colours["dir"].glob(f"{idle}-*.pid"):
                    os.killpg(read_pid(pidfile), signal.SIGKILL)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=crash_when_switched, daemon=True)
    watcher.start()
    result = colours["run"]("deploy", "v3")
    watcher.join(timeout=5)
    assert result.returncode == 1
    assert "unhealthy behind Nginx" in result.stderr and "ROLLED BACK" in result.stderr
    assert _upstream_ports(server) == set(ports[live])
    assert _edge_version(server) == serving
