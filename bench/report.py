"""The benchmark's report: a console summary and docs/PERFORMANCE.md, with every target's verdict.

`python -m bench.report [results.json] [PERFORMANCE.md]` writes the report of a finished run again from its raw
figures (var/bench/results.json), for when only the report's wording changed.
"""

import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench import machine, verdicts
from bench.build_times import BUDGETS_MS
from bench.results import BuildTime, Measurement, Phase
from bench.verdicts import Verdict, mark

ROOT = Path(__file__).resolve().parent.parent
# The verdict each headline run is held to: (ratio to the hello, p99 in ms or None).
MIX_GOALS = {"reads": (verdicts.READS_RATIO, None), "mixed": (verdicts.MIXED_RATIO, verdicts.MIXED_P99_MS)}
MIX_NAMES = {"reads": "reads only", "mixed": "mixed"}
MIX_HEADERS = ["run", "URLs read", "writes", "req/s", "× hello", "each round: × hello (p99 ms)", "p50 ms", "p99 ms",
               "requests", "errors", "notes"]  # fmt: skip
BUILD_HEADERS = ["view", "median ms", "p90 ms", "budget ms", "builds", "each round's median", "SQL queries", "verdict"]
REPEAT_HEADERS = ["one URL, asked again and again", "req/s", "× hello", "p50 ms", "p99 ms", "worker RSS MB", "notes"]
LIVE_HEADERS = ["run", "req/s", "× hello", "each round: × hello (p99 ms)", "p50 ms", "p99 ms", "requests", "errors"]


@dataclass
class Result:
    started_at: datetime
    settings: dict
    machine: dict
    phases: list[Phase]
    seconds: float
    verdicts: list[Verdict] = field(default_factory=list)

    def __post_init__(self) -> None:
        connections = int(self.settings.get("connections", 32))
        self.verdicts = verdicts.judge(self.phases, connections)


def _errors(m: Measurement) -> str:
    """The errors of a run, by status; empty when there were none."""
    if not m.error_count:
        return ""
    by_status = ", ".join(f"{status}: {n:,}" for status, n in sorted(m.statuses.items()))
    sockets = {k: v for k, v in m.errors.items() if k != "status" and v}
    return "; ".join(filter(None, [by_status, ", ".join(f"{k}: {v:,}" for k, v in sockets.items())]))


def mix_rows(phase: Phase) -> list[list[str]]:
    rows = []
    for m in phase.mix:
        share = phase.share(m)
        notes = []
        if m.key in MIX_GOALS:
            goal, p99 = MIX_GOALS[m.key]
            notes.append(f"goal ≥ {goal:.2f}: {mark(share >= goal)}")
            if p99 is not None:
                notes.append(f"p99 goal ≤ {p99:g} ms: {mark(m.p99_ms <= p99)}")
        if m.error_count:
            notes.append(f"**FLAGGED: {m.error_count:,} errors** ({_errors(m)})")
        rows.append([
            m.label, f"{m.urls:,}", f"{m.writes / max(m.table_size, 1):.0%}", f"{m.rps:,.0f}", f"{share:.2f}",
            ", ".join(f"{r['ratio']:.2f} ({r['p99_ms']:.0f})" for r in m.rounds) or "—", f"{m.p50_ms:.1f}",
            f"{m.p99_ms:.1f}", f"{m.requests:,}", f"{m.error_count:,}", "; ".join(notes),
        ])  # fmt: skip
    return rows


def live_rows(phase: Phase) -> list[list[str]]:
    """The hello and the mix without the streams (the phase's regular runs) and with them open."""
    runs = [
        phase.get("hello"),
        phase.live_run("hello"),
        phase.get("mixed"),
        phase.live_run("mixed"),
        phase.live_run("noted"),
    ]
    rows = []
    for m in filter(None, runs):
        rounds = ", ".join(f"{r['ratio']:.2f} ({r['p99_ms']:.0f})" for r in m.rounds) or "—"
        share = f"{phase.share(m):.2f}" if m.hello_ratio is not None else "—"
        errors = f"**{m.error_count:,}** ({_errors(m)})" if m.error_count else "0"
        rows.append([m.label, f"{m.rps:,.0f}", share, rounds, f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
                     f"{m.requests:,}", errors])  # fmt: skip
    return rows


def live_figures(phase: Phase) -> list[list[str]]:
    """What the streams cost, how many stayed open, the stream worker's memory and the notes' delivery."""
    live, cost = phase.live, phase.live_cost()
    with_streams, without = phase.live_run("mixed"), phase.get("mixed")
    if cost is None or with_streams is None or without is None:
        return []
    d, worker = live["delivery"], live["stream_worker"]
    by_ratio = with_streams.hello_ratio and without.hello_ratio
    measured = (
        f"1 − {with_streams.hello_ratio:.3f} / {without.hello_ratio:.3f} × hello = {cost:.1%}"
        if by_ratio
        else f"1 − {with_streams.rps:,.0f} / {without.rps:,.0f} req/s = {cost:.1%}"
    )
    rps = f"; in req/s {with_streams.rps:,.0f} against {without.rps:,.0f}" if by_ratio else ""

    def ms(value: float | None) -> str:
        return f"{value:,.0f} ms" if value is not None else "—"

    p99_ok = d["p99_ms"] is not None and d["p99_ms"] <= verdicts.DELIVERY_P99_MS
    return [
        ["Cost of the open streams",
         f"{measured} (goal ≤ {verdicts.LIVE_COST_LIMIT:.0%}: {mark(cost <= verdicts.LIVE_COST_LIMIT)}){rps}"],
        ["Streams",
         f"{live['connected_at_start']:,} of {live['subscribers']:,} open in {live['connect_seconds']:.0f} s over "
         f"{live['campaigns']:,} campaigns; {live['connected']:,} open at the end; {live.get('ends', 0):,} ended "
         f"by the server and {live['drops']:,} lost or refused, each followed again with Last-Event-ID "
         f"({live['connections']:,} connections in all); {live['heartbeats']:,} heartbeats read"
         + (f"; first failure: {live['failures'][0]}" if live.get("failures") else "")],
        [f"Stream worker RSS (pid {worker['pid']})",
         f"{worker['idle_mb']:.0f} MB before, {worker['open_mb']:.0f} MB with the streams open, "
         f"{worker['end_mb']:.0f} MB at the end (peak {worker['peak_mb']:.0f} MB)"],
        ["Stream worker CPU",
         f"{worker.get('cpu_hello', 0):.1%} of a core while the hello ran and {worker.get('cpu_idle', 0):.1%} "
         f"while the mixed table ran (streams idle), {worker.get('cpu_mixed', 0):.1%} while notes were "
         "delivered"],
        ["Notes written",
         f"{d['writes']:,}, one every {live['write_every_s']:g} s during the last mixed run; {d['failed_writes']:,} "
         "not written" + (f" ({', '.join(d['write_errors'])})" if d["write_errors"] else "")],
        ["Deliveries", f"{d['arrived']:,} of {d['expected']:,} arrived ({live.get('repeats', 0):,} twice)"],
        ["Write to delivery",
         f"p50 {ms(d['p50_ms'])}, p99 {ms(d['p99_ms'])}, max {ms(d['max_ms'])} (goal p99 ≤ "
         f"{verdicts.DELIVERY_P99_MS / 1000:g} s: {mark(p99_ok if d['p99_ms'] is not None else None)}); "
         f"the notes' own answers p50 {ms(d.get('answer_p50_ms'))}, p99 {ms(d.get('answer_p99_ms'))}"],
    ]  # fmt: skip


def live_section(phase: Phase, settings: dict) -> list[str]:
    if not phase.live:
        return []
    live, rounds = phase.live, str(settings.get("mix_rounds", "3"))
    return [
        "### Live streams",
        "",
        f"After the mix's rounds, {live['subscribers']:,} Server-Sent Events streams "
        "(`GET /api/v1/campaigns/<id>/stream` over HTTP/1.0, each with its GM's token) were opened through Nginx "
        "on the stream Gunicorn, one gevent worker as in production, spread over "
        f"{live['campaigns']:,} campaigns that the mix's players made through the API, and held idle by one "
        f"asyncio loop in the benchmark's process; then the hello and the mixed table ran {rounds} more "
        f"round{'s' if rounds != '1' else ''} as above, each divided by its own hello, the streams idle. Then "
        f"one more mixed run, during which (warm-up included) a GM wrote a note every {live['write_every_s']:g} s "
        "on a random one of "
        "those campaigns (`POST /api/v1/campaigns/<id>/events` through Nginx, a few keep-alive connections, so a "
        "slow answer does not hold up the next note). A delivery is a note's `data:` line read by one follower of "
        "its campaign, timed from when the note's request was sent, so it includes the note's own answer time. "
        "The cost compares the mixed table's median ratio to its round's hello with the idle streams open "
        "against the same phase's regular mixed rounds (the machine's speed drifts in the minutes between them, "
        "and each round's hello carries the drift); the stream worker's share of a core is shown apart for "
        "each run.",
        "",
        *_table(LIVE_HEADERS, live_rows(phase)),
        "",
        *_table(["", ""], live_figures(phase)),
        "",
    ]


def build_rows(phase: Phase) -> list[list[str]]:
    rows = []
    for b in phase.builds:
        budget = BUDGETS_MS.get(b.view)
        verdict = mark(b.median_ms <= budget) if budget is not None else "—"
        rounds = ", ".join(f"{median:.2f}" for median in b.round_medians_ms) or "—"
        rows.append([b.label, f"{b.median_ms:.2f}", f"{b.p90_ms:.2f}", f"{budget:g}" if budget else "—",
                     f"{b.builds:,}", rounds, str(b.queries), verdict])  # fmt: skip
    return rows


def repeat_rows(phase: Phase) -> list[list[str]]:
    rows = []
    for m in phase.repeats:
        if m.missing:
            rows.append([m.label, "—", "—", "—", "—", "—", f"not measured: {m.missing}"])
            continue
        share = phase.share(m)
        note = f"**FLAGGED: {m.error_count:,} errors** ({_errors(m)})" if m.error_count else ""
        rows.append([m.label, f"{m.rps:,.0f}", f"{share:.2f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
                     f"{m.worker_rss_mb:.0f}", note])  # fmt: skip
    return rows


def console(result: Result) -> str:
    lines = []
    for phase in result.phases:
        lines.append(f"{phase.characters:,} characters (hello {phase.ceiling_rps:,.0f} req/s)")
        for headers, rows in ((MIX_HEADERS, mix_rows(phase)), (BUILD_HEADERS, build_rows(phase)),
                              (REPEAT_HEADERS, repeat_rows(phase))):  # fmt: skip
            lines += _aligned(headers, rows)
            lines.append("")
        if phase.live:
            lines.append("Live streams")
            lines += _aligned(LIVE_HEADERS, live_rows(phase))
            lines += [f"  {name}: {value}" for name, value in live_figures(phase)]
            lines.append("")
    lines.append("Targets")
    for v in result.verdicts:
        lines.append(f"  {mark(v.ok):<4}  {v.goal}: {v.measured}")
    return "\n".join(lines)


def _aligned(headers: list[str], rows: list[list[str]]) -> list[str]:
    table = [headers, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    return ["  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def markdown(result: Result) -> str:
    s, m = result.settings, result.machine
    failing = [v for v in result.verdicts if v.ok is False]
    lines = [
        "# Performance",
        "",
        f"Numbers of the last full `make bench` run: {result.started_at:%Y-%m-%d %H:%M} UTC, commit "
        f"{m.get('commit') or machine.commit()} plus the working tree of that moment, "
        f"{result.seconds / 60:.1f} minutes. Regenerate with `make bench`; this file is overwritten by it.",
        "",
        f"**{len(failing)} of {len(result.verdicts)} targets fail in this run** (see Targets). {headline(result)}",
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
        *method(s),
    ]  # fmt: skip
    targets = [[v.goal, v.measured, mark(v.ok)] for v in result.verdicts]
    lines += ["## Targets", "", *_table(["goal", "measured", "verdict"], targets), ""]
    for phase in result.phases:
        lines += [
            f"## {phase.characters:,} characters",
            "",
            f"Hello {phase.ceiling_rps:,.0f} req/s (mean of every hello run); dataset built in "
            f"{phase.build_seconds:.0f} s.",
            "",
            "### The real mix",
            "",
            *_table(MIX_HEADERS, mix_rows(phase)),
            "",
            *repeats_per_url(phase),
            *live_section(phase, s),
            "### Page builds in-process",
            "",
            *_table(BUILD_HEADERS, build_rows(phase)),
            "",
            "### Repeats of one URL (not the mix)",
            "",
            "Each row asks for one and the same URL again and again with one viewer's credentials and no writes: "
            "it measures how fast a repeated answer comes back, not what players see.",
            "",
            *_table(REPEAT_HEADERS, repeat_rows(phase)),
            "",
        ]
    lines += memory(result.phases)
    lines += [
        "## Running it",
        "",
        "`make bench` (about 11 minutes). Knobs: `BENCH_MIX_DURATION` (seconds per mix run, default 30), "
        "`BENCH_DURATION` (seconds per hello and repeat run, 10), `BENCH_WARMUP` (3), `BENCH_CONNECTIONS` (32), "
        "`BENCH_SIZES` (`1000,100000`), `BENCH_PLAYERS` (30), `BENCH_BUILDS` (200), `BENCH_BUILD_ROUNDS` (5), "
        "`BENCH_RSS_REQUESTS` (20000), `BENCH_SUBSCRIBERS` (1000, the live streams of the last size), "
        "`BENCH_DATABASE` (`tavern_bench`), "
        "`BENCH_REDIS_URL` (`redis://127.0.0.1:6379/9`), `BENCH_OUTPUT` (this file). Raw figures land in "
        "`var/bench/results.json`, the request tables in `var/bench/tables/`, server logs in `var/bench/logs/`, "
        "each live note with every follower's arrival in `var/bench/live-notes.json`.",
        "",
    ]
    return "\n".join(lines)


def repeats_per_url(phase: Phase) -> list[str]:
    """How often the mix asked each URL it reads: how much of it the workers' kept answers could serve."""
    parts = [
        f"{MIX_NAMES[m.key]} {m.requests * (1 - m.writes / m.table_size) / m.urls:,.0f}"
        for m in phase.mix
        if m.key in MIX_NAMES and m.urls and m.table_size
    ]
    return [f"Times each URL was read, on average: {'; '.join(parts)}.", ""] if parts else []


def headline(result: Result) -> str:
    """The mix's figures at the largest size, in one sentence."""
    if not result.phases:
        return ""
    phase = result.phases[-1]
    mixed, reads = phase.get("mixed"), phase.get("reads")
    if not mixed or not reads or not phase.ceiling_rps:
        return ""
    return (
        f"At {phase.characters:,} characters the mixed load (one request in five a write) runs at "
        f"{phase.share(mixed):.2f} × the bare hello with a p99 of {mixed.p99_ms:,.0f} ms, and reads "
        f"only at {phase.share(reads):.2f} × the hello."
    )


def method(s: dict) -> list[str]:
    players = int(s.get("players", 30))
    return [
        "## Method",
        "",
        f"`make bench` (bench/run.py) recreates the PostgreSQL database `{s['database']}`, migrates it, loads the "
        "reference content and bulk-loads characters that obey the rules (point-buy scores, level from experience, "
        "30 inventory items each, equipped items carried and in fitting slots, ten characters per user). Beside "
        f"them it creates the mix's {players} players, each with 3 such characters of 30 inventory "
        "rows. For each dataset size it first times page builds in-process, then starts Gunicorn with "
        "deploy/gunicorn.conf.py (APP_ENV=production, rate limits off, LOG_LEVEL=WARNING, Redis "
        f"`{s['redis_url']}`), beside it a second one for the live streams as production runs them (the same app and "
        "configuration with `GUNICORN_WORKER_CLASS=gevent`, one worker), both behind Nginx with TLS on loopback "
        "(which sends the stream locations to the second), and drives them with "
        f"`wrk -t{s['threads']} -c{s['connections']}` at full speed. Rate limits are off because the mix would "
        "pass them within seconds; in production the API's limit also checks the caller's credential and counts in "
        "Redis before every API view, a cost these figures leave out.",
        "",
        "**The real mix** (the headline). Every player signs in through the login form (session cookie, and the "
        "CSRF token that the page's `<body hx-headers>` gives htmx) and creates a personal API token with write "
        "scope. *Reads only* is a table of every player's own characters, four views each with the owner's "
        "credentials: `GET /characters/<id>` and `/characters/<id>/inventory` by cookie, "
        "`GET /api/v1/characters/<id>` and `/api/v1/characters/<id>/sheet` by token "
        f"({players} × 3 × 4 = {players * 12} URLs), "
        "in an order spread over all players; it is walked again and again, so once every answer was built, "
        "what the workers keep may answer the rest (nothing changes them). *Mixed* walks the same reads with a "
        "write after every fourth: "
        "half the inventory page's quantity form exactly as htmx posts it (`POST "
        "/characters/<id>/inventory/<item>/quantity`, form fields `csrf_token` and `quantity`, `HX-Request`, "
        "`X-CSRFToken`, the page as referrer; the answer is the changed row, with the load card and stats panel "
        "out of band), half `PATCH "
        '/api/v1/characters/<id>/inventory/<item>` with `{"quantity": N}`. Each character has two writable rows, '
        "each set twice to two different quantities from 1 to 9 (never below the slots the item fills; with "
        "every writable row at 9 the pack stays under the load limit), so every answer should be 200 and walking "
        "the table keeps changing rows. wrk loads the table with a Lua script; each thread walks all of it from "
        "its own offset, and a measured run goes on where its warm-up stopped. Any answer other than 2xx, and "
        "any socket error, counts as an error and flags the run. Each run lasts "
        f"{s.get('mix_duration', '12')} s after a {s['warmup']} s warm-up.",
        "",
        f"**Rounds.** The hello, reads only and mixed run in turn, {s.get('mix_rounds', '3')} times over, and each "
        "round divides by its own hello: the speed of this shared virtual machine drifts by a third within "
        "minutes, and a ratio of runs taken a minute apart measures the drift. A table's ratio is the median of its "
        "rounds' ratios; its req/s, p50 and p99 are the medians of its rounds' (every round is shown).",
        "",
        "**The hello** is a bare `/bench/hello` route served by the same app and stack (registered only by "
        "bench/hello.py), driven through the same Lua script (its status check included, so every run costs the "
        "load generator alike) for "
        f"{s['duration']} s in each round (above) and once more after the repeats; the repeats divide by the mean "
        "of every hello run. The load "
        "generator shares the machine's cores with Nginx, Gunicorn and PostgreSQL, so compare ratios, not "
        "absolute numbers.",
        "",
        "**Page builds** are timed in a process of their own (bench/build_times.py): the app is created on the "
        "benchmark database with the production configuration but `CACHE_TYPE=NullCache` "
        "and rate limits off, the first mix player signs in through the test client, and after five warm-up "
        f"requests each view of their first character (30 inventory rows) is asked for {s.get('builds', 200)} "
        "times in turn, the pages with the browser's cookies and the API with the token alone, as the mix and a "
        "script ask them. Each time runs from the call of the app with the request's WSGI environ (built "
        "beforehand, as a server builds it before it calls the app) until the answer's body was read and closed: "
        "the app's whole request handling, with no network and no client's work, each request in an app context "
        "of its own as Gunicorn serves it: its own database session, "
        "pool checkout (with its check that the connection is still open) and, for a write, transaction; one "
        "more build of each counts its SQL statements. Three routes of bench/hello.py that do no work of their "
        "own are timed among them, the floors (no budget): a bare route, an empty page behind the session check "
        "and an empty JSON answer behind the token check, what any request, a signed-in page and an API read "
        "cost before a view's own work. The builds are timed in "
        f"{s.get('build_rounds', 3)} rounds and each view reports its quietest round (the lowest median; every "
        "round's median is shown beside it): this machine is a shared virtual one, where other work only ever "
        "adds time, in bursts of seconds.",
        "",
        "**Repeats of one URL** (the second table) are what earlier runs reported: one viewer (the bench user, "
        "or an anonymous visitor keeping a first page's cookies) asks for one URL again and again, no writes. "
        "They measure how fast a kept answer comes back, not the product under players.",
        "",
        "Reading the latencies: wrk keeps all connections busy, so by Little's law the mean latency is "
        "connections / throughput (32 ms at 1,000 req/s with 32 connections) and p99 sits a few times above it. "
        "Other work on a shared machine shows up as noise in p99 first; ratios to the hello of the same phase "
        "are the stable figures.",
        "",
    ]


def memory(phases: list[Phase]) -> list[str]:
    lines = []
    for phase in phases:
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
            f"The mixed table (writes among the reads) for {rss['requests']:,} requests after the other runs, in "
            f"rounds that go on where the last one stopped ({rss.get('errors', 0):,} errors); RSS read from "
            f"/proc/<pid>/status (VmRSS; peak is VmHWM) at {rss['half']['requests']:,} and at "
            f"{rss['end']['requests']:,} requests.",
            "",
            *_table(["worker pid", "peak MB", "RSS at half MB", "RSS at end MB", "growth"], rows),
            "",
        ]
    return lines


def as_json(result: Result) -> dict:
    return {
        "started_at": result.started_at.isoformat(),
        "seconds": result.seconds,
        "settings": result.settings,
        "machine": result.machine,
        "phases": [asdict(phase) for phase in result.phases],
        "verdicts": [asdict(v) for v in result.verdicts],
    }


def load(path: Path) -> Result:
    """The Result of a finished run, from the results.json it wrote."""
    data = json.loads(path.read_text())
    phases = [
        Phase(
            **{
                **phase,
                "mix": [Measurement(**m) for m in phase["mix"]],
                "repeats": [Measurement(**m) for m in phase["repeats"]],
                "builds": [BuildTime(**b) for b in phase["builds"]],
            }
        )
        for phase in data["phases"]
    ]
    started_at = datetime.fromisoformat(data["started_at"])
    return Result(started_at, data["settings"], data["machine"], phases, data["seconds"])


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT / "var" / "bench" / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "PERFORMANCE.md"
    target.write_text(markdown(load(source)))
    print(f"Wrote {target} from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
