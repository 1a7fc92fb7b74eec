"""The live scenario: Server-Sent Events read line by line, followers that resume, delivery figures, the report."""

import json
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import live_streams, report, verdicts
from bench.live_streams import Campaign, EventStream, Write, deliveries, percentile
from bench.results import Measurement, Phase
from tests.bench.test_report import MACHINE, SETTINGS, _phase


def test_an_event_stream_is_read_as_eventsource_reads_it():
    stream = EventStream("e0")

    read = [stream.line(line) for line in [
        "retry: 2000", "", ": still here", "", "id: e1", "event: event", 'data: {"id": "e1", "kind": "NOTE"}', "",
        "data:not json", 'data:{"id": "e2"}', "id:", "data: [1, 2]",
    ]]  # fmt: skip

    assert [event_id for event_id in read if event_id] == ["e1", "e2"]
    assert stream.retry_ms == 2000 and stream.heartbeats == 1
    assert stream.last_event_id == "e1"  # an empty id line leaves the last one
    assert not stream.ended
    stream.line("event: end")
    assert stream.ended


class _Notes(BaseHTTPRequestHandler):
    """Answers each note as the API does, with the event's id; the first answer waits until a second note came."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]] = []
    second = threading.Event()
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with _Notes.lock:
            _Notes.seen.append((self.path, self.headers["Authorization"]))
            number = len(_Notes.seen)
        if number == 1:
            _Notes.second.wait(10)
        else:
            _Notes.second.set()
        body = json.dumps({"id": f"n{number}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_writer_sends_each_note_on_its_beat_without_waiting_for_the_last_answer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Notes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Notes.seen.clear()
    _Notes.second.clear()
    campaigns = [Campaign("a", "token-a", "e0"), Campaign("b", "token-b", "e0")]
    writer = live_streams.Writer(f"http://127.0.0.1:{server.server_address[1]}", None, campaigns, seed=1)
    try:
        writer.start()
        deadline = time.monotonic() + 10
        while len(writer.writes) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        writer.stop()
    finally:
        writer.close()
        server.shutdown()
        server.server_close()

    assert _Notes.second.is_set()  # the second note went out while the first was still unanswered
    assert len(writer.writes) >= 4 and all(w.status == 201 and w.answered_at >= w.sent_at for w in writer.writes)
    assert len({w.event_id for w in writer.writes}) == len(writer.writes)
    assert all(auth == f"Bearer token-{path.split('/')[4]}" for path, auth in _Notes.seen)


def test_a_stream_is_asked_for_over_http_1_0_with_the_last_event_id_only_when_there_is_one():
    first = live_streams.stream_request("127.0.0.1:8443", "/api/v1/campaigns/c/stream", "tok", None).decode()
    again = live_streams.stream_request("127.0.0.1:8443", "/api/v1/campaigns/c/stream", "tok", "e9").decode()

    assert first.startswith("GET /api/v1/campaigns/c/stream HTTP/1.0\r\nHost: 127.0.0.1:8443\r\n")
    assert "Authorization: Bearer tok\r\n" in first and first.endswith("\r\n\r\n")
    assert "Last-Event-ID" not in first and "Last-Event-ID: e9\r\n" in again


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]

    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50, 99, 100)
    assert percentile([7.0], 99) == 7 and percentile([], 50) is None


def test_each_write_is_expected_at_every_follower_of_its_campaign_and_timed_from_its_request():
    writes = [
        Write("a", sent_at=10.0, answered_at=10.03, status=201, event_id="e1"),
        Write("b", sent_at=10.2, answered_at=10.22, status=201, event_id="e2"),
        Write("a", sent_at=10.4, answered_at=10.41, status=409, error="busy"),
        Write("a", sent_at=10.6, answered_at=10.65, status=201, event_id="e3"),
    ]
    followers = {
        "a": [{"e1": 10.05, "e3": 10.7}, {"e1": 10.25}],  # the second never had e3
        "b": [{"e2": 10.3}],
        "c": [{}],  # nobody wrote there
    }

    figures = deliveries(writes, followers)

    assert (figures["writes"], figures["failed_writes"], figures["write_errors"]) == (4, 1, ["409 busy"])
    assert (figures["expected"], figures["arrived"]) == (5, 4)
    assert figures["p50_ms"] == pytest.approx(100) and figures["max_ms"] == pytest.approx(250)
    assert figures["p99_ms"] == pytest.approx(250)
    assert figures["answer_p50_ms"] == pytest.approx(20) and figures["answer_p99_ms"] == pytest.approx(50)


def test_no_write_means_no_delivery_figures():
    assert deliveries([], {"a": [{}]}) == {
        "writes": 0, "answer_p50_ms": None, "answer_p99_ms": None, "answer_max_ms": None, "failed_writes": 0,
        "write_errors": [],
        "expected": 0, "arrived": 0, "p50_ms": None, "p99_ms": None, "max_ms": None,
    }  # fmt: skip


class _Stream(BaseHTTPRequestHandler):
    """Two events per connection, then the end of the stream: a follower must come back for the rest."""

    protocol_version = "HTTP/1.0"
    asked: list[tuple[str, str | None]] = []

    def do_GET(self):
        last = self.headers.get("Last-Event-ID")
        _Stream.asked.append((self.headers.get("Authorization"), last))
        start = int(last[1:]) if last else 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b"retry: 10\n\n: still here\n\n")
        for n in (start + 1, start + 2):
            self.wfile.write(f'id: e{n}\nevent: event\ndata: {{"id": "e{n}"}}\n\n'.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def stream_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stream.asked.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_followers_connect_with_their_gms_token_and_resume_after_the_last_event_they_read(stream_server):
    campaigns = [Campaign("a", "token-a", "e0"), Campaign("b", "token-b", "e0")]
    followers = live_streams.Subscribers(stream_server, None, campaigns, 3)
    try:
        followers.start(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(len(s.arrivals) >= 6 for s in followers.subscribers):
            time.sleep(0.05)
    finally:
        followers.close()

    figures = followers.figures()
    assert [s.campaign.id for s in followers.subscribers] == ["a", "b", "a"]
    assert all(set(s.arrivals) >= {"e1", "e2", "e3", "e4", "e5", "e6"} for s in followers.subscribers)
    assert figures["repeats"] == 0 and figures["connections"] >= 9 and figures["failures"] == []
    assert figures["ends"] >= 6 and figures["drops"] == 0  # each stream ended by the server, none lost
    assert ("Bearer token-b", "e0") in _Stream.asked and ("Bearer token-a", "e2") in _Stream.asked
    assert len(followers.followers()["a"]) == 2


def _live(cost: float = 0.04, arrived: int = 850, opened: int = 1000, p99: float = 240.0) -> dict:
    mixed = Measurement(
        "live-mixed",
        "Mixed, 1,000 idle streams open",
        "720 URLs",
        rps=320 * (1 - cost),
        p50_ms=40,
        p99_ms=130,
        requests=9000,
        hello_ratio=0.16 * (1 - cost),
        rounds=[{"rps": 300, "hello_rps": 2000, "ratio": 0.16 * (1 - cost), "p50_ms": 40, "p99_ms": 130}],
    )
    hello = Measurement("hello", "Bare hello, 1,000 streams open", "/bench/hello", rps=1900, p99_ms=25)
    return {
        "subscribers": 1000, "campaigns": 120, "connected": 1000, "connected_at_start": opened,
        "connect_seconds": 31.0, "connections": 1003, "drops": 0, "ends": 3, "repeats": 0,
        "refused": 0, "heartbeats": 5000, "failures": [], "write_every_s": 0.2, "mixed": asdict(mixed),
        "hello": asdict(hello),
        "stream_worker": {"pid": 4242, "idle_mb": 120.0, "open_mb": 157.0, "end_mb": 158.0, "peak_mb": 160.0,
                          "cpu_hello": 0.014, "cpu_mixed": 0.17},
        "delivery": {"writes": 100, "answer_p50_ms": 35.0, "answer_p99_ms": 120.0, "failed_writes": 0,
                     "write_errors": [], "expected": 850, "arrived": arrived, "p50_ms": 80.0, "p99_ms": p99,
                     "max_ms": 400.0},
    }  # fmt: skip


def _with_live(live: dict) -> Phase:
    phase = _phase(1000, hello=2000, reads=700, mixed=320, mixed_p99=140)
    phase.mix[2].hello_ratio = 0.16
    phase.live = live
    return phase


def _live_verdicts(phase: Phase) -> list[verdicts.Verdict]:
    result = report.Result(datetime(2026, 1, 1, tzinfo=UTC), SETTINGS, MACHINE, [phase], 600.0)
    return [v for v in result.verdicts if "stream" in v.goal or "note" in v.goal.lower()]


def test_the_live_verdicts_pass_when_the_streams_cost_little_and_every_note_arrived_within_a_second():
    cost, delivered, latency = _live_verdicts(_with_live(_live()))

    assert cost.goal == "1,000 idle streams cost ≤ 10% of the mix's throughput"
    assert cost.ok is True
    assert cost.measured.startswith("4.0% at 1,000 (× hello 0.160 → 0.154; 320 → 307 req/s; 1,000 of 1,000 open")
    assert delivered.ok is True and delivered.measured == "850 of 850 deliveries of 100 notes"
    assert latency.ok is True and latency.measured == "p50 80 ms, p99 240 ms, max 400 ms"


def test_the_live_verdicts_fail_on_a_costly_stream_a_lost_note_a_stream_never_opened_or_a_slow_delivery():
    assert [v.ok for v in _live_verdicts(_with_live(_live(cost=0.12)))] == [False, True, True]
    assert [v.ok for v in _live_verdicts(_with_live(_live(arrived=849)))] == [True, False, True]
    assert [v.ok for v in _live_verdicts(_with_live(_live(opened=990)))] == [False, True, True]
    assert [v.ok for v in _live_verdicts(_with_live(_live(p99=1200)))] == [True, True, False]


def test_the_streams_cost_is_judged_against_each_rounds_hello_so_a_slower_machine_is_not_counted_as_their_cost():
    live = _live(cost=0.0)
    live["mixed"]["rps"] = 320 * 0.8  # the whole machine ran 20% slower in the live rounds: their hello too

    cost = _live_verdicts(_with_live(live))[0]

    assert cost.ok is True and cost.measured.startswith("0.0% at 1,000 (× hello 0.160 → 0.160; 320 → 256 req/s;")

    live["mixed"] |= {"hello_ratio": None, "rounds": []}  # runs not taken in rounds: plain req/s
    assert _live_verdicts(_with_live(live))[0].measured.startswith("20.0% at 1,000 (320 → 256 req/s;")


def test_without_a_live_scenario_its_verdicts_say_not_measured():
    phase = _with_live({})

    assert [(v.measured, v.ok) for v in _live_verdicts(phase)] == [("not measured", None)] * 3
    assert "### Live streams" not in report.markdown(report.Result(datetime(2026, 1, 1, tzinfo=UTC), SETTINGS,
                                                                   MACHINE, [phase], 600.0))  # fmt: skip


def test_errors_of_the_runs_with_streams_open_fail_the_errors_verdict():
    live = _live()
    live["mixed"] |= {"non_2xx": 3, "statuses": {"502": 3}}

    result = report.Result(datetime(2026, 1, 1, tzinfo=UTC), SETTINGS, MACHINE, [_with_live(live)], 600.0)

    errors = result.verdicts[-1]
    assert errors.ok is False and "Mixed, 1,000 idle streams open at 1,000: 3 (502: 3)" in errors.measured


def test_the_live_section_sets_the_mix_with_streams_beside_the_mix_without_them(tmp_path):
    result = report.Result(datetime(2026, 1, 1, tzinfo=UTC), SETTINGS, MACHINE, [_with_live(_live())], 600.0)

    text = report.markdown(result)

    assert text.index("### The real mix") < text.index("### Live streams") < text.index("### Page builds")
    assert "| Mixed | 320 | 0.16 | — | 0.0 | 140.0 | 0 | 0 |" in text
    assert "| Mixed, 1,000 idle streams open | 307 | 0.15 | 0.15 (130) | 40.0 | 130.0 | 9,000 | 0 |" in text
    assert "| Bare hello, 1,000 streams open | 1,900 | — |" in text
    cost = "| Cost of the open streams | 1 − 0.154 / 0.160 × hello = 4.0% (goal ≤ 10%: pass); in req/s 307 against 320"
    assert cost in text
    assert "| Stream worker RSS (pid 4242) | 120 MB before, 157 MB with the streams open" in text
    assert "| Deliveries | 850 of 850 arrived (0 twice) |" in text
    assert "| Stream worker CPU | 1.4% of a core while the hello ran and " in text
    assert "17.0% while notes were delivered" in text
    assert (
        "| Write to delivery | p50 80 ms, p99 240 ms, max 400 ms (goal p99 ≤ 1 s: pass); the notes' own "
        "answers p50 35 ms, p99 120 ms |" in text
    )
    assert "Live streams" in report.console(result) and "Cost of the open streams: 1 − 0.154" in report.console(result)
    figures = tmp_path / "results.json"
    figures.write_text(json.dumps(report.as_json(result), default=str))
    assert report.markdown(report.load(figures)) == text
