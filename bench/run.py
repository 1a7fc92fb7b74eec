"""`make bench`: build the dataset, serve the production stack, drive it with wrk and write docs/PERFORMANCE.md."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import build_times, credentials, dataset, live_streams, machine, mix, players, repeats, report, wrk
from bench.client import Client
from bench.players import PLAYERS
from bench.results import Measurement, Phase
from bench.servers import ROOT, Stack, cpu_seconds, environment, memory_of, start_stack

BIN = Path(sys.executable).parent
RSS_ROUND_SECONDS = 5


@dataclass(frozen=True)
class Settings:
    """Everything tunable, from BENCH_* variables."""

    duration: float = float(os.environ.get("BENCH_DURATION", "10"))
    mix_duration: float = float(os.environ.get("BENCH_MIX_DURATION", "12"))
    mix_rounds: int = int(os.environ.get("BENCH_MIX_ROUNDS", "3"))
    warmup: float = float(os.environ.get("BENCH_WARMUP", "3"))
    connections: int = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    threads: int = int(os.environ.get("BENCH_THREADS", "2"))
    sizes: tuple[int, ...] = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,100000").split(","))
    players: int = int(os.environ.get("BENCH_PLAYERS", str(PLAYERS)))
    builds: int = int(os.environ.get("BENCH_BUILDS", "200"))
    build_rounds: int = int(os.environ.get("BENCH_BUILD_ROUNDS", str(build_times.ROUNDS)))
    rss_requests: int = int(os.environ.get("BENCH_RSS_REQUESTS", "20000"))
    subscribers: int = int(os.environ.get("BENCH_SUBSCRIBERS", str(live_streams.SUBSCRIBERS)))
    database: str = os.environ.get("BENCH_DATABASE", "tavern_bench")
    pg_admin_url: str = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    redis_url: str = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    output: Path = Path(os.environ.get("BENCH_OUTPUT", str(ROOT / "docs" / "PERFORMANCE.md")))
    workdir: Path = Path(os.environ.get("BENCH_WORKDIR", str(ROOT / "var" / "bench")))

    @property
    def database_url(self) -> str:
        return self.pg_admin_url.rsplit("/", 1)[0] + "/" + self.database


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
            added = players.build(engine, settings.players)
            if added:
                say(f"Mix: {added} players with {players.CHARACTERS_EACH} characters each")
            flush_redis(settings.redis_url)
            last = index == len(settings.sizes) - 1
            phases.append(run_phase(settings, env, engine, size, build.seconds, last=last))
    finally:
        engine.dispose()
    result = report.Result(
        started_at=started_at,
        settings={k: str(v) for k, v in asdict(settings).items() if k not in {"pg_admin_url"}},
        machine=machine.describe(env, settings.database_url, settings.redis_url),
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


class Driver:
    """wrk against one phase's stack: every run walks a request table written under the work directory."""

    def __init__(self, settings: Settings, stack: Stack, name: str) -> None:
        self.settings, self.stack = settings, stack
        self.directory = settings.workdir / "tables" / name
        self.script = wrk.write_script(settings.workdir / "lua")

    def table(self, key: str, requests: list[wrk.Request]) -> Path:
        return wrk.write_table(self.directory / f"{key}.lua", requests)

    def measure(self, key: str, label: str, requests: list[wrk.Request], duration: float) -> Measurement:
        """A warm-up, then the measured run from where the warm-up stopped (so writes keep changing rows)."""
        s = self.settings
        table = self.table(key, requests)
        warm = wrk.run(self.stack.url, self.script, table, s.warmup, s.connections, s.threads)
        self.stack.check_alive()
        run = wrk.run(
            self.stack.url, self.script, table, duration, s.connections, s.threads, warm.requests // s.threads
        )
        result = Measurement(
            key,
            label,
            requests[0].path if len(requests) == 1 else f"{len({r.path for r in requests})} URLs",
            rps=run.rps,
            p50_ms=run.p50_ms,
            p90_ms=run.p90_ms,
            p99_ms=run.p99_ms,
            max_ms=run.max_ms,
            requests=run.requests,
            errors=run.errors,
            non_2xx=run.non_2xx,
            statuses=run.statuses,
            bytes_per_response=run.bytes // max(run.requests, 1),
            worker_rss_mb=max((memory_of(pid)["rss_mb"] for pid in self.stack.worker_pids()), default=0.0),
            urls=len({r.path for r in requests if not r.is_write}),
            writes=sum(r.is_write for r in requests),
            table_size=len(requests),
        )
        errors = f"  {run.error_count} errors {run.statuses or ''} {run.errors}" if run.error_count else ""
        say(f"  {label:<44} {run.rps:9,.0f} req/s  p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms{errors}")
        return result


def run_phase(settings: Settings, env: dict, engine: sa.Engine, size: int, build_seconds: float, last: bool) -> Phase:
    """The phase of one dataset size; the last one also measures the live streams and the workers' memory."""
    characters = players.read(engine, settings.players)
    timed = characters[0]
    say(f"Phase {size:,}: page builds in-process ({settings.builds} each, nothing cached)")
    builds = build_times.measure(
        env,
        timed.character_id,
        timed.email,
        settings.builds,
        5,
        settings.workdir / f"builds-{size}.json",
        settings.build_rounds,
    )
    for b in builds:
        say(f"  {b.label:<44} median {b.median_ms:7.2f} ms  p90 {b.p90_ms:7.2f} ms  {b.queries} queries")
    say(f"Phase {size:,}: starting Gunicorn and Nginx")
    stack = start_stack(settings.workdir, env, f"{size}")
    try:
        driver = Driver(settings, stack, str(size))
        signed_in = credentials.sign_in(stack.url, stack.context, characters)
        say(f"  {len(signed_in)} players signed in (session, CSRF token, write token)")
        reads = mix.reads(characters, signed_in, seed=size)
        mixed = mix.mixed(characters, signed_in, stack.url, seed=size)
        check_mix(stack, characters, reads, mixed)
        hello = mix.single(mix.HELLO_PATH)
        tables = {
            "reads": (f"Reads only ({len(reads)} URLs)", reads),
            "mixed": ("Mixed, 1 request in 5 a write", mixed),
        }
        ceiling_runs, runs = [], {key: [] for key in tables}
        for _ in range(settings.mix_rounds):
            ceiling_runs.append(driver.measure("hello", "Bare hello (ceiling)", hello, settings.duration))
            for key, (label, table) in tables.items():
                runs[key].append((driver.measure(key, label, table, settings.mix_duration), ceiling_runs[-1]))
        mix_runs = [combine_rounds(rounds) for rounds in runs.values()]
        live = measure_live(settings, stack, driver, signed_in, hello, mixed, size) if last else {}
        repeated = measure_repeats(settings, stack, engine, driver)
        ceiling_runs.append(driver.measure("hello", "Bare hello (ceiling)", hello, settings.duration))
        ceiling = combine_ceiling(ceiling_runs)
        rss = rss_growth(settings, stack, driver, mixed) if last else {}
        rss["workers"] = {str(pid): memory_of(pid) for pid in stack.worker_pids()}
        return Phase(size, build_seconds, ceiling.rps, [ceiling, *mix_runs], repeated, builds, rss, live)
    finally:
        stack.stop()


def combine_rounds(rounds: list[tuple[Measurement, Measurement]]) -> Measurement:
    """One table's runs, each with the hello of its round: the median of the rounds' ratios to their hello, the
    median throughput and latencies, the worst latency, every request and error."""
    runs = [run for run, _ in rounds]
    combined = runs[0]
    combined.rounds = [
        {"rps": run.rps, "hello_rps": hello.rps, "ratio": run.rps / hello.rps if hello.rps else 0.0,
         "p50_ms": run.p50_ms, "p99_ms": run.p99_ms}
        for run, hello in rounds
    ]  # fmt: skip
    combined.hello_ratio = statistics.median(r["ratio"] for r in combined.rounds)
    for name in ("rps", "p50_ms", "p90_ms", "p99_ms"):
        setattr(combined, name, statistics.median(getattr(run, name) for run in runs))
    combined.max_ms = max(run.max_ms for run in runs)
    combined.worker_rss_mb = max(run.worker_rss_mb for run in runs)
    combined.requests = sum(run.requests for run in runs)
    combined.non_2xx = sum(run.non_2xx for run in runs)
    combined.errors = {k: sum(run.errors.get(k, 0) for run in runs) for k in combined.errors}
    combined.statuses = {k: sum(run.statuses.get(k, 0) for run in runs) for k in {k for r in runs for k in r.statuses}}
    return combined


def combine_ceiling(runs: list[Measurement]) -> Measurement:
    """Every hello run of a phase: the mean throughput, the worse latencies, every error."""
    hello = runs[0]
    hello.rps = sum(m.rps for m in runs) / len(runs)
    hello.p50_ms = max(m.p50_ms for m in runs)
    hello.p99_ms = max(m.p99_ms for m in runs)
    hello.requests = sum(m.requests for m in runs)
    hello.non_2xx = sum(m.non_2xx for m in runs)
    hello.errors = {k: sum(m.errors.get(k, 0) for m in runs) for k in hello.errors}
    return hello


def check_mix(stack: Stack, characters: list[players.PlayerCharacter], reads: list, mixed: list) -> None:
    """Each player's first character read four ways and written both ways answers 200 with the right content.

    Raises RuntimeError naming the first request that does not: measuring a mix that fails measures nothing.
    """
    firsts = {c.email: c.character_id for c in reversed(characters)}
    sample = [r for r in reads if f"/characters/{firsts[r.owner]}" in r.path]
    written = set()
    for request in mixed:
        if request.is_write and (request.owner, request.view) not in written:
            written.add((request.owner, request.view))
            sample.append(request)
    client = Client(stack.url, stack.context)
    try:
        for request in sample:
            client.cookies.clear()  # each request carries its own player's cookies, and no one else's
            body = request.body.encode() if request.body is not None else None
            answer = client.request(request.method, request.path, body=body, headers=request.headers)
            wrong = mix.problem(request, answer.status, answer.headers.get("content-type", ""), answer.body)
            if wrong:
                sent = f"{request.method} {request.path} ({request.view} of {request.owner})"
                raise RuntimeError(f"{sent} {wrong}: {answer.body[:300]!r}")
    finally:
        client.close()
    say(f"  checked {len(sample)} requests of the mix: all 200")


def measure_live(
    settings: Settings,
    stack: Stack,
    driver: Driver,
    signed_in: dict[str, mix.Credentials],
    hello: list[wrk.Request],
    mixed: list[wrk.Request],
    seed: int,
) -> dict:
    """The mix's rounds (hello, mixed) again with `subscribers` idle streams open through Nginx; then one more mixed
    run while a GM writes a note every 0.2 s, each timed until every follower of its campaign had it."""
    s = settings
    campaigns = live_streams.create_campaigns(stack.url, stack.context, signed_in)
    say(f"Live: {s.subscribers:,} streams over {len(campaigns)} campaigns run by the mix's players")
    pid = next(iter(stack.stream_worker_pids()), 0)
    idle = memory_of(pid)["rss_mb"]
    subscribers = live_streams.Subscribers(stack.url, stack.context, campaigns, s.subscribers)
    writer = live_streams.Writer(stack.url, stack.context, campaigns, seed)
    hellos, rounds = [], []
    # the stream worker's CPU seconds, and the seconds run: streams idle beside the hello and the mix, and with notes
    busy = {"hello": [0.0, 0.0], "idle": [0.0, 0.0], "mixed": [0.0, 0.0]}

    def timed(kind: str, key: str, label: str, table: list[wrk.Request], duration: float) -> Measurement:
        started, cpu = time.monotonic(), cpu_seconds(pid)
        result = driver.measure(key, label, table, duration)
        busy[kind][0] += cpu_seconds(pid) - cpu
        busy[kind][1] += time.monotonic() - started
        return result

    try:
        took = subscribers.start()
        connected, opened = subscribers.connected(), memory_of(pid)["rss_mb"]
        say(f"  {connected:,} of {s.subscribers:,} streams open in {took:.0f} s; stream worker RSS {opened:.0f} MB "
            f"({idle:.0f} MB before){'; ' + subscribers.failures[0] if subscribers.failures else ''}")  # fmt: skip
        # The cost: the same rounds as the mix's own, the streams open and idle.
        for _ in range(s.mix_rounds):
            hellos.append(timed("hello", "hello", live_streams.hello_label(s.subscribers), hello, s.duration))
            run = timed("idle", "live-mixed", live_streams.label(s.subscribers), mixed, s.mix_duration)
            rounds.append((run, hellos[-1]))
        # The delivery: one more mixed run while a GM writes a note every WRITE_EVERY seconds.
        writer.start()
        try:
            noted = timed("mixed", "live-notes", live_streams.notes_label(s.subscribers), mixed, s.mix_duration)
        finally:
            writer.stop()
        subscribers.wait_for(writer.writes)
        streams = subscribers.figures()
        end = memory_of(pid)
    finally:
        subscribers.close()
        writer.close()
    delivery = live_streams.deliveries(writer.writes, subscribers.followers())
    raw = live_streams.raw(writer.writes, subscribers.subscribers)
    (s.workdir / "live-notes.json").write_text(json.dumps(raw))
    d = delivery
    say(f"  {d['arrived']:,} of {d['expected']:,} deliveries of {d['writes']:,} notes; write to delivery p50 "
        f"{d['p50_ms'] or 0:.0f} ms, p99 {d['p99_ms'] or 0:.0f} ms; {streams['connected']:,} streams open, "
        f"{streams['ends']:,} ended early, {streams['drops']:,} lost")  # fmt: skip
    return {
        **streams,
        "connected_at_start": connected,
        "connect_seconds": took,
        "write_every_s": live_streams.WRITE_EVERY,
        "mixed": asdict(combine_rounds(rounds)),
        "noted": asdict(noted),
        "hello": asdict(combine_ceiling(hellos)),
        "stream_worker": {
            "pid": pid,
            "idle_mb": idle,
            "open_mb": opened,
            "end_mb": end["rss_mb"],
            "peak_mb": end["peak_mb"],
            # the share of one core it used while the hello ran (streams idle) and while the mix ran (notes sent)
            **{f"cpu_{kind}": cpu / seconds if seconds else 0.0 for kind, (cpu, seconds) in busy.items()},
        },
        "delivery": delivery,
    }


def measure_repeats(settings: Settings, stack: Stack, engine: sa.Engine, driver: Driver) -> list[Measurement]:
    headers = repeats.viewers(stack.url, stack.context)
    script = Client(stack.url, stack.context)
    deep_cursor, pages = repeats.walk_list(script, headers["token"])
    say(f"  walked the character list: {pages:,} pages of 100")
    results = []
    for target in repeats.targets(repeats.bench_character(engine), deep_cursor):
        missing = repeats.check_target(script, target, headers)
        if missing:
            say(f"  {target.label:<44} skipped: {missing}")
            results.append(Measurement(target.key, target.label, target.path, missing=missing))
            continue
        request = target.request(headers)
        measured = driver.measure(f"repeat-{target.key}", target.label, [request], settings.duration)
        measured.key = target.key
        results.append(measured)
    script.close()
    return results


def rss_growth(settings: Settings, stack: Stack, driver: Driver, mixed: list[wrk.Request]) -> dict:
    """The mixed table in short rounds until `rss_requests` were answered; RSS of each worker after every round.

    Each round goes on in the table where the last one stopped. Growth is judged over the last half: the first
    sample at or past half the requests against the last one.
    """
    s = settings
    table = driver.table("rss-mixed", mixed)
    say(f"  RSS over {s.rss_requests:,} requests of the mixed table ({len(mixed)} requests, writes among them)")
    samples = [{"requests": 0, "workers": _rss(stack)}]
    total, errors = 0, 0
    while total < s.rss_requests:
        run = wrk.run(stack.url, driver.script, table, RSS_ROUND_SECONDS, s.connections, s.threads, total // s.threads)
        total += run.requests
        errors += run.error_count
        samples.append({"requests": total, "workers": _rss(stack)})
    half = next(sample for sample in samples if sample["requests"] >= total / 2)
    end = samples[-1]
    growth = {
        pid: (end["workers"][pid] - half["workers"][pid]) / half["workers"][pid]
        for pid in end["workers"]
        if half["workers"].get(pid)
    }
    say(f"  RSS growth over the last half: {', '.join(f'{g:+.1%}' for g in growth.values())}; {errors} errors")
    return {"requests": total, "errors": errors, "samples": samples, "half": half, "end": end, "growth": growth}


def _rss(stack: Stack) -> dict[str, float]:
    return {str(pid): memory_of(pid)["rss_mb"] for pid in stack.worker_pids()}


if __name__ == "__main__":
    sys.exit(main())
