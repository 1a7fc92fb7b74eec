"""Real servers for the deployment tests (Nginx, moto's S3, throwaway Redis and PostgreSQL), each on loopback
and stopped by its own PID, plus a small HTTPS client that trusts the test certificate."""

import http.client
import importlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import BIN, ROOT, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def require_tool(name: str, path: str | None = None) -> str:
    """The tool's path; skip locally when it is missing, fail under CI=true (.ci/run installs it)."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(name, path=f"{BIN}:{os.environ['PATH']}")
    if found:
        return found
    message = f"{name} is not installed (.ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str, package: str):
    """Import a test-only module; skip locally when it is missing, fail under CI=true."""
    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"{package} is not installed (.ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop_pid(pid: int, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Signal one process by its PID (SIGTERM unless told), SIGKILL if it lingers."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def read_pid(path: Path, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(path.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            time.sleep(0.05)
    raise RuntimeError(f"no PID in {path}")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 (as services.md shows); returns (certificate, key)."""
    openssl = require_tool("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Keeps cookies by hand (so Secure cookies ride over plain HTTP to a single instance, too)."""

    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    cafile: Path | None = None

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=15, context=context)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, sent)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or "expires=thu, 01 jan 1970" in cookie.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response

    def get(self, url: str, **kw) -> Response:
        return self.request("GET", url, **kw)

    def post_form(self, url: str, data: dict, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode()
        return self.request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class Nginx:
    conf: Path
    prefix: Path
    upstream: Path
    http_port: int
    https_port: int
    cafile: Path
    binary: str

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-c", str(self.conf), "-p", str(self.prefix), *extra]

    def set_upstream(self, bases: list[str], stream_bases: list[str] | None = None) -> None:
        """The app's instances; the live streams go to `stream_bases`, or to the same instances (whose threads
        they then hold, as under `make run`)."""
        for path, servers in ((self.upstream, bases), (self.stream_upstream, stream_bases or bases)):
            lines = [f"server {urllib.parse.urlsplit(b).netloc};" for b in servers]
            path.write_text("\n".join(lines) + "\n")

    @property
    def stream_upstream(self) -> Path:
        return self.upstream.with_name("stream_upstream.conf")

    def reload(self) -> None:
        subprocess.run(self.command("-s", "reload"), check=True, capture_output=True)

    @property
    def pid(self) -> int:
        return read_pid(self.prefix / "nginx.pid")


def render_nginx_conf(prefix: Path, http_port: int, https_port: int, static_root: Path) -> str:
    """The project's nginx.conf with the container's paths and ports replaced by the test's.

    Every replacement must apply: if nginx.conf changes shape, this fails loudly instead of testing less."""
    text = (ROOT / "nginx.conf").read_text()
    replacements = [
        # Workers run as whoever runs the tests, so they can use the test's private temporary folder.
        ("user nginx;", "user root;" if os.geteuid() == 0 else ""),
        ("/var/run/nginx.pid", str(prefix / "nginx.pid")),
        ("/var/log/nginx/", f"{prefix}/logs/"),
        ("/var/cache/nginx/", f"{prefix}/cache/"),
        ("/etc/nginx/tavern/", f"{prefix}/tavern/"),
        ("/etc/nginx/certs/", f"{prefix}/certs/"),
        ("/srv/tavern/static/", f"{static_root}/"),
        ("listen 80 ", f"listen 127.0.0.1:{http_port} "),
        ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
    ]
    for old, new in replacements:
        assert old in text, f"nginx.conf no longer contains {old!r}; update tests/deploy/stack.py"
        text = text.replace(old, new)
    return text


@contextmanager
def nginx(tmp_path: Path, upstream_bases: list[str], stream_bases: list[str] | None = None):
    """The project's nginx.conf, a self-signed certificate, in front of the given app instances (and live stream
    instances, when given)."""
    binary = require_tool("nginx", "/usr/sbin/nginx")
    prefix = tmp_path / "nginx"
    for sub in ("logs", "cache", "tavern", "certs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    cert, _key = self_signed_certificate(prefix / "certs")
    http_port, https_port = free_port(), free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(render_nginx_conf(prefix, http_port, https_port, ROOT / "static"))
    server = Nginx(conf, prefix, prefix / "tavern" / "upstream.conf", http_port, https_port, cert, binary)
    server.set_upstream(upstream_bases, stream_bases)
    check = subprocess.run(server.command("-t"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(server.command(), check=True, capture_output=True)
    pid = server.pid
    try:
        wait_for_port(https_port)
        yield server
    finally:
        stop_pid(pid)


@contextmanager
def moto_s3(tmp_path: Path):
    """moto's S3-compatible server; yields its endpoint URL."""
    binary = require_tool("moto_server", str(BIN / "moto_server"))
    port = free_port()
    log = open(tmp_path / "moto.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        # It keeps nothing worth a graceful stop, and waits for idle keep-alive connections if asked nicely.
        stop_pid(process.pid, timeout=1, sig=signal.SIGINT)
        process.wait(timeout=10)
        log.close()


@dataclass
class ThrowawayRedis:
    port: int
    directory: Path
    binary: str

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def start(self) -> None:
        self.pidfile.unlink(missing_ok=True)
        subprocess.run(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--daemonize", "yes",
             "--pidfile", str(self.pidfile), "--save", "", "--appendonly", "no", "--dir", str(self.directory),
             "--logfile", str(self.directory / "redis.log")],
            check=True,
        )  # fmt: skip
        read_pid(self.pidfile)
        wait_for_port(self.port)

    def stop(self) -> None:
        stop_pid(read_pid(self.pidfile))
        self.pidfile.unlink(missing_ok=True)


@contextmanager
def throwaway_redis(tmp_path: Path):
    server = ThrowawayRedis(free_port(), tmp_path / "redis", require_tool("redis-server"))
    server.directory.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        yield server
    finally:
        if server.pidfile.exists():
            server.stop()


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL 15 cluster of its own (initdb in a temporary folder), run by the `postgres` user."""

    port: int
    data: Path
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        self._run("-l", str(self.log), "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "-w",
                  "start")  # fmt: skip

    def stop(self) -> None:
        self._run("-m", "fast", "-w", "stop")


@contextmanager
def throwaway_postgres():
    """Its own folder under /tmp (the postgres user cannot enter pytest's private temporary folders)."""
    require_tool("initdb", str(PG_BIN / "initdb"))
    base = Path(tempfile.mkdtemp(prefix="tavern-pg-"))
    data = base / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        initdb = ["runuser", "-u", "postgres", "--", *initdb]
    server = ThrowawayPostgres(free_port(), data, base / "postgres.log")
    try:
        subprocess.run(initdb, check=True, capture_output=True)
        server.start()
        yield server
    finally:
        pid_file = data / "postmaster.pid"
        if pid_file.exists():
            try:
                server.stop()
            except subprocess.CalledProcessError:
                stop_pid(read_pid(pid_file))
        shutil.rmtree(base, ignore_errors=True)


def libpq_url(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy) -> postgresql://... (libpq, psycopg, pg_dump)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_url(test_database_url: str) -> str:
    return os.environ.get("TEST_PG_ADMIN_URL") or with_database(test_database_url, "postgres")


@contextmanager
def scratch_database(test_database_url: str, prefix: str = "tavern_deploy"):
    """A new, empty database beside the test database; dropped afterwards. Yields its SQLAlchemy URL."""
    import psycopg

    admin = libpq_url(admin_url(test_database_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(test_database_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
