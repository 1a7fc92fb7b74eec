"""The live scenario: idle campaign streams held open beside the mix, and GM notes timed to every follower."""

import asyncio
import concurrent.futures
import http.client
import json
import math
import os
import random
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench.client import Client

if TYPE_CHECKING:
    from bench.mix import Credentials

SUBSCRIBERS = 1000
CAMPAIGNS_EACH = 4  # campaigns each mix player runs: 30 players make 120, some 8 followers each
WRITE_EVERY = 0.2  # seconds between two of the writer's notes
WRITER_CONNECTIONS = 8
# Streams being opened at once. With 50, some waited over 5 s for one of the stream worker's 15 database
# connections and were answered 500 (the worker spends some 10 ms of CPU on each stream it opens).
CONNECTING_AT_ONCE = 10
CONNECT_TIMEOUT = 120.0
DRAIN_SECONDS = 30.0  # how long the last notes may take to reach every follower before they count as lost
FAILURES_KEPT = 5  # the first few reasons a connection was lost or refused, for the report


def label(subscribers: int) -> str:
    return f"Mixed, {subscribers:,} idle streams open"


def notes_label(subscribers: int) -> str:
    return f"Mixed, {subscribers:,} streams open, a note every {WRITE_EVERY:g} s"


def hello_label(subscribers: int) -> str:
    return f"Bare hello, {subscribers:,} streams open"


@dataclass(frozen=True)
class Campaign:
    """A campaign the benchmark made: its GM's write token, and the newest event of its log when it was made."""

    id: str
    token: str
    last_event_id: str


def create_campaigns(
    base_url: str, context: ssl.SSLContext | None, signed_in: "dict[str, Credentials]", each: int = CAMPAIGNS_EACH
) -> list[Campaign]:
    """`each` campaigns run by every signed-in player, made through the API with the player's write token.

    Raises RuntimeError when an answer is not the expected one: streams of campaigns that do not exist measure
    nothing.
    """
    tag = os.urandom(3).hex()  # a GM's campaign names are unique, and the players outlive a run
    client = Client(base_url, context)
    campaigns = []
    try:
        for email in sorted(signed_in):
            headers = {"Authorization": f"Bearer {signed_in[email].api_token}", "Content-Type": "application/json"}
            for n in range(each):
                body = {"name": f"Live table {n + 1} ({tag})", "description": "Followed by the benchmark."}
                made = client.request("POST", "/api/v1/campaigns", json.dumps(body).encode(), headers)
                if made.status != 201:
                    raise RuntimeError(f"Creating a campaign for {email} answered {made.status}: {made.body[:300]!r}")
                campaign_id = made.json()["id"]
                log = client.get(f"/api/v1/campaigns/{campaign_id}/events?limit=1", headers)
                if log.status != 200 or not log.json()["data"]:
                    raise RuntimeError(f"The log of campaign {campaign_id} answered {log.status}: {log.body[:300]!r}")
                campaigns.append(Campaign(campaign_id, signed_in[email].api_token, log.json()["data"][0]["id"]))
    finally:
        client.close()
    return campaigns


class EventStream:
    """What one follower has read of Server-Sent Events, line by line, as EventSource reads them."""

    def __init__(self, last_event_id: str | None = None) -> None:
        self.last_event_id = last_event_id
        self.retry_ms: int | None = None
        self.heartbeats = 0
        self.ended = False  # `event: end`: the reader may no longer read the log

    def line(self, text: str) -> str | None:
        """Take one line (without its line break); answer the event id that a `data:` line carries, else None."""
        if text.startswith(":"):
            self.heartbeats += 1
            return None
        name, colon, value = text.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        elif name == "id" and value:
            self.last_event_id = value
        elif name == "event" and value == "end":
            self.ended = True
        elif name == "data" and value:
            try:
                event = json.loads(value)
            except ValueError:
                return None
            if isinstance(event, dict) and isinstance(event.get("id"), str):
                return event["id"]
        return None


def stream_request(host: str, path: str, token: str, last_event_id: str | None) -> bytes:
    """An HTTP/1.0 GET, so that the answer comes unchunked and ends with the connection."""
    lines = [f"GET {path} HTTP/1.0", f"Host: {host}", f"Authorization: Bearer {token}", "Accept: text/event-stream"]
    if last_event_id:
        lines.append(f"Last-Event-ID: {last_event_id}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Subscriber:
    """One follower of a campaign's stream, and when each event arrived (time.monotonic())."""

    index: int
    campaign: Campaign
    stream: EventStream
    arrivals: dict[str, float] = field(default_factory=dict)
    connected: bool = False
    connections: int = 0  # answers 200 with their `retry:`
    drops: int = 0  # connections lost or refused
    ends: int = 0  # streams that ended while the benchmark still followed them (the app ends each after minutes)
    repeats: int = 0  # an event that arrived a second time


class Subscribers:
    """`count` followers spread over the campaigns, each with its GM's token, all held by one event loop in a
    thread of their own; a stream that ends is followed again with Last-Event-ID, as EventSource does."""

    def __init__(self, base_url: str, context: ssl.SSLContext | None, campaigns: list[Campaign], count: int) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.context = parts.hostname, parts.port, context
        self.subscribers = [
            Subscriber(n, campaigns[n % len(campaigns)], EventStream(campaigns[n % len(campaigns)].last_event_id))
            for n in range(count)
        ]
        self.failures: list[str] = []
        self._all_connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def connected(self) -> int:
        return sum(s.connected for s in self.subscribers)

    def start(self, timeout: float = CONNECT_TIMEOUT) -> float:
        """Connect every follower; answer the seconds it took (or `timeout`, when some never connected)."""
        started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="live-subscribers", daemon=True)
        self._thread.start()
        self._all_connected.wait(timeout)
        return time.monotonic() - started

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def followers(self) -> dict[str, list[dict[str, float]]]:
        """Each campaign's followers' arrivals, by campaign id."""
        result: dict[str, list[dict[str, float]]] = {}
        for s in self.subscribers:
            result.setdefault(s.campaign.id, []).append(s.arrivals)
        return result

    def wait_for(self, writes: list["Write"], timeout: float = DRAIN_SECONDS) -> None:
        """Until every written event reached every follower of its campaign, or `timeout` seconds."""
        followers = self.followers()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(
                w.event_id in arrivals for w in writes if w.event_id for arrivals in followers.get(w.campaign_id, ())
            ):
                return
            time.sleep(0.1)

    def figures(self) -> dict:
        return {
            "subscribers": len(self.subscribers),
            "campaigns": len({s.campaign.id for s in self.subscribers}),
            "connected": self.connected(),
            "connections": sum(s.connections for s in self.subscribers),
            "drops": sum(s.drops for s in self.subscribers),
            "ends": sum(s.ends for s in self.subscribers),
            "repeats": sum(s.repeats for s in self.subscribers),
            "refused": sum(s.stream.ended for s in self.subscribers),
            "heartbeats": sum(s.stream.heartbeats for s in self.subscribers),
            "failures": self.failures,
        }

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
        tasks = [asyncio.create_task(self._follow(s, gate)) for s in self.subscribers]
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _follow(self, subscriber: Subscriber, gate: asyncio.Semaphore) -> None:
        path = f"/api/v1/campaigns/{subscriber.campaign.id}/stream"
        while True:
            writer = None
            try:
                async with gate:
                    reader, writer = await asyncio.open_connection(self.host, self.port, ssl=self.context)
                    writer.write(stream_request(f"{self.host}:{self.port}", path, subscriber.campaign.token,
                                                subscriber.stream.last_event_id))  # fmt: skip
                    status = await reader.readline()
                    while (await reader.readline()).strip():
                        pass
                    if status.split()[1:2] != [b"200"]:
                        body = await asyncio.wait_for(reader.read(300), 5)
                        raise ConnectionError(f"{status.decode(errors='replace').strip()} {body[:150]!r}")
                    await self._read(subscriber, reader, until_retry=True)
                await self._read(subscriber, reader, until_retry=False)
                subscriber.ends += 1
            except (OSError, ValueError) as error:  # TLS errors and timeouts are OSErrors too
                subscriber.drops += 1
                if len(self.failures) < FAILURES_KEPT:
                    self.failures.append(f"{type(error).__name__}: {error}")
            finally:
                if subscriber.connected:
                    subscriber.connected = False
                    self._all_connected.clear()
                if writer is not None:
                    writer.transport.abort()
            if subscriber.stream.ended:
                return  # refused for good: the report counts it
            await asyncio.sleep((subscriber.stream.retry_ms or 2000) / 1000)

    async def _read(self, subscriber: Subscriber, reader: asyncio.StreamReader, until_retry: bool) -> None:
        """Read lines until the stream ends, or (`until_retry`) until its `retry:` made the follower connected."""
        while True:
            raw = await reader.readline()
            if not raw:
                if until_retry:
                    raise ConnectionError("the stream ended before its retry: line")
                return
            arrived = time.monotonic()
            event_id = subscriber.stream.line(raw.decode().rstrip("\r\n"))
            if event_id is not None:
                if event_id in subscriber.arrivals:
                    subscriber.repeats += 1
                else:
                    subscriber.arrivals[event_id] = arrived
            if until_retry and raw.startswith(b"retry:"):
                subscriber.connected = True
                subscriber.connections += 1
                if all(s.connected for s in self.subscribers):
                    self._all_connected.set()
                return


@dataclass
class Write:
    """One of the writer's notes: when its request was sent and answered, and what was answered."""

    campaign_id: str
    sent_at: float
    answered_at: float = 0.0
    status: int = 0
    event_id: str | None = None
    error: str = ""


class Writer:
    """A GM's note every WRITE_EVERY seconds on a random campaign, through Nginx on keep-alive connections, while
    started; every start adds to the same list of writes.

    The notes are sent on a fixed beat from a few connections: under the mix an answer takes longer than the beat,
    and one connection would send a note only when the last one was answered.
    """

    def __init__(
        self,
        base_url: str,
        context: ssl.SSLContext | None,
        campaigns: list[Campaign],
        seed: int,
        connections: int = WRITER_CONNECTIONS,
    ) -> None:
        self.campaigns, self.writes = campaigns, []
        self._base_url, self._context = base_url, context
        self._rng = random.Random(seed)
        self._pool = concurrent.futures.ThreadPoolExecutor(connections, thread_name_prefix="live-writer")
        self._local = threading.local()
        self._clients: list[Client] = []
        self._lock = threading.Lock()
        self._sent = 0
        self._pending: list[concurrent.futures.Future] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="live-writer-beat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Send no more notes, and wait for the answers to those sent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=90)
            self._thread = None
        concurrent.futures.wait(self._pending, timeout=90)
        self._pending = []

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)
        for client in self._clients:
            client.close()

    def _beat(self) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            self._sent += 1
            self._pending.append(self._pool.submit(self._write, self._rng.choice(self.campaigns), self._sent))
            due = max(due + WRITE_EVERY, time.monotonic())
            self._stop.wait(due - time.monotonic())

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = Client(self._base_url, self._context)
            with self._lock:
                self._clients.append(client)
        return client

    def _write(self, campaign: Campaign, number: int) -> None:
        client = self._client()
        body = json.dumps({"body": f"Note {number} of the benchmark's GM."}).encode()
        headers = {"Authorization": f"Bearer {campaign.token}", "Content-Type": "application/json"}
        write = Write(campaign.id, time.monotonic())
        try:
            answer = client.request("POST", f"/api/v1/campaigns/{campaign.id}/events", body, headers)
            write.status = answer.status
            if answer.status == 201:
                write.event_id = answer.json()["id"]
            else:
                write.error = answer.body[:200].decode(errors="replace")
        except (OSError, http.client.HTTPException, ValueError) as error:
            write.error = f"{type(error).__name__}: {error}"
            client.close()
        write.answered_at = time.monotonic()
        with self._lock:
            self.writes.append(write)


def raw(writes: list[Write], subscribers: list[Subscriber]) -> dict:
    """Every note and every follower's arrivals, in ms from the first note, for a look at what the figures hide."""
    start = min((w.sent_at for w in writes), default=0.0)
    return {
        "notes": [
            {"campaign": w.campaign_id, "event": w.event_id, "sent_ms": (w.sent_at - start) * 1000,
             "answered_ms": (w.answered_at - start) * 1000, "status": w.status, "error": w.error}
            for w in sorted(writes, key=lambda w: w.sent_at)
        ],
        "followers": [
            {"campaign": s.campaign.id, "connections": s.connections, "ends": s.ends, "drops": s.drops,
             "arrivals_ms": {event: (at - start) * 1000 for event, at in s.arrivals.items()}}
            for s in subscribers
        ],
    }  # fmt: skip


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% of them at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def deliveries(writes: list[Write], followers: dict[str, list[dict[str, float]]]) -> dict:
    """Each write against each follower of its campaign: how many deliveries were expected and arrived, and the
    time from the write's request to each arrival (ms), beside the time the writes took to be answered. A write not
    answered 201 delivers nothing and is counted."""
    delays, expected, failed = [], 0, []
    for w in writes:
        if w.event_id is None:
            failed.append(w)
            continue
        for arrivals in followers.get(w.campaign_id, ()):
            expected += 1
            if w.event_id in arrivals:
                delays.append((arrivals[w.event_id] - w.sent_at) * 1000)
    answers = [(w.answered_at - w.sent_at) * 1000 for w in writes if w.answered_at]
    return {
        "writes": len(writes),
        "answer_p50_ms": percentile(answers, 50),
        "answer_p99_ms": percentile(answers, 99),
        "answer_max_ms": max(answers, default=None),
        "failed_writes": len(failed),
        "write_errors": sorted({f"{w.status or ''} {w.error}".strip() for w in failed})[:FAILURES_KEPT],
        "expected": expected,
        "arrived": len(delays),
        "p50_ms": percentile(delays, 50),
        "p99_ms": percentile(delays, 99),
        "max_ms": max(delays, default=None),
    }
