"""What the numbers were measured on: CPU, memory, OS, and the versions of every server and package involved."""

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def describe(env: dict, database_url: str, redis_url: str) -> dict:
    """What the numbers were measured on, as labelled strings."""
    info = {
        "cpu": _cpu_model(),
        "cores": str(len(os.sched_getaffinity(0))),
        "memory": f"{_mem_total_gib():.1f} GiB",
        "os": f"{_os_name()}, Linux {platform.release()}",
        "python": f"{platform.python_version()} from {sys.base_prefix}",  # which build: a distribution's or a local one
        "postgresql": _postgres_version(database_url),
        "redis": _redis_version(redis_url),
        "nginx": _first_line(["nginx", "-v"]).removeprefix("nginx version: "),
        "wrk": _first_line(["wrk", "-v"]).split(" [")[0],
        "gunicorn": _gunicorn(env),
        "commit": commit(),
        "packages": ", ".join(f"{p} {_version(p)}" for p in ("flask", "sqlalchemy", "psycopg", "jinja2", "orjson")),
    }
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _os_name() -> str:
    try:
        text = Path("/etc/os-release").read_text()
        return re.search(r'^PRETTY_NAME="?([^"\n]+)', text, re.M).group(1)
    except (OSError, AttributeError):
        return platform.system()


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return ((done.stdout or "") + (done.stderr or "")).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def _postgres_version(url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SHOW server_version")).scalar_one().split()[0]
    finally:
        engine.dispose()


def _redis_version(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return client.info("server")["redis_version"]
    finally:
        client.close()


def _gunicorn(env: dict) -> str:
    """Workers, threads and worker class as deploy/gunicorn.conf.py resolves them in the benchmark's environment."""
    code = (
        "import runpy; c = runpy.run_path('deploy/gunicorn.conf.py');"
        "print(c['workers'], c['threads'], c['worker_class'])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    try:
        workers, threads, kind = done.stdout.split()
    except ValueError:
        return _version("gunicorn")
    return f"{_version('gunicorn')}, {workers} workers × {threads} threads ({kind}), deploy/gunicorn.conf.py"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def commit() -> str:
    """The short hash of the checked-out commit (the report says the working tree may differ)."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"
