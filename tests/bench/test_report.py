"""The report judges every target of the issue from a run's figures and writes them into PERFORMANCE.md."""

import json
from datetime import UTC, datetime

from bench import report, verdicts
from bench.results import BuildTime, Measurement, Phase

MACHINE = dict.fromkeys(
    ("cpu", "cores", "memory", "os", "python", "postgresql", "redis", "nginx", "wrk", "gunicorn", "packages"), "x"
)
SETTINGS = {"database": "tavern_bench", "redis_url": "redis://127.0.0.1:6379/9", "threads": "2",
            "connections": "32", "duration": "10.0", "mix_duration": "30.0", "warmup": "3.0", "players": "30",
            "builds": "200"}  # fmt: skip


def _phase(characters: int, hello: float, reads: float, mixed: float, mixed_p99: float, extra=None) -> Phase:
    runs = [
        Measurement("hello", "Bare hello (ceiling)", "/bench/hello", rps=hello, p99_ms=20),
        Measurement("reads", "Reads only (360 URLs)", "360 URLs", rps=reads, p99_ms=90, urls=360, table_size=360),
        Measurement("mixed", "Mixed", "720 URLs", rps=mixed, p99_ms=mixed_p99, urls=360, writes=360, table_size=1800),
    ]
    for m in runs:
        for key, value in (extra or {}).get(m.key, {}).items():
            setattr(m, key, value)
    builds = [
        BuildTime("sheet", "Sheet page", "/characters/x", 4.0, 4.5, 200, 4),
        BuildTime("inventory", "Inventory page", "/characters/x/inventory", 7.0, 8.0, 200, 6, [7.4, 7.0, 9.1]),
        BuildTime("api_character", "API character", "/api/v1/characters/x", 1.0, 1.2, 200, 2),
        BuildTime("api_sheet", "API sheet", "/api/v1/characters/x/sheet", 2.5, 3.0, 200, 3),
    ]
    repeats = [Measurement("sheet", "Character sheet (signed in)", "/characters/x", rps=hello / 2, p99_ms=30)]
    rss = {"workers": {"11": {"rss_mb": 120, "peak_mb": 130}, "12": {"rss_mb": 140, "peak_mb": 149}}}
    return Phase(characters, 2.0, hello, runs, repeats, builds, rss)


def _result(*phases: Phase) -> report.Result:
    return report.Result(datetime(2026, 1, 1, tzinfo=UTC), SETTINGS, MACHINE, list(phases), 600.0)


def _by_goal(result: report.Result) -> dict[str, verdicts.Verdict]:
    return {v.goal.split(":")[0].split(" built")[0].split(" ≤")[0].split(" (")[0]: v for v in result.verdicts}


def test_throughput_verdicts_hold_only_when_every_size_reaches_its_share_of_that_sizes_hello():
    small = _phase(1000, hello=2000, reads=700, mixed=320, mixed_p99=140)
    large = _phase(100_000, hello=1000, reads=250, mixed=160, mixed_p99=120)

    result = _by_goal(_result(small, large))

    assert result["Reads only, all players' own views"].measured == "0.35 at 1,000, 0.25 at 100,000"
    assert result["Reads only, all players' own views"].ok is False
    assert result["Mixed, 20% writes"].ok is True  # 0.16 at both sizes, p99 under 150 ms at both


def test_every_target_of_the_issue_gets_a_verdict():
    result = _result(_phase(1000, hello=2000, reads=700, mixed=100, mixed_p99=883))

    goals = [v.goal for v in result.verdicts]
    assert len(goals) == 14
    by_goal = _by_goal(result)
    assert [by_goal[name].ok for name in ("Sheet page", "Inventory page", "API character", "API sheet")] == [
        True, False, True, True,
    ]  # fmt: skip
    assert by_goal["At most 4 SQL queries for a sheet or inventory page"].ok is False  # the inventory's 6
    assert by_goal["Worker RSS"].ok is True and by_goal["Worker RSS"].measured == "peak 149 MB"
    assert by_goal["RSS growth"].ok is None  # no memory run in this phase
    mixed_p99 = next(v for v in result.verdicts if "p99" in v.goal)
    assert mixed_p99.ok is False and mixed_p99.measured == "883 ms at 1,000"


def test_errors_in_a_mix_run_flag_it_and_fail_their_verdict():
    flagged = {"mixed": {"non_2xx": 7, "statuses": {"409": 5, "500": 2}, "errors": {"timeout": 1}}}
    result = _result(_phase(1000, hello=2000, reads=700, mixed=320, mixed_p99=100, extra=flagged))

    errors = result.verdicts[-1]
    assert errors.ok is False and "Mixed at 1,000: 8" in errors.measured and "409: 5" in errors.measured
    text = report.markdown(result)
    assert "**FLAGGED: 8 errors** (409: 5, 500: 2; timeout: 1)" in text


def test_markdown_has_the_mix_as_headline_the_build_times_and_the_repeats_as_a_second_table():
    result = _result(_phase(1000, hello=2000, reads=100, mixed=40, mixed_p99=883))

    text = report.markdown(result)

    mix, builds, repeats = (text.index(title) for title in
                            ("### The real mix", "### Page builds in-process", "### Repeats of one URL"))  # fmt: skip
    assert text.index("## Targets") < mix < builds < repeats
    assert "| Mixed | 360 | 20% | 40 | 0.02 |" in text
    assert "| Inventory page | 7.00 | 8.00 | 6 | 200 | 7.40, 7.00, 9.10 | 6 | FAIL |" in text
    assert "| Character sheet (signed in) | 1,000 | 0.50 |" in text
    failing = sum(v.ok is False for v in result.verdicts)
    assert f"**{failing} of {len(result.verdicts)} targets fail in this run**" in text
    assert "FAIL" in report.console(result)


def test_a_finished_runs_report_is_written_again_from_its_raw_figures(tmp_path):
    result = _result(_phase(1000, hello=2000, reads=700, mixed=100, mixed_p99=883))
    figures = tmp_path / "results.json"
    figures.write_text(json.dumps(report.as_json(result), default=str))

    again = report.load(figures)

    assert report.markdown(again) == report.markdown(result)
    assert "Times each URL was read, on average: reads only" in report.markdown(again)


def _round(rps: float, p99: float) -> Measurement:
    return Measurement("mixed", "Mixed", "720 URLs", rps=rps, p50_ms=p99 / 2, p99_ms=p99, requests=1000)


def test_rounds_are_each_divided_by_their_own_hello_and_judged_by_the_median_ratio():
    from bench.run import combine_rounds

    hellos = [Measurement("hello", "Bare hello", "/bench/hello", rps=rps) for rps in (2000, 1200, 2500)]
    mixed = combine_rounds(
        [(_round(320, 140), hellos[0]), (_round(200, 260), hellos[1]), (_round(300, 150), hellos[2])]
    )

    assert [r["ratio"] for r in mixed.rounds] == [0.16, 200 / 1200, 0.12]
    assert (mixed.hello_ratio, mixed.rps, mixed.p99_ms, mixed.requests) == (0.16, 300, 150, 3000)
    phase = _phase(1000, hello=1000, reads=700, mixed=0, mixed_p99=0)  # 300 / 1000 would be 0.30
    phase.mix[2] = mixed
    ratio_verdict = _result(phase).verdicts[0]
    assert (ratio_verdict.measured, ratio_verdict.ok) == ("0.16 at 1,000", True)
    mixed.hello_ratio = 0.14
    assert _result(phase).verdicts[0].ok is False
    assert "0.16 (140), 0.17 (260), 0.12 (150)" in report.markdown(_result(phase))
