"""The benchmark's verdicts against the issue's targets, and its report: a console table and docs/PERFORMANCE.md."""

import os
import platform
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The targets: throughput as a share of the bare route's, measured in the same phase.
RATIO_TARGETS = {"sheet": 0.30, "inventory": 0.25, "compendium": 0.50, "api_character": 0.50, "home": 0.40}
P99_LIMIT_MS = 50.0
DEEP_PAGE_FACTOR = 1.3
RSS_LIMIT_MB = 150.0
RSS_GROWTH_LIMIT = 0.10


@dataclass
class Verdict:
    goal: str
    measured: str
    ok: bool | None  # None: not measured


@dataclass
class Result:
    started_at: datetime
    settings: dict
    machine: dict
    phases: list  # of bench.run.Phase
    seconds: float
    verdicts: list[Verdict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.verdicts = verdicts(self.phases)


def ratio(phase, key: str) -> float | None:
    m = _get(phase, key)
    return m.rps / phase.ceiling_rps if m and phase.ceiling_rps else None


def _get(phase, key: str):
    return next((m for m in phase.measurements if m.key == key and not m.missing), None)


def verdicts(phases: list) -> list[Verdict]:
    result = []
    for key, goal in RATIO_TARGETS.items():
        label = next((m.label for p in phases for m in p.measurements if m.key == key), key)
        parts, oks = [], []
        for phase in phases:
            value = ratio(phase, key)
            if value is not None:
                parts.append(f"{value:.2f} at {phase.characters:,}")
                oks.append(value >= goal)
        result.append(Verdict(f"{label} ≥ {goal:.2f} × ceiling", ", ".join(parts) or "not measured", _all(oks)))
    worst = [
        (m.p99_ms, m.label, phase.characters)
        for phase in phases
        for m in phase.measurements
        if m.key != "hello" and not m.missing
    ]
    if worst:
        p99, label, size = max(worst)
        result.append(
            Verdict(
                f"p99 ≤ {P99_LIMIT_MS:g} ms everywhere", f"worst {p99:.1f} ms ({label}, {size:,})", p99 <= P99_LIMIT_MS
            )
        )
    else:
        result.append(Verdict(f"p99 ≤ {P99_LIMIT_MS:g} ms everywhere", "not measured", None))
    result.append(deep_page_verdict(phases))
    peaks = [w["peak_mb"] for phase in phases for w in phase.rss.get("workers", {}).values()]
    result.append(
        Verdict(f"Worker peak RSS ≤ {RSS_LIMIT_MB:g} MB", f"{max(peaks):.0f} MB" if peaks else "not measured",
                max(peaks) <= RSS_LIMIT_MB if peaks else None)
    )  # fmt: skip
    growth = [g for phase in phases for g in phase.rss.get("growth", {}).values()]
    requests = next((phase.rss["requests"] for phase in phases if "requests" in phase.rss), 0)
    result.append(
        Verdict(
            f"RSS growth ≤ {RSS_GROWTH_LIMIT:.0%} over the last half of {requests:,} requests",
            ", ".join(f"{g:+.1%}" for g in growth) or "not measured",
            all(g <= RSS_GROWTH_LIMIT for g in growth) if growth else None,
        )
    )
    return result


def deep_page_verdict(phases: list) -> Verdict:
    """Deep page at the largest size against the first page at the smallest, both as shares of their ceiling."""
    goal = (
        f"Deep list page at {phases[-1].characters:,} ≤ {DEEP_PAGE_FACTOR}× the first page at {phases[0].characters:,}"
    )
    first, deep = ratio(phases[0], "api_list_first"), ratio(phases[-1], "api_list_deep")
    if not first or not deep:
        return Verdict(goal, "not measured", None)
    cost = first / deep
    raw = _get(phases[0], "api_list_first").rps / _get(phases[-1], "api_list_deep").rps
    return Verdict(goal, f"{cost:.2f}× (raw req/s {raw:.2f}×)", cost <= DEEP_PAGE_FACTOR)


def _all(oks: list[bool]) -> bool | None:
    return all(oks) if oks else None


def _mark(ok: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "—"}[ok]


def machine(env: dict, database_url: str, redis_url: str) -> dict:
    """What the numbers were measured on."""
    info = {
        "cpu": _cpu_model(),
        "cores": str(len(os.sched_getaffinity(0))),
        "memory": f"{_mem_total_gib():.1f} GiB",
        "os": f"{_os_name()}, Linux {platform.release()}",
        "python": platform.python_version(),
        "postgresql": _postgres_version(database_url),
        "redis": _redis_version(redis_url),
        "nginx": _first_line(["nginx", "-v"]).removeprefix("nginx version: "),
        "wrk": _first_line(["wrk", "-v"]).split(" [")[0],
        "gunicorn": _gunicorn(env),
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


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") or "unknown"


def _rows(phase) -> list[list[str]]:
    rows = []
    for m in phase.measurements:
        if m.missing:
            rows.append([m.label, "—", "—", "—", "—", "—", f"not measured: {m.missing}"])
            continue
        share = m.rps / phase.ceiling_rps if phase.ceiling_rps else 0
        goal = RATIO_TARGETS.get(m.key)
        note = f"goal ≥ {goal:.2f}: {_mark(share >= goal)}" if goal else ""
        if m.key != "hello" and m.p99_ms > P99_LIMIT_MS:
            note = (note + "; " if note else "") + f"p99 > {P99_LIMIT_MS:g} ms"
        errors = sum(m.errors.values())
        if errors:
            note = (note + "; " if note else "") + f"{errors} errors {m.errors}"
        rows.append([
            m.label, f"{m.rps:,.0f}", f"{share:.2f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
            f"{m.worker_rss_mb:.0f}", note,
        ])  # fmt: skip
    return rows


HEADERS = ["target", "req/s", "× ceiling", "p50 ms", "p99 ms", "worker RSS MB", "notes"]


def console(result: Result) -> str:
    lines = []
    for phase in result.phases:
        lines.append(f"{phase.characters:,} characters (ceiling {phase.ceiling_rps:,.0f} req/s)")
        rows = [HEADERS, *_rows(phase)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
        for row in rows:
            lines.append("  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) if i < 6 else cell
                                          for i, cell in enumerate(row)))  # fmt: skip
        lines.append("")
    lines.append("Targets")
    for v in result.verdicts:
        lines.append(f"  {_mark(v.ok):<4}  {v.goal}: {v.measured}")
    return "\n".join(lines)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def markdown(result: Result) -> str:
    s = result.settings
    m = result.machine
    lines = [
        "# Performance",
        "",
        f"Numbers of the last full `make bench` run: {result.started_at:%Y-%m-%d %H:%M} UTC, commit {_commit()} "
        f"plus the working tree of that moment, {result.seconds / 60:.1f} minutes. Regenerate with `make bench`; "
        "this file is overwritten by it.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [
            ["CPU", f"{m['cpu']}, {m['cores']} cores"],
            ["Memory", m["memory"]],
            ["OS", m["os"]],
            ["Python", m["python"]],
            ["PostgreSQL", m["postgresql"]],
            ["Redis", m["redis"]],
            ["Nginx", m["nginx"]],
            ["wrk", m["wrk"]],
            ["Gunicorn", m["gunicorn"]],
            ["Packages", m["packages"]],
        ]),
        "",
        "## Method",
        "",
        f"`make bench` (bench/run.py) recreates the PostgreSQL database `{s['database']}`, migrates it, loads the "
        "reference content and bulk-loads characters that obey the rules (point-buy scores, level from experience, "
        "30 inventory items each, equipped items carried and in fitting slots, ten characters per user). For each "
        f"dataset size it starts Gunicorn with deploy/gunicorn.conf.py (APP_ENV=production, rate limits off, "
        f"LOG_LEVEL=WARNING, Redis `{s['redis_url']}`) behind Nginx with TLS on loopback, signs in through the "
        "login form, creates a personal API token, and drives each target with "
        f"`wrk -t{s['threads']} -c{s['connections']}` for {s['duration']} s after a {s['warmup']} s warm-up. "
        "The ceiling is a bare `/bench/hello` route served by the same app and stack (registered only by "
        "bench/hello.py), measured before and after the targets; ratios divide by their mean. The load generator "
        "shares the machine's cores with Nginx, Gunicorn and PostgreSQL, so compare ratios, not absolute numbers. "
        "The home page and compendium fragment are anonymous (with the cookies a browser keeps from its first page); "
        "sheet and inventory use the signed-in session; the API uses the token. The deep list page is the deepest "
        "cursor reached by walking the list to its end.",
        "",
        "Reading the latencies: wrk keeps all 32 connections busy, so by Little's law the mean latency is "
        "32 / throughput (32 ms at 1,000 req/s) and p99 sits a few times above it; a p99 under 50 ms needs "
        "well over 1,000 req/s on this machine. Other work on a shared machine shows up as noise in p99 "
        "first; ratios to the ceiling of the same phase are the stable figures.",
        "",
        "What is measured is mostly the repeat: wrk asks for the same answer again and again, and workers keep "
        "whole answers per viewer until a write moves a generation they read (README, Architecture), so a "
        "repeat costs one Redis round trip and no query. What building an answer costs is counted in "
        "tests/bench/test_query_counts.py: a fixed number of queries whatever the dataset's size.",
        "",
    ]  # fmt: skip
    for phase in result.phases:
        lines += [
            f"## {phase.characters:,} characters",
            "",
            f"Ceiling {phase.ceiling_rps:,.0f} req/s; dataset built in {phase.build_seconds:.0f} s.",
            "",
            *_table(HEADERS, _rows(phase)),
            "",
        ]
    targets = [[v.goal, v.measured, _mark(v.ok)] for v in result.verdicts]
    lines += ["## Targets", "", *_table(["goal", "measured", "verdict"], targets), ""]
    for phase in result.phases:
        rss = phase.rss
        if "samples" not in rss:
            continue
        rows = []
        for pid, figures in rss["workers"].items():
            half, end = rss["half"]["workers"].get(pid), rss["end"]["workers"].get(pid)
            growth = rss["growth"].get(pid)
            rows.append([
                pid, f"{figures['peak_mb']:.0f}", f"{half:.0f}" if half else "—", f"{end:.0f}" if end else "—",
                f"{growth:+.1%}" if growth is not None else "—",
            ])  # fmt: skip
        lines += [
            f"## Worker memory ({phase.characters:,} characters)",
            "",
            f"A mixed load (every measured target in turn) of {rss['requests']:,} requests after the measurements; "
            f"RSS read from /proc/<pid>/status (VmRSS; peak is VmHWM) at {rss['half']['requests']:,} and at "
            f"{rss['end']['requests']:,} requests.",
            "",
            *_table(["worker pid", "peak MB", "RSS at half MB", "RSS at end MB", "growth"], rows),
            "",
        ]
    lines += [
        "## Running it",
        "",
        "`make bench` (about 10 minutes). Knobs: `BENCH_DURATION` (seconds per target, default 10), "
        "`BENCH_WARMUP` (3), `BENCH_CONNECTIONS` (32), `BENCH_SIZES` (`1000,100000`), `BENCH_RSS_REQUESTS` "
        "(20000), `BENCH_DATABASE` (`tavern_bench`), `BENCH_REDIS_URL` (`redis://127.0.0.1:6379/9`). Raw figures "
        "land in `var/bench/results.json`, server logs in `var/bench/logs/`.",
        "",
    ]
    return "\n".join(lines)


def as_json(result: Result) -> dict:
    return {
        "started_at": result.started_at.isoformat(),
        "seconds": result.seconds,
        "settings": result.settings,
        "machine": result.machine,
        "phases": [asdict(phase) for phase in result.phases],
        "verdicts": [asdict(v) for v in result.verdicts],
    }
