"""News of campaign logs across instances: a commit that wrote events publishes its campaigns on Redis, and each
process wakes the streams that follow them (through one subscription per process).

A message says only "this campaign's log has news"; each stream then reads what came after the last event it
sent, as its reader may see it, from the database. So a lost message delays an event and never shows one to the
wrong reader, and streams also read every SAFETY_POLL seconds in case a message was lost. Without Redis (`make
run`, tests without TEST_REDIS_URL) the news goes to this process's streams alone.
"""

import logging
import os
import threading
import time
from collections import defaultdict

import redis
import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from webapp.models import CampaignEvent

CHANNEL = "tavern:campaign-news"
_PENDING = "live_campaigns"  # per transaction: the campaigns whose log it wrote
RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)  # between attempts to subscribe again after Redis failed
log = logging.getLogger(__name__)


class Waiter:
    """One stream's doorbell: rung when its campaign's log has news (or whenever news may have been missed)."""

    def __init__(self, hub: "Hub", campaign_id: str):
        self._hub, self.campaign_id, self._bell = hub, campaign_id, threading.Event()

    def ring(self) -> None:
        self._bell.set()

    def wait(self, timeout: float) -> bool:
        """True when rung since the last wait; False after `timeout` seconds of quiet."""
        rung = self._bell.wait(timeout)
        self._bell.clear()
        return rung

    def close(self) -> None:
        self._hub.leave(self)


class Shared:
    """What the streams of one campaign in this process share: one read of the log at a time, and its result for
    those that woke for the same news."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: tuple | None = None  # (after, news, events) of the last read
        self.rendered: dict = {}  # (form, event id) -> the message sent for it


class Hub:
    """This process's streams by campaign, and the one Redis subscription that rings them."""

    def __init__(self, redis_url: str | None):
        self._url = redis_url
        self._waiters: dict[str, set[Waiter]] = defaultdict(set)
        self._news: dict[str, int] = {}  # per followed campaign: how many times news came
        self._shared: dict[str, Shared] = {}
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._pid = None
        self._closed = threading.Event()
        self.connected = redis_url is None  # without Redis, every publisher is in this process

    def join(self, campaign_id) -> Waiter:
        """A waiter for the campaign's news, rung from now on."""
        self._listen()
        waiter = Waiter(self, str(campaign_id))
        with self._lock:
            self._waiters[waiter.campaign_id].add(waiter)
            self._news.setdefault(waiter.campaign_id, 0)
            self._shared.setdefault(waiter.campaign_id, Shared())
        return waiter

    def leave(self, waiter: Waiter) -> None:
        with self._lock:
            found = self._waiters.get(waiter.campaign_id)
            if found is not None:
                found.discard(waiter)
                if not found:
                    del self._waiters[waiter.campaign_id]
                    self._news.pop(waiter.campaign_id, None)
                    self._shared.pop(waiter.campaign_id, None)

    def news(self, campaign_id) -> int:
        """How many times news of the campaign came since this process began following it."""
        with self._lock:
            return self._news.get(str(campaign_id), 0)

    def shared(self, campaign_id) -> Shared:
        """What the campaign's streams share (while one of them follows it)."""
        with self._lock:
            return self._shared.setdefault(str(campaign_id), Shared())

    def followers(self) -> int:
        with self._lock:
            return sum(len(waiters) for waiters in self._waiters.values())

    def publish(self, campaign_ids) -> None:
        """Tell every instance; when Redis fails, at least this one (the others catch up by their SAFETY_POLL)."""
        ids = sorted({str(campaign_id) for campaign_id in campaign_ids})
        if not ids:
            return
        client = current_app.extensions.get("redis") if has_app_context() else None
        if client is not None:
            try:
                client.publish(CHANNEL, " ".join(ids))
                return
            except redis.RedisError as error:
                log.warning("live news not published (%s): streams elsewhere catch up by polling", error)
        self.ring(ids)

    def ring(self, campaign_ids=None) -> None:
        """Ring the waiters of these campaigns, or every waiter."""
        with self._lock:
            rung = list(self._waiters) if campaign_ids is None else [c for c in campaign_ids if c in self._waiters]
            for campaign_id in rung:
                self._news[campaign_id] += 1
            found = [waiter for campaign_id in rung for waiter in self._waiters[campaign_id]]
        for waiter in found:
            waiter.ring()

    def _listen(self) -> None:
        """Start this process's subscription once (again in a forked worker: threads do not survive a fork)."""
        if self._url is None or (self._listener is not None and self._pid == os.getpid()):
            return
        with self._lock:
            if self._listener is not None and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._listener = threading.Thread(target=self._run, name="live-news", daemon=True)
            self._listener.start()

    def close(self) -> None:
        """Stop this process's subscription (a hub made for a moment, as the tests make them)."""
        self._closed.set()

    def _run(self) -> None:
        attempt = 0
        while not self._closed.is_set():
            try:
                client = redis.Redis.from_url(self._url, socket_connect_timeout=1, socket_keepalive=True)
                subscription = client.pubsub(ignore_subscribe_messages=True)
                subscription.subscribe(CHANNEL)
                self.connected, attempt = True, 0
                self.ring()  # news may have come while this was not subscribed
                quiet_since = time.monotonic()
                while not self._closed.is_set():
                    message = subscription.get_message(timeout=1)
                    if message is not None and message["type"] == "message":
                        self.ring(message["data"].decode().split())
                        quiet_since = time.monotonic()
                    elif time.monotonic() - quiet_since > 30:
                        subscription.ping()  # a connection that died in silence raises here
                        quiet_since = time.monotonic()
            except (redis.RedisError, OSError) as error:
                self.connected = False
                self.ring()
                if self._closed.is_set():
                    return
                log.warning("live news subscription lost (%s); subscribing again", error)
                self._closed.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1


def init_app(app: Flask) -> None:
    app.extensions["live"] = Hub(app.config.get("REDIS_URL"))


def hub(app: Flask | None = None) -> Hub:
    return (app or current_app).extensions["live"]


@sa.event.listens_for(Session, "after_flush")
def _note_events(session: Session, _context) -> None:
    written = {obj.campaign_id for obj in session.new if isinstance(obj, CampaignEvent)}
    if written:
        session.info.setdefault(_PENDING, set()).update(written)


@sa.event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    campaign_ids = session.info.pop(_PENDING, None)
    if campaign_ids and has_app_context() and "live" in current_app.extensions:
        hub().publish(campaign_ids)


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
