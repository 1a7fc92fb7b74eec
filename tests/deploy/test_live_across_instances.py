"""A campaign's live log across instances: two fronts, each with its own app and stream Gunicorn, share only PostgreSQL
and Redis; what a player does on one reaches the game master on the other within a second, and a hidden roll never
reaches the player."""

import codecs
import json
import re
import socket
import ssl
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deploy.conftest import client_ip, production_env
from tests.deploy.stack import Browser, Nginx, nginx, require_tool
from tests.servers import BIN, ROOT, app_env, gunicorn

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

PASSWORD = "a lantern in the deep mine"
DELIVERY = 1.0  # seconds: SPEC §9, every member sees a new event within one second
CHROMIUM = "/usr/bin/chromium"


def _enter_together(stack: ExitStack, managers: list) -> list:
    """Enter the context managers at once (each Gunicorn waits seconds for its worker to boot); the stack exits
    those that started, even when another failed."""
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    for manager, future in zip(managers, futures, strict=True):
        if future.exception() is None:
            stack.push(manager)
    return [future.result() for future in futures]


@contextmanager
def _seeded(database_url: str):
    subprocess.run([str(BIN / "flask"), "seed"], env=app_env(database_url), cwd=ROOT, check=True, capture_output=True)
    yield


@pytest.fixture(scope="module")
def fronts(deploy_database, real_services, tmp_path_factory) -> dict[str, Nginx]:
    """Front A and front B, each the project's nginx.conf before one instance: an app Gunicorn (gthread) and a stream
    Gunicorn (gevent), one worker each. The two instances meet only in PostgreSQL and Redis."""
    _, redis_url = real_services
    env = production_env(deploy_database, redis_url)
    # A stream whose reader left is a request in flight until its next heartbeat fails to write (15 s): a stream
    # instance that waited for it would stop that much later. EventSource reconnects to another instance anyway.
    stream_env = {**env, "GUNICORN_WORKER_CLASS": "gevent", "GUNICORN_GRACEFUL_TIMEOUT": "1"}
    logs = tmp_path_factory.mktemp("live")
    with ExitStack() as servers:
        _, app_a, stream_a, app_b, stream_b = _enter_together(
            servers,
            [
                _seeded(deploy_database),
                gunicorn(env, workers=1, log_path=logs / "a-app.log"),
                gunicorn(stream_env, workers=1, log_path=logs / "a-stream.log"),
                gunicorn(env, workers=1, log_path=logs / "b-app.log"),
                gunicorn(stream_env, workers=1, log_path=logs / "b-stream.log"),
            ],
        )
        # nginx() keeps its files under <folder>/nginx: each front needs a folder of its own.
        yield {
            "a": servers.enter_context(nginx(logs / "a", [app_a], [stream_a])),
            "b": servers.enter_context(nginx(logs / "b", [app_b], [stream_b])),
        }


@dataclass
class Person:
    """Someone signed in to the API through one front."""

    front: Nginx
    name: str
    email: str
    ip: str
    token: str = ""
    client: Browser = field(init=False)

    def __post_init__(self):
        self.client = Browser(cafile=self.front.cafile, headers={"X-Forwarded-For": self.ip})

    def call(self, method: str, path: str, body: dict | None = None, status: int = 200) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        response = self.client.request(method, f"{self.front.base}/api/v1{path}", data, headers)
        assert response.status == status, f"{method} {path} answered {response.status}: {response.text[:400]}"
        return json.loads(response.body) if response.body else {}


def register(front: Nginx, name: str) -> Person:
    person = Person(front, name, f"{uuid.uuid4().hex[:12]}@example.com", client_ip())
    body = {"email": person.email, "password": PASSWORD, "display_name": name}
    person.call("POST", "/auth/register", body, status=201)
    person.token = person.call("POST", "/auth/login", {"email": person.email, "password": PASSWORD})["access_token"]
    return person


@dataclass
class Table:
    gm: Person
    player: Person
    campaign_id: str
    character_id: str
    character_name: str


@pytest.fixture
def table(fronts) -> Table:
    """A GM on front A and a player on front B, each registered through the API; the player's character joins the
    GM's campaign with its invite code and the GM approves it."""
    gm, player = register(fronts["a"], "Ysolde"), register(fronts["b"], "Brannoc")
    races = player.call("GET", "/races?limit=100")["data"]
    archetypes = player.call("GET", "/archetypes?limit=100")["data"]
    race = races[0]
    archetype = next(a for a in archetypes if not a.get("required_race_ids") or race["id"] in a["required_race_ids"])
    name = f"Mira {uuid.uuid4().hex[:6]}"
    scores = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
    character = player.call(
        "POST", "/characters", {"name": name, "race_id": race["id"], "archetype_id": archetype["id"], **scores},
        status=201,
    )  # fmt: skip
    campaign = gm.call("POST", "/campaigns", {"name": "The Sunken Keep", "visibility": "PRIVATE"}, status=201)
    joined = player.call(
        "POST", "/campaigns/join", {"invite_code": campaign["invite_code"], "character_id": character["id"]}, status=201
    )
    gm.call("POST", f"/campaigns/{campaign['id']}/members/{joined['id']}/approve")
    return Table(gm, player, campaign["id"], character["id"], name)


@dataclass(frozen=True)
class Arrival:
    at: float  # time.monotonic() when the event's last line came in
    id: str
    data: dict


class Follower(threading.Thread):
    """Follows a campaign's stream through a front as a script does (HTTP/1.1 over TLS, read as it comes), noting when
    each event arrives. Short socket timeouts let it stop at once when told to, as a reader that goes away."""

    def __init__(self, person: Person, campaign_id: str, last_event_id: str | None = None):
        super().__init__(name=f"follow-{person.name}", daemon=True)
        self.person, self.campaign_id, self.last_event_id = person, campaign_id, last_event_id
        self.events: list[Arrival] = []
        self.status: int | None = None
        self.error: BaseException | None = None
        self._changed = threading.Condition()
        self._open = threading.Event()
        self._leaving = threading.Event()

    def __enter__(self) -> "Follower":
        self.start()
        assert self._open.wait(15), "the stream did not open within 15 s"
        assert self.error is None, f"the stream failed: {self.error!r}"
        assert self.status == 200, f"the stream answered {self.status}"
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._leaving.set()
        self.join(timeout=5)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Arrival]:
        """The events so far, once there are at least `count` (or after `timeout` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.events) >= count or not self.is_alive(), timeout)
            assert self.error is None, f"the stream failed: {self.error!r}"
            return list(self.events)

    def run(self) -> None:
        try:
            self._follow()
        except BaseException as error:  # noqa: BLE001 - handed to the test, which reads it
            self.error = error
        finally:
            self._open.set()
            with self._changed:
                self._changed.notify_all()

    def _request(self) -> bytes:
        front = self.person.front
        lines = [
            f"GET /api/v1/campaigns/{self.campaign_id}/stream HTTP/1.1",
            f"Host: 127.0.0.1:{front.https_port}",
            f"Authorization: Bearer {self.person.token}",
            "Accept: text/event-stream",
            f"X-Forwarded-For: {self.person.ip}",
            *([f"Last-Event-ID: {self.last_event_id}"] if self.last_event_id else []),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _follow(self) -> None:
        front = self.person.front
        context = ssl.create_default_context(cafile=str(front.cafile))
        with (
            socket.create_connection(("127.0.0.1", front.https_port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(self._request())
            tls.settimeout(0.1)
            received, text, head = b"", "", None
            decoder = codecs.getincrementaldecoder("utf-8")()  # a chunk may end inside a character
            while not self._leaving.is_set():
                try:
                    chunk = tls.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received += chunk
                if head is None:
                    if b"\r\n\r\n" not in received:
                        continue
                    head, received = received.split(b"\r\n\r\n", 1)
                    self.status = int(head.split(b" ", 2)[1])
                    if self.status != 200:
                        return
                    assert b"transfer-encoding: chunked" in head.lower(), head
                body, received, ended = _dechunk(received)
                text = self._take(text + decoder.decode(body))
                if ended:
                    return

    def _take(self, text: str) -> str:
        """Note each whole message of `text`; returns what is left (a message still arriving)."""
        *blocks, rest = text.split("\n\n")
        for block in blocks:
            fields: dict[str, list[str]] = {}
            for line in block.split("\n"):
                name, _, value = line.partition(":")
                fields.setdefault(name, []).append(value.removeprefix(" "))
            if "retry" in fields:
                self._open.set()  # the first thing the stream says: it follows the log from here
            if fields.get("event") == ["event"]:
                arrival = Arrival(time.monotonic(), fields["id"][0], json.loads("\n".join(fields["data"])))
                with self._changed:
                    self.events.append(arrival)
                    self._changed.notify_all()
        return rest


def _dechunk(buffer: bytes) -> tuple[bytes, bytes, bool]:
    """The data of the whole chunks at the start of `buffer`, what is left, and whether the last chunk came."""
    data = b""
    while (line_end := buffer.find(b"\r\n")) >= 0:
        size = int(buffer[:line_end].split(b";")[0], 16)
        if size == 0:
            return data, b"", True
        start = line_end + 2
        if len(buffer) < start + size + 2:
            break
        data += buffer[start : start + size]
        buffer = buffer[start + size + 2 :]
    return data, buffer, False


def _delivered(follower: Follower, count: int, answered: float, what: str, delays: dict) -> Arrival:
    """The stream's `count`th event, asserted to have arrived within DELIVERY of the answer to the action."""
    events = follower.wait_for(count)
    assert len(events) >= count, f"{what}: never reached the stream (saw {len(events)} of {count} events)"
    arrival = events[count - 1]
    delays[what] = round(arrival.at - answered, 3)
    assert arrival.at - answered <= DELIVERY, f"{what} took {arrival.at - answered:.3f} s to arrive"
    return arrival


def _newest(person: Person, campaign_id: str, count: int) -> list[str]:
    """The ids of the log's newest `count` events this person may see, oldest first."""
    page = person.call("GET", f"/campaigns/{campaign_id}/events?limit={count}")["data"]
    return [event["id"] for event in reversed(page)]


STREAM_PATH = re.compile(r"/(api/v1/)?campaigns/[^/]+/stream")


def _routes(front: Nginx, timeout: float = 5.0) -> dict[str, set[str]]:
    """The servers the front sent live streams to and those it sent everything else to, from its access log (where a
    stream shows once it has ended)."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, set[str]] = {"stream": set(), "app": set()}
        for line in (front.prefix / "logs" / "access.log").read_text().splitlines():
            entry = json.loads(line)
            if entry["upstream"] not in ("", "-"):
                found["stream" if STREAM_PATH.fullmatch(entry["uri"]) else "app"].add(entry["upstream"])
        if found["stream"] or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _servers(upstream: Path) -> set[str]:
    return set(re.findall(r"server (\S+);", upstream.read_text()))


def test_events_reach_the_other_instance_within_a_second_hidden_rolls_stay_hidden_and_streams_resume(table):
    gm, player, campaign = table.gm, table.player, table.campaign_id
    character = f"/characters/{table.character_id}"
    delays: dict[str, float] = {}
    with Follower(gm, campaign) as gm_stream, Follower(player, campaign) as player_stream:
        roll = player.call(
            "POST", f"{character}/rolls", {"kind": "free", "expression": "2d6+1", "label": "Lockpicking",
                                            "visibility": "public"}, status=201,
        )  # fmt: skip
        rolled = _delivered(gm_stream, 1, time.monotonic(), "player's roll", delays)
        player.call("POST", f"{character}/damage", {"amount": 3, "note": "A goblin's arrow."})
        hurt = _delivered(gm_stream, 2, time.monotonic(), "damage", delays)
        player.call("PUT", f"{character}/conditions", {"poisoned": True})
        poisoned = _delivered(gm_stream, 3, time.monotonic(), "poisoned", delays)

        assert (rolled.data["kind"], rolled.data["data"]["roll_id"]) == ("ROLL", roll["id"])
        assert rolled.data["visibility"] == "public" and rolled.data["character"]["id"] == table.character_id
        assert (hurt.data["kind"], poisoned.data["kind"]) == ("DAMAGE", "CONDITION")
        assert "took 3 damage" in hurt.data["body"] and "poisoned" in poisoned.data["body"]
        assert [e.id for e in gm_stream.events] == _newest(gm, campaign, 3), "each event once, in the log's order"

        # A hidden roll, then a public one: the GM's stream gets both; the player's only the public one.
        hidden = gm.call(
            "POST", f"/campaigns/{campaign}/rolls", {"expression": "1d20", "label": "Ambush", "visibility": "gm"},
            status=201,
        )  # fmt: skip
        public = gm.call(
            "POST", f"/campaigns/{campaign}/rolls", {"expression": "1d6", "label": "Weather", "visibility": "public"},
            status=201,
        )  # fmt: skip
        answered = time.monotonic()
        seen = _delivered(player_stream, 4, answered, "GM's public roll at the player", delays)
        assert seen.data["data"]["roll_id"] == public["id"]
        _delivered(gm_stream, 5, answered, "GM's public roll at the GM", delays)
        gm_rolls = [e.data["data"].get("roll_id") for e in gm_stream.events[3:]]
        assert gm_rolls == [hidden["id"], public["id"]]
        assert [e.id for e in gm_stream.events] == _newest(gm, campaign, 5), "each event once, in the log's order"
        # The hidden roll was written first: had it leaked, it would have come before the public one.
        player_events = player_stream.wait_for(4)
        assert [e.id for e in player_events] == [e.id for e in gm_stream.events[:3]] + [seen.id]
        assert all(e.data["data"].get("roll_id") != hidden["id"] for e in player_events)
        assert not any("Ambush" in json.dumps(e.data) for e in player_events), "the hidden roll reached the player"

        # The GM goes away; two events happen; the GM comes back with the last event it read.
        gm_stream.stop()
        last = gm_stream.events[-1].id
        player.call("POST", f"{character}/heal", {"amount": 1})
        player.call("POST", f"{character}/rolls", {"kind": "attack", "visibility": "public"}, status=201)
    missed, reconnecting = _newest(gm, campaign, 2), time.monotonic()
    with Follower(gm, campaign, last_event_id=last) as resumed:
        caught_up = _delivered(resumed, 2, reconnecting, "both missed events, from reconnecting", delays)
        time.sleep(0.5)  # a repeat would come with them, in the stream's first read
        assert [e.id for e in resumed.events] == missed, "exactly the two missed events, none repeated"
        assert [e.data["kind"] for e in resumed.events] == ["HEAL", "ROLL"]
        assert caught_up.data["data"]["kind"] == "attack"
    print(f"delivery after the answer (s): {delays}")
    for front in (gm.front, player.front):  # each front reached its own instance alone
        assert _routes(front) == {"stream": _servers(front.stream_upstream), "app": _servers(front.upstream)}


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# Notes when each element of the given selectors first shows on the page (Date.now(), the clock time.time() reads): a
# log entry by its id, anything else by its text, so that a party card's new health is a new sighting.
WATCH = """(selectors) => {
  window.tavernSeen = {};
  const look = () => selectors.forEach((selector) => document.querySelectorAll(selector).forEach((element) => {
    const text = element.textContent.replace(/\\s+/g, " ").trim();
    const key = selector + "|" + (element.id || text);
    if (!(key in window.tavernSeen)) window.tavernSeen[key] = {selector: selector, text: text, at: Date.now()};
  }));
  look();
  new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture
def chromium(playwright):
    """Debian's Chromium, from pytest-playwright's Playwright: a second Sync API in the same thread (as when the
    browser tests run on this worker too) refuses to start."""
    browser = playwright.chromium.launch(executable_path=require_tool("chromium", CHROMIUM), args=BROWSER_ARGS)
    try:
        yield browser
    finally:
        browser.close()


def _sign_in(browser, person: Person):
    context = browser.new_context(
        base_url=person.front.base, ignore_https_errors=True, locale="en-GB",
        extra_http_headers={"X-Forwarded-For": person.ip},
    )  # fmt: skip
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation(url=lambda url: "/login" not in url):
        page.get_by_role("button", name="Sign in").click()
    return context, page


def _open_table(page, campaign_id: str, watched: list[str]) -> None:
    from playwright.sync_api import expect

    page.goto(f"/campaigns/{campaign_id}/table")
    page.evaluate(WATCH, watched)
    expect(page.locator("[data-live]")).to_be_visible()  # the stream is open


def _answered(page, path_end: str, act) -> float:
    """Run `act` on the page; the clock time (time.time()) when the app's answer to its POST had fully arrived."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path_end)) as answer:
        act()
    response = answer.value
    assert response.ok, f"{path_end} answered {response.status}"
    response.finished()
    timing = response.request.timing
    return (timing["startTime"] + timing["responseEnd"]) / 1000


def _delay(page, selector: str, text: str, answered: float) -> float:
    """From the answer to when an element of `selector` holding `text` first showed on the page."""
    seen = page.evaluate("() => Object.values(window.tavernSeen)")
    return round(min(s["at"] for s in seen if s["selector"] == selector and text in s["text"]) / 1000 - answered, 3)


@pytest.mark.e2e
def test_the_gms_table_shows_what_the_player_does_on_the_other_instance_within_a_second(table, chromium):
    from playwright.sync_api import expect

    name, character_id = table.character_name, table.character_id
    health = table.player.call("GET", f"/characters/{character_id}/state")["health"]
    entries, health_value = "#table-log-list .event", f"#seat-{character_id} .pool-health .pool-value"
    poisoned_chip = f"#seat-{character_id} .condition-poisoned"
    gm_context, gm_page = _sign_in(chromium, table.gm)
    player_context, sheet = _sign_in(chromium, table.player)
    delays: dict[str, float] = {}
    try:
        _open_table(gm_page, table.campaign_id, [entries, health_value, poisoned_chip])
        newest = gm_page.locator(entries).first
        expect(gm_page.locator(health_value)).to_contain_text(f"{health['current']} / {health['max']}")
        sheet.goto(f"/characters/{character_id}")

        answered = _answered(sheet, "/rolls", lambda: sheet.locator("#roll-attack").click())
        expect(newest).to_contain_text(f"{name} rolled Attack", timeout=1000)
        delays["attack roll in the log"] = _delay(gm_page, entries, f"{name} rolled Attack", answered)

        sheet.locator("#hit-amount").fill("3")
        answered = _answered(sheet, "/damage", lambda: sheet.locator("#damage-button").click())
        expect(newest).to_contain_text(f"{name} took 3 damage", timeout=1000)
        left = f"{health['current'] - 3} / {health['max']}"
        expect(gm_page.locator(health_value)).to_contain_text(left, timeout=1000)
        delays["damage in the log"] = _delay(gm_page, entries, f"{name} took 3 damage", answered)
        delays["health on the party card"] = _delay(gm_page, health_value, left, answered)

        answered = _answered(sheet, "/conditions", lambda: sheet.locator("#toggle-poisoned").click())
        expect(newest).to_contain_text(f"{name} is now poisoned", timeout=1000)
        expect(gm_page.locator(poisoned_chip)).to_be_visible(timeout=1000)
        delays["poisoned in the log"] = _delay(gm_page, entries, f"{name} is now poisoned", answered)
        delays["Poisoned chip on the party card"] = _delay(gm_page, poisoned_chip, "Poisoned", answered)

        ids = gm_page.locator(entries).evaluate_all("(found) => found.map((entry) => entry.id)")
        assert len(ids) == len(set(ids)), "an entry shows twice on the GM's table"

        # The player watches the table too; the GM rolls hidden, then for everyone.
        player_table = player_context.new_page()
        _open_table(player_table, table.campaign_id, [entries])
        gm_roll = gm_page.locator("#gm-roll")
        for label, audience in (("Ambush", "Only me (a hidden roll)"), ("Weather", "Everyone at the table")):
            gm_roll.get_by_label("Dice").fill("1d20")
            gm_roll.get_by_label("Label", exact=True).fill(label)
            gm_roll.get_by_label(audience).check()
            answered = _answered(gm_page, "/table/rolls", lambda: gm_roll.get_by_role("button", name="Roll").click())
        expect(player_table.locator(entries).first).to_contain_text("The game master rolled Weather", timeout=1000)
        delays["GM's public roll at the player"] = _delay(player_table, entries, "rolled Weather", answered)
        expect(player_table.locator("#table-log-list")).not_to_contain_text("Ambush")
        expect(player_table.locator("#table-log-list")).to_contain_text(f"{name} is now poisoned")
        expect(gm_page.locator("#table-log-list")).to_contain_text("The game master rolled Ambush")
    finally:
        gm_context.close()
        player_context.close()
    print(f"delivery after the answer (s): {delays}")
