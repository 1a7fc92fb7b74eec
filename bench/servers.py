"""The served stack for the benchmark: the app's and the streams' Gunicorn behind Nginx, each stopped by its PID."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX_CONF = ROOT / "nginx.conf"
APP = "bench.hello:create_app()"
# What docker-compose.yml's `stream` service sets over the app's environment (one worker of 4,000 greenlets).
STREAM_ENV = {
    "GUNICORN_WORKER_CLASS": "gevent",
    "WEB_CONCURRENCY": "1",
    "GUNICORN_WORKER_CONNECTIONS": "4000",
    "DB_POOL_TIMEOUT": "30",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and localhost, named as nginx.conf expects: (certificate, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
    return cert, key


def tls_context(cert: Path) -> ssl.SSLContext:
    """Verifies the benchmark's own certificate, and only it."""
    return ssl.create_default_context(cafile=str(cert))


def render_nginx_conf(
    prefix: Path, http_port: int, https_port: int, app_port: int, stream_port: int | None = None
) -> Path:
    """The project's nginx.conf with the container's paths and ports replaced by loopback ones under `prefix`.

    Every replacement must apply, so a change of nginx.conf's shape stops the benchmark instead of silently
    measuring something else. The certificate goes to prefix/certs, the upstreams to prefix/tavern: the app's
    Gunicorn, and the live streams' (the app's own when `stream_port` is None).
    """
    for sub in ("logs", "cache", "tavern", "certs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    self_signed_certificate(prefix / "certs")
    (prefix / "tavern" / "upstream.conf").write_text(f"server 127.0.0.1:{app_port};\n")
    (prefix / "tavern" / "stream_upstream.conf").write_text(f"server 127.0.0.1:{stream_port or app_port};\n")
    text = NGINX_CONF.read_text()
    replacements = [
        ("user nginx;", "user root;" if os.geteuid() == 0 else ""),
        ("/var/run/nginx.pid", str(prefix / "nginx.pid")),
        ("/var/log/nginx/", f"{prefix}/logs/"),
        ("/var/cache/nginx/", f"{prefix}/cache/"),
        ("/etc/nginx/tavern/", f"{prefix}/tavern/"),
        ("/etc/nginx/certs/", f"{prefix}/certs/"),
        ("/srv/tavern/static/", f"{ROOT / 'static'}/"),
        ("listen 80 ", f"listen 127.0.0.1:{http_port} "),
        ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
    ]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(f"nginx.conf no longer contains {old!r}; update bench/servers.py")
        text = text.replace(old, new)
    target = prefix / "nginx.conf"
    target.write_text(text)
    return target


def wait_until_up(url: str, context: ssl.SSLContext | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


class Process:
    """A server we started: stopped by its own PID, never by name."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path) -> None:
        self.name = name
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{tail}")

    def terminate(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


@dataclass
class Stack:
    """The app's Gunicorn, the live streams' Gunicorn and Nginx for one phase; `url` is Nginx's HTTPS address."""

    gunicorn: Process
    stream: Process
    nginx: Process
    url: str
    context: ssl.SSLContext

    def worker_pids(self) -> list[int]:
        return worker_pids(self.gunicorn.pid)

    def stream_worker_pids(self) -> list[int]:
        return worker_pids(self.stream.pid)

    def check_alive(self) -> None:
        for process in (self.gunicorn, self.stream, self.nginx):
            process.check_alive()

    def stop(self) -> None:
        self.nginx.stop()
        # A stream notices its reader has gone only at its next heartbeat, so the stream Gunicorn may take its
        # whole graceful timeout: both Gunicorns wind down at once.
        self.stream.terminate()
        self.gunicorn.stop()
        self.stream.stop()


def start_stack(workdir: Path, env: dict, name: str) -> Stack:
    """Start Gunicorn (deploy/gunicorn.conf.py, production env), a second one for the live streams as production
    runs it (one gevent worker) and Nginx in front of both, on free loopback ports."""
    app_port, stream_port, http_port, port = free_port(), free_port(), free_port(), free_port()
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    gunicorn = Process(
        "gunicorn",
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{app_port}", APP],
        {**env, "PORT": str(app_port)},
        logs / f"gunicorn-{name}.log",
    )
    stream = Process(
        "stream gunicorn",
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{stream_port}", APP],
        {**env, **STREAM_ENV, "PORT": str(stream_port)},
        logs / f"gunicorn-stream-{name}.log",
    )
    nginx_prefix = workdir / "nginx"
    conf = render_nginx_conf(nginx_prefix, http_port, port, app_port, stream_port)
    # In the foreground ("daemon off"), so that it is our child and is stopped by its own PID.
    nginx = Process(
        "nginx",
        [nginx_binary(), "-c", str(conf), "-p", str(nginx_prefix), "-g", "daemon off;"],
        env,
        logs / f"nginx-{name}.log",
    )
    cert = nginx_prefix / "certs" / "fullchain.pem"
    context = tls_context(cert)
    stack = Stack(gunicorn, stream, nginx, f"https://127.0.0.1:{port}", context)
    try:
        wait_until_up(f"http://127.0.0.1:{app_port}/health")
        gunicorn.check_alive()
        wait_until_up(f"http://127.0.0.1:{stream_port}/health")
        stream.check_alive()
        wait_until_up(stack.url + "/health", context)
        nginx.check_alive()
        _wait_for_workers(gunicorn.pid, int(env.get("WEB_CONCURRENCY", "2")))
        _wait_for_workers(stream.pid, int(STREAM_ENV["WEB_CONCURRENCY"]))
    except BaseException:
        stack.stop()
        raise
    return stack


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _wait_for_workers(master: int, expected: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(worker_pids(master)) < expected:
        time.sleep(0.2)


def worker_pids(master: int) -> list[int]:
    """The Gunicorn master's children (its workers)."""
    path = Path(f"/proc/{master}/task/{master}/children")
    try:
        return sorted(int(pid) for pid in path.read_text().split())
    except OSError:
        return []


def memory_of(pid: int) -> dict[str, float]:
    """Resident memory of a process in MB: now (VmRSS) and its peak so far (VmHWM)."""
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                figures[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return {"rss_mb": figures.get("VmRSS", 0.0), "peak_mb": figures.get("VmHWM", 0.0)}


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, user and system (/proc/<pid>/stat); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def environment(database_url: str, redis_url: str, workdir: Path) -> dict:
    """Production settings, as the issue asks: APP_ENV=production, limits off, quiet logs, a Redis DB of our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST", "BENCH_"))}
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": os.urandom(24).hex(),
            "JWT_SECRET": os.urandom(32).hex(),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            "PUBLIC_URL": "https://localhost",
            "TRUSTED_PROXIES": "127.0.0.1",
            "STORAGE_PATH": str(workdir / "uploads"),
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
            "FLASK_APP": "webapp:create_app",
        }
    )
    return env
