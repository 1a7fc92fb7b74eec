"""`make bench`: build the dataset, serve the production stack, drive it with wrk and write docs/PERFORMANCE.md."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import dataset, report, wrk
from bench.client import Client
from bench.servers import ROOT, Stack, environment, memory_of, start_stack

BIN = Path(sys.executable).parent
JSON = "application/json"


@dataclass(frozen=True)
class Settings:
    """Everything tunable, from BENCH_* variables."""

    duration: float = float(os.environ.get("BENCH_DURATION", "10"))
    warmup: float = float(os.environ.get("BENCH_WARMUP", "3"))
    connections: int = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    threads: int = int(os.environ.get("BENCH_THREADS", "2"))
    sizes: tuple[int, ...] = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,100000").split(","))
    rss_requests: int = int(os.environ.get("BENCH_RSS_REQUESTS", "20000"))
    database: str = os.environ.get("BENCH_DATABASE", "tavern_bench")
    pg_admin_url: str = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    redis_url: str = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    output: Path = Path(os.environ.get("BENCH_OUTPUT", str(ROOT / "docs" / "PERFORMANCE.md")))
    workdir: Path = Path(os.environ.get("BENCH_WORKDIR", str(ROOT / "var" / "bench")))

    @property
    def database_url(self) -> str:
        return self.pg_admin_url.rsplit("/", 1)[0] + "/" + self.database


@dataclass(frozen=True)
class Target:
    """One measured URL: who asks (anonymous, the signed-in browser, or a script with a token) and what it gets."""

    key: str
    label: str
    path: str
    who: str = "anonymous"  # "anonymous", "session" or "token"
    expect: str = "text/html"
    htmx: bool = False


@dataclass
class Measurement:
    key: str
    label: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    requests: int = 0
    errors: dict = field(default_factory=dict)
    bytes_per_response: int = 0
    worker_rss_mb: float = 0.0
    missing: str | None = None  # why it could not be measured (the feature is not there yet)


@dataclass
class Phase:
    characters: int
    build_seconds: float
    measurements: list[Measurement]
    ceiling_rps: float
    rss: dict = field(default_factory=dict)


def main() -> int:
    settings = Settings()
    ensure_tools()
    workdir = settings.workdir
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "metrics").mkdir(parents=True)
    env = environment(settings.database_url, settings.redis_url, workdir)
    started, started_at = time.monotonic(), datetime.now(UTC)
    say(f"Database {settings.database} (created afresh), Redis {settings.redis_url}, wrk -c{settings.connections}")
    recreate_database(settings)
    prepare_schema(env)
    engine = sa.create_engine(settings.database_url)
    phases = []
    try:
        for index, size in enumerate(settings.sizes):
            build = dataset.build(engine, size)
            say(f"Dataset: {size:,} characters ({build.added:,} added in {build.seconds:.1f} s: {build.rows})")
            flush_redis(settings.redis_url)
            last = index == len(settings.sizes) - 1
            phases.append(run_phase(settings, env, engine, size, build.seconds, rss_check=last))
    finally:
        engine.dispose()
    result = report.Result(
        started_at=started_at,
        settings={k: str(v) for k, v in asdict(settings).items() if k not in {"pg_admin_url"}},
        machine=report.machine(env, settings.database_url, settings.redis_url),
        phases=phases,
        seconds=time.monotonic() - started,
    )
    text = report.markdown(result)
    print()
    print(report.console(result))
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    settings.output.write_text(text)
    (workdir / "results.json").write_text(json.dumps(report.as_json(result), indent=2, default=str))
    say(f"Wrote {settings.output.relative_to(ROOT) if settings.output.is_relative_to(ROOT) else settings.output}")
    return 0


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def ensure_tools() -> None:
    """wrk, nginx and openssl from Debian's packages when missing (the benchmark runs as root here)."""
    missing = [
        tool
        for tool in ("wrk", "nginx", "openssl")
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()
    ]
    if not missing:
        return
    say(f"Installing {' '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def recreate_database(settings: Settings) -> None:
    admin = sa.create_engine(settings.pg_admin_url, isolation_level="AUTOCOMMIT")
    name = settings.database
    if not name.replace("_", "").isalnum():
        raise ValueError(f"BENCH_DATABASE must be a plain name, not {name!r}")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def prepare_schema(env: dict) -> None:
    """Migrate and load the reference content with the app's own commands."""
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    say("Migrated and seeded the reference content")


def flush_redis(url: str) -> None:
    """The dataset was written behind the services' backs, so nothing cached before may survive."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def targets(character_id: str, deep_cursor: str | None) -> list[Target]:
    deep = f"/api/v1/characters?limit=20&cursor={urllib.parse.quote(deep_cursor)}" if deep_cursor else None
    return [
        Target("home", "Home page", "/"),
        Target("sheet", "Character sheet (signed in)", f"/characters/{character_id}", who="session"),
        Target("inventory", "Inventory page (signed in)", f"/characters/{character_id}/inventory", who="session"),
        Target("compendium", "Compendium search fragment", "/compendium/items?search=steel", htmx=True),
        Target("api_character", "GET /api/v1/characters/<id>", f"/api/v1/characters/{character_id}", "token", JSON),
        Target("api_list_first", "GET /api/v1/characters (first page)", "/api/v1/characters?limit=20", "token", JSON),
        Target("api_list_deep", "GET /api/v1/characters (deep page)", deep or "", "token", JSON),
    ]


HELLO = Target("hello", "Bare hello (ceiling)", "/bench/hello", expect="text/plain")


def run_phase(
    settings: Settings, env: dict, engine: sa.Engine, size: int, build_seconds: float, rss_check: bool
) -> Phase:
    say(f"Phase {size:,}: starting Gunicorn and Nginx")
    stack = start_stack(settings.workdir, env, f"{size}")
    try:
        browser = Client(stack.url, stack.context)
        browser.sign_in(dataset.BENCH_EMAIL, dataset.BENCH_PASSWORD)
        token = browser.create_token()
        character_id = bench_character(engine)
        script = Client(stack.url, stack.context)
        deep_cursor = walk_list(script, token)
        # A visitor who is not signed in still keeps the cookies of the first page, as a browser does.
        visitor = Client(stack.url, stack.context)
        visitor.get("/")
        headers = {
            "anonymous": {"Cookie": visitor.cookie_header()} if visitor.cookies else {},
            "session": {"Cookie": browser.cookie_header()},
            "token": {"Authorization": f"Bearer {token}"},
        }
        single, mixed = wrk.write_scripts(settings.workdir / "lua")
        ceiling_runs = [measure(settings, stack, HELLO, headers, single)]
        measurements = []
        for target in targets(character_id, deep_cursor):
            measurements.append(measure(settings, stack, target, headers, single, precheck=script))
        ceiling_runs.append(measure(settings, stack, HELLO, headers, single))
        ceiling = sum(m.rps for m in ceiling_runs) / len(ceiling_runs)
        hello = ceiling_runs[0]
        hello.rps = ceiling
        hello.p50_ms = max(m.p50_ms for m in ceiling_runs)
        hello.p99_ms = max(m.p99_ms for m in ceiling_runs)
        rss = rss_growth(settings, stack, measurements, headers, mixed) if rss_check else {}
        rss["workers"] = {str(pid): memory_of(pid) for pid in stack.worker_pids()}
        return Phase(size, build_seconds, [hello, *measurements], ceiling, rss)
    finally:
        stack.stop()


def measure(
    settings: Settings, stack: Stack, target: Target, headers: dict, script: Path, precheck=None
) -> Measurement:
    result = Measurement(target.key, target.label, target.path)
    request_headers = dict(headers[target.who])
    if target.htmx:
        request_headers["HX-Request"] = "true"
    if precheck is not None:
        result.missing = check_target(precheck, target, request_headers)
        if result.missing:
            say(f"  {target.label:<40} skipped: {result.missing}")
            return result
    url = stack.url + target.path
    wrk.run(url, script, settings.warmup, settings.connections, settings.threads, request_headers)
    stack.gunicorn.check_alive()
    run = wrk.run(url, script, settings.duration, settings.connections, settings.threads, request_headers)
    result.rps, result.requests, result.errors = run.rps, run.requests, run.errors
    result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms = run.p50_ms, run.p90_ms, run.p99_ms, run.max_ms
    result.bytes_per_response = run.bytes // max(run.requests, 1)
    result.worker_rss_mb = max((memory_of(pid)["rss_mb"] for pid in stack.worker_pids()), default=0.0)
    errors = f"  {run.error_count} errors {run.errors}" if run.error_count else ""
    say(f"  {target.label:<40} {run.rps:9,.0f} req/s  p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms{errors}")
    return result


def check_target(client: Client, target: Target, headers: dict) -> str | None:
    """Why the target cannot be measured (None when it answers 200 with the expected content type)."""
    if not target.path:
        return "no deep cursor (the list gave no next page)"
    answer = client.get(target.path, headers=headers)
    kind = answer.headers.get("content-type", "")
    if answer.status != 200 or not kind.startswith(target.expect):
        return f"answered {answer.status} {kind or 'without a content type'}"
    return None


def bench_character(engine: sa.Engine) -> str:
    """The bench user's first character: it exists at every dataset size."""
    from webapp.models import Character, User

    with engine.connect() as connection:
        query = (
            sa.select(Character.id)
            .join(User, User.id == Character.owner_id)
            .where(User.email == dataset.BENCH_EMAIL)
            .order_by(Character.created_at, Character.id)
            .limit(1)
        )
        return str(connection.execute(query).scalar_one())


def walk_list(client: Client, token: str, limit: int = 100, page_size: int = 20) -> str | None:
    """Follow GET /api/v1/characters to its end; return the deepest cursor that still yields a full page.

    None when the list does not exist yet or has a single page.
    """
    headers = {"Authorization": f"Bearer {token}"}
    cursor, best, pages = None, None, 0
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/v1/characters?" + urllib.parse.urlencode(query), headers=headers)
        if answer.status != 200:
            return best
        body = answer.json()
        rows = _rows(body)
        pages += 1
        if cursor and len(rows) >= page_size:
            best = cursor
        cursor = _next_cursor(body)
        if not cursor:
            say(f"  walked the character list: {pages:,} pages of {limit}")
            return best


def _rows(body) -> list:
    if isinstance(body, list):
        return body
    for key in ("data", "items", "results", "characters"):
        if isinstance(body.get(key), list):
            return body[key]
    return []


def _next_cursor(body) -> str | None:
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("pagination") or {}, body.get("meta") or {}, body.get("links") or {}):
        if isinstance(holder, dict) and holder.get("next_cursor"):
            return holder["next_cursor"]
    return None


def rss_growth(settings: Settings, stack: Stack, measured: list[Measurement], headers: dict, script: Path) -> dict:
    """Mixed load in short rounds until `rss_requests` were answered; RSS of each worker after every round.

    Growth is judged over the last half: the first sample at or past half the requests against the last one.
    """
    specs = []
    for target in targets("-", None):
        match = next((m for m in measured if m.key == target.key and not m.missing), None)
        if match is None:
            continue
        extra = dict(headers[target.who]) | ({"HX-Request": "true"} if target.htmx else {})
        specs.append("|".join([match.path, *(f"{k}: {v}" for k, v in extra.items())]))
    if not specs:
        specs = [HELLO.path]
    say(f"  RSS over {settings.rss_requests:,} mixed requests ({len(specs)} URLs in turn)")
    samples = [{"requests": 0, "workers": _rss(stack)}]
    total = 0
    while total < settings.rss_requests:
        run = wrk.run(stack.url + "/", script, 2, settings.connections, settings.threads, args=specs)
        total += run.requests
        samples.append({"requests": total, "workers": _rss(stack)})
    half = next(s for s in samples if s["requests"] >= total / 2)
    end = samples[-1]
    growth = {
        pid: (end["workers"][pid] - half["workers"][pid]) / half["workers"][pid]
        for pid in end["workers"]
        if half["workers"].get(pid)
    }
    say(f"  RSS growth over the last half: {', '.join(f'{g:+.1%}' for g in growth.values())}")
    return {"requests": total, "samples": samples, "half": half, "end": end, "growth": growth}


def _rss(stack: Stack) -> dict[str, float]:
    return {str(pid): memory_of(pid)["rss_mb"] for pid in stack.worker_pids()}


if __name__ == "__main__":
    sys.exit(main())
