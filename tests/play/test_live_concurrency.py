"""The live log on the real PostgreSQL and Redis: numbers given in commit order under parallel writes, news that
crosses processes through Redis, and streams that keep delivering while Redis is away."""

import threading
import time

import pytest

from tests.support import at_once
from webapp import live
from webapp.extensions import db
from webapp.models import CampaignEvent, User
from webapp.services import campaign_events

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.access_token(user)}"}


@pytest.fixture
def big_table(make):
    campaign, members = make.party(10)
    gm = db.session.get(User, campaign.owner_id)
    db.session.commit()
    return campaign, members, gm


def test_parallel_writes_commit_in_number_order_so_a_reader_never_skips_one(app, postgres, make, big_table):
    campaign, members, gm = big_table
    headers, campaign_id = bearer(make, gm), campaign.id
    member_ids = [member.id for member in members]
    seen, stop = [], threading.Event()

    def reader():
        # What a stream does: read what came after the last number it has, again and again.
        with app.app_context():
            last = 0
            while not stop.is_set() or last < 20:
                found = campaign_events.all_after(campaign_id, last, 100)
                db.session.close()
                for event in found:
                    seen.append(event.seq)
                    last = event.seq
                if stop.is_set() and not found:
                    break

    watcher = threading.Thread(target=reader)
    watcher.start()

    def hit(client, index):
        character_id = member_ids[index % len(member_ids)]
        return client.post(f"/api/v1/characters/{character_id}/damage", json={"amount": 1}, headers=headers)

    try:
        answers = at_once([app.test_client() for _ in range(20)], hit)
    finally:
        stop.set()
        watcher.join(timeout=30)

    assert [status for status, _ in answers] == [200] * 20
    numbers = sorted(seq for (seq,) in db.session.query(CampaignEvent.seq).filter_by(campaign_id=campaign_id))
    assert numbers == list(range(1, 21))
    assert seen == list(range(1, 21))  # in order, none skipped, none twice


def test_news_crosses_processes_through_redis(app, postgres, redis_url, make, big_table):
    campaign, members, gm = big_table
    elsewhere = live.Hub(redis_url)  # another instance's hub: it hears only what Redis tells it
    waiter = elsewhere.join(campaign.id)
    deadline = time.monotonic() + 5
    while not elsewhere.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert elsewhere.connected
    waiter.wait(0)  # the ring that says "subscribed: read what you may have missed"
    started = time.monotonic()
    answer = app.test_client().post(
        f"/api/v1/characters/{members[0].id}/damage", json={"amount": 2}, headers=bearer(make, gm)
    )
    assert answer.status_code == 200
    assert waiter.wait(1.0), "the other instance heard nothing within a second"
    assert time.monotonic() - started < 1.0
    waiter.close()
    elsewhere.close()


def _follow(app, path: str, headers: dict, into: list, ready: threading.Event) -> None:
    """Read a stream until it ends, noting when each line arrived."""
    response = app.test_client().get(path, headers=headers, buffered=False)
    ready.set()
    for chunk in response.response:
        for line in chunk.decode().splitlines():
            if line.startswith("data: {"):
                into.append((time.monotonic(), line))
    response.close()


@pytest.fixture
def short_streams(app):
    saved = {name: app.config[name] for name in ("LIVE_STREAM_SECONDS", "LIVE_HEARTBEAT_SECONDS")}
    app.config.update(LIVE_STREAM_SECONDS=2.5, LIVE_HEARTBEAT_SECONDS=0.2)
    yield
    app.config.update(saved)


def test_a_stream_delivers_a_write_within_a_second(app, postgres, redis_url, make, big_table, short_streams):
    campaign, members, gm = big_table
    arrived, ready = [], threading.Event()
    follower = threading.Thread(
        target=_follow, args=(app, f"/api/v1/campaigns/{campaign.id}/stream", bearer(make, gm), arrived, ready)
    )
    follower.start()
    ready.wait(5)
    time.sleep(0.3)
    started = time.monotonic()
    answer = app.test_client().post(
        f"/api/v1/characters/{members[1].id}/damage", json={"amount": 1}, headers=bearer(make, gm)
    )
    assert answer.status_code == 200
    follower.join(timeout=10)
    assert len(arrived) == 1 and "took 1 damage" in arrived[0][1]
    assert arrived[0][0] - started < 1.0


def test_with_redis_away_streams_still_deliver_by_reading_each_heartbeat(app, postgres, make, big_table, short_streams):
    campaign, members, gm = big_table
    saved, away = app.extensions["live"], live.Hub("redis://127.0.0.1:1/0")  # nothing listens there
    app.extensions["live"] = away
    try:
        arrived, ready = [], threading.Event()
        follower = threading.Thread(
            target=_follow, args=(app, f"/api/v1/campaigns/{campaign.id}/stream", bearer(make, gm), arrived, ready)
        )
        follower.start()
        ready.wait(5)
        time.sleep(0.3)
        answer = app.test_client().post(
            f"/api/v1/characters/{members[2].id}/damage", json={"amount": 3}, headers=bearer(make, gm)
        )
        assert answer.status_code == 200
        follower.join(timeout=10)
    finally:
        app.extensions["live"] = saved
        away.close()
    assert [line for _, line in arrived if "took 3 damage" in line]
