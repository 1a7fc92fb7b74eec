"""The issue's targets, each judged on a run's phases: pass, FAIL, or not measured."""

from dataclasses import dataclass

from bench.build_times import BUDGETS_MS, LABELS
from bench.live_streams import SUBSCRIBERS
from bench.results import Phase

MIXED_RATIO = 0.15
MIXED_P99_MS = 150.0
READS_RATIO = 0.30
PAGE_QUERIES = 4  # at most, for a sheet or inventory page, whatever the inventory's size
QUERY_COUNTED_VIEWS = ("sheet", "inventory")
RSS_LIMIT_MB = 150.0
RSS_GROWTH_LIMIT = 0.10
QUERY_TESTS = "tests/bench/test_query_counts.py"
LIVE_COST_LIMIT = 0.10  # of the mix's throughput, for the idle streams open beside it
DELIVERY_P99_MS = 1000.0  # SPEC §9: every member sees a new event within one second


@dataclass
class Verdict:
    goal: str
    measured: str
    ok: bool | None  # None: not measured


def ratio(phase: Phase, key: str) -> float | None:
    m = phase.get(key)
    return phase.share(m) if m and (phase.ceiling_rps or m.hello_ratio is not None) else None


def mark(ok: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "—"}[ok]


def _each_phase(phases: list[Phase], value, fmt: str, good, unit: str = "") -> tuple[str, bool | None]:
    """`value(phase)` at every size, written with `fmt`; passes when `good` holds for every measured one."""
    parts, oks = [], []
    for phase in phases:
        v = value(phase)
        if v is not None:
            parts.append(f"{v:{fmt}}{unit} at {phase.characters:,}")
            oks.append(good(v))
    return ", ".join(parts) or "not measured", (all(oks) if oks else None)


def judge(phases: list[Phase], connections: int = 32) -> list[Verdict]:
    """Every target of the issue, in its order; each throughput and build target must hold at every size."""

    def each(goal: str, value, fmt: str, good, unit: str = "") -> Verdict:
        return Verdict(goal, *_each_phase(phases, value, fmt, good, unit))

    def p99(phase: Phase) -> float | None:
        mixed = phase.get("mixed")
        return mixed.p99_ms if mixed else None

    result = [
        each(f"Mixed, 20% writes: ≥ {MIXED_RATIO:.2f} × hello", lambda p: ratio(p, "mixed"), ".2f",
             MIXED_RATIO.__le__),
        each(f"Mixed, 20% writes: p99 ≤ {MIXED_P99_MS:g} ms at {connections} connections", p99, ".0f",
             MIXED_P99_MS.__ge__, " ms"),
        each(f"Reads only, all players' own views: ≥ {READS_RATIO:.2f} × hello", lambda p: ratio(p, "reads"),
             ".2f", READS_RATIO.__le__),
    ]  # fmt: skip
    for view, budget in BUDGETS_MS.items():
        result.append(
            each(f"{LABELS[view]} built in ≤ {budget:g} ms (median in-process, nothing cached)",
                 lambda p, view=view: _build(p, view, "median_ms"), ".2f", budget.__ge__, " ms")
        )  # fmt: skip
    result += [query_verdict(phases), *memory_verdicts(phases), *live_verdicts(phases), errors_verdict(phases)]
    return result


def live_verdicts(phases: list[Phase]) -> list[Verdict]:
    """The live scenario's: what the open streams cost the mix, and whether every note reached every follower
    within the second SPEC §9 allows."""
    phase = next((p for p in reversed(phases) if p.live), None)
    live = phase.live if phase else {}
    count = live.get("subscribers", SUBSCRIBERS)
    goals = (
        f"{count:,} idle streams cost ≤ {LIVE_COST_LIMIT:.0%} of the mix's throughput",
        "Every note written is delivered to every follower of its campaign",
        f"A note reaches its followers within {DELIVERY_P99_MS / 1000:g} s (p99 from the write's request; SPEC §9)",
    )
    cost = phase.live_cost() if phase else None
    if cost is None:
        return [Verdict(goal, "not measured", None) for goal in goals]
    with_streams, without = phase.live_run("mixed"), phase.get("mixed")
    streams = f"{live['connected_at_start']:,} of {count:,} open at the start, {live['connected']:,} at the end"
    ratios = (
        f"× hello {without.hello_ratio:.3f} → {with_streams.hello_ratio:.3f}; "
        if with_streams.hello_ratio and without.hello_ratio
        else ""
    )
    d = live["delivery"]
    delivered = f"{d['arrived']:,} of {d['expected']:,} deliveries of {d['writes']:,} notes"
    if d["failed_writes"]:
        delivered += f"; {d['failed_writes']:,} notes not written ({', '.join(d['write_errors'])})"
    p99 = d["p99_ms"]
    return [
        Verdict(
            goals[0],
            f"{cost:.1%} at {phase.characters:,} ({ratios}{without.rps:,.0f} → {with_streams.rps:,.0f} req/s; "
            f"{streams})",
            cost <= LIVE_COST_LIMIT and live["connected_at_start"] == count,
        ),
        Verdict(goals[1], delivered, d["expected"] > 0 and d["arrived"] == d["expected"] and not d["failed_writes"]),
        Verdict(
            goals[2],
            f"p50 {d['p50_ms']:,.0f} ms, p99 {p99:,.0f} ms, max {d['max_ms']:,.0f} ms" if p99 is not None else "none",
            p99 <= DELIVERY_P99_MS if p99 is not None else None,
        ),
    ]


def memory_verdicts(phases: list[Phase]) -> list[Verdict]:
    peaks = [w["peak_mb"] for phase in phases for w in phase.rss.get("workers", {}).values()]
    growth = [g for phase in phases for g in phase.rss.get("growth", {}).values()]
    requests = next((phase.rss["requests"] for phase in phases if "requests" in phase.rss), 0)
    return [
        Verdict(
            f"Worker RSS ≤ {RSS_LIMIT_MB:g} MB",
            f"peak {max(peaks):.0f} MB" if peaks else "not measured",
            max(peaks) <= RSS_LIMIT_MB if peaks else None,
        ),
        Verdict(
            f"RSS growth ≤ {RSS_GROWTH_LIMIT:.0%} over the second half of {requests:,} mixed requests",
            ", ".join(f"{g:+.1%}" for g in growth) or "not measured",
            all(g <= RSS_GROWTH_LIMIT for g in growth) if growth else None,
        ),
    ]


def query_verdict(phases: list[Phase]) -> Verdict:
    """Queries are counted, not timed: the build timer counts one build of each page, the tests assert the limit."""
    goal = f"At most {PAGE_QUERIES} SQL queries for a sheet or inventory page (asserted by {QUERY_TESTS})"
    counts = {
        view: [q for p in phases if (q := _build(p, view, "queries")) is not None] for view in QUERY_COUNTED_VIEWS
    }
    worst = {view: max(found) for view, found in counts.items() if found}
    if not worst:
        return Verdict(goal, "not measured", None)
    measured = ", ".join(f"{LABELS[view].lower()} {q}" for view, q in worst.items())
    return Verdict(goal, f"{measured} (one build with 30 inventory rows)", max(worst.values()) <= PAGE_QUERIES)


def errors_verdict(phases: list[Phase]) -> Verdict:
    """Figures of a run that answered anything but 2xx are not figures of the product: say so."""
    parts, measured = [], False
    for phase in phases:
        for m in [*phase.mix, *filter(None, (phase.live_run("hello"), phase.live_run("mixed")))]:
            if m.missing:
                continue
            measured = True
            if m.error_count:
                statuses = ", ".join(f"{status}: {n}" for status, n in sorted(m.statuses.items()))
                parts.append(f"{m.label} at {phase.characters:,}: {m.error_count:,} ({statuses or m.errors})")
        if phase.rss.get("errors"):
            parts.append(f"memory run at {phase.characters:,}: {phase.rss['errors']:,}")
    goal = "Every answer of the mix and the hello is 2xx (no socket errors)"
    if not measured:
        return Verdict(goal, "not measured", None)
    return Verdict(goal, "; ".join(parts) or "no errors", not parts)


def _build(phase: Phase, view: str, field: str):
    found = next((b for b in phase.builds if b.view == view), None)
    return getattr(found, field) if found else None
