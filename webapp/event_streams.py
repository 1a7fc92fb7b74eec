"""A campaign's log as Server-Sent Events, for the table page (HTML) and the API (JSON): what came after the
reader's last event, then each new one as it commits, each only to those who may see it.

A stream holds no database connection while it waits (webapp/live.py rings it when its campaign has news). The
streams of one campaign in a process read the log once for all of them, each keeping what its reader may see
(access.sees_event), and render each event once per form. A reader's access to the log is checked when the
stream opens, again whenever the log says the party changed (a member removed or leaving, the campaign
archived), and every LIVE_SAFETY_POLL seconds, when the stream also reads in case news was lost. A stream ends
after LIVE_STREAM_SECONDS; EventSource reconnects by itself with `Last-Event-ID`, so the sign-in is checked
again then. In production the stream routes run on a gevent worker (GUNICORN_WORKER_CLASS=gevent), where a
waiting stream is a greenlet, not a thread.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Response, current_app, request, stream_with_context

from webapp import live
from webapp.extensions import db
from webapp.models import CampaignEvent, EventKind, User
from webapp.services import access, campaign_events
from webapp.services.errors import Forbidden, NotFound

BATCH = 50
RENDERED_KEPT = 400  # messages kept per campaign for its other streams
RETRY_MS = 2000  # how soon EventSource reconnects after the stream ends
# Events after which a party view shows something else (pools, conditions, level, load, members).
CHANGES_PARTY = frozenset(
    {
        EventKind.DAMAGE,
        EventKind.HEAL,
        EventKind.SPEND,
        EventKind.RESTORE,
        EventKind.CONDITION,
        EventKind.REST,
        EventKind.ITEM_USED,
        EventKind.XP_AWARD,
        EventKind.ITEM_GRANT,
        EventKind.JOINED,
        EventKind.JOIN_REQUESTED,
        EventKind.REJECTED,
        EventKind.REMOVED,
        EventKind.LEFT,
        EventKind.ARCHIVED,
    }
)
# Events after which a reader may no longer read the log.
CHANGES_ACCESS = frozenset({EventKind.REMOVED, EventKind.LEFT, EventKind.REJECTED, EventKind.ARCHIVED})


def message(data: str, event: str | None = None, event_id: str | None = None) -> str:
    """One Server-Sent Event; each line of `data` on its own `data:` line, as the format wants."""
    head = (f"id: {event_id}\n" if event_id else "") + (f"event: {event}\n" if event else "")
    return head + "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


def resume_point(campaign_id, after_id: str | None) -> int:
    """Where a stream starts: after the event the reader names (`Last-Event-ID` first, then `?after=`), or after
    the latest event when it names none. Raises RuleViolation (`after`) for an id of no event of this log."""
    named = request.headers.get("Last-Event-ID") or after_id
    if named:
        return campaign_events.seq_of(campaign_id, named.strip())
    return campaign_events.last_seq(campaign_id)


@dataclass
class _Reader:
    user_id: object
    gm_id: object
    campaign_id: object
    form: str  # "html" or "json": one rendering per event and form, shared by the campaign's streams
    render: Callable[[CampaignEvent], str]
    last: int


def stream(actor, campaign_id, after: int, render: Callable[[CampaignEvent], str], form: str) -> Response:
    """The streaming answer: `render` turns an event into its message(s). Raises NotFound or Forbidden now, for
    one who may not read the log, rather than an empty stream."""
    user_id, gm_id = campaign_events.reader(actor, campaign_id)
    config, hub = current_app.config, live.hub()
    reader = _Reader(user_id, gm_id, campaign_id, form, render, after)
    waiter = hub.join(campaign_id)  # before the first read, so that no news falls between the read and the wait
    db.session.close()  # hand back the request's connection: the stream reads with short sessions of its own

    def generate() -> Iterator[str]:
        ends, checked = time.monotonic() + config["LIVE_STREAM_SECONDS"], time.monotonic()
        try:
            yield f"retry: {RETRY_MS}\n\n"
            fresh = False
            while True:
                polled = time.monotonic() - checked >= config["LIVE_SAFETY_POLL"]
                chunks, full, may_read = _read(hub, reader, fresh or polled)
                if polled:
                    checked = time.monotonic()
                if not may_read:
                    yield message("", "end")  # the reader may no longer read this log
                    return
                yield from chunks
                if full:
                    continue
                fresh = yield from _wait(waiter, hub, ends, checked, config)
                if fresh is None:
                    return
        finally:
            waiter.close()

    encoded = (chunk.encode() for chunk in generate())  # passed through untouched, so as bytes
    response = Response(stream_with_context(encoded), mimetype="text/event-stream", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # Nginx passes each event on at once
    return response


def _read(hub: live.Hub, reader: _Reader, check: bool) -> tuple[list[str], bool, bool]:
    """(messages of what committed after the reader's last event that they may see, whether more wait, whether
    they may still read the log). Reads the database only when no other stream of the campaign just did."""
    events = _events_after(hub, reader.campaign_id, reader.last, fresh=check)
    if check or any(event.kind in CHANGES_ACCESS for event in events):
        try:
            campaign_events.reader(db.session.get(User, reader.user_id), reader.campaign_id)
        except (NotFound, Forbidden):
            return [], False, False
        finally:
            db.session.close()
    shared = hub.shared(reader.campaign_id)
    chunks = []
    for event in events:
        if access.sees_event(reader.user_id, reader.gm_id, event):
            key = (reader.form, event.id)
            if key not in shared.rendered:
                if len(shared.rendered) >= RENDERED_KEPT:
                    shared.rendered.clear()
                shared.rendered[key] = reader.render(event)
            chunks.append(shared.rendered[key])
    if events:
        reader.last = events[-1].seq
    return chunks, len(events) == BATCH, True


def _events_after(hub: live.Hub, campaign_id, after: int, fresh: bool) -> list[CampaignEvent]:
    """The log after `after`, read once for every stream of the campaign that woke for the same news."""
    shared, news = hub.shared(campaign_id), hub.news(campaign_id)
    with shared.lock:
        if not fresh and shared.kept is not None and shared.kept[:2] == (after, news):
            return shared.kept[2]
        try:
            events = campaign_events.all_after(campaign_id, after, BATCH)
        finally:
            db.session.close()  # the events stay usable: closing detaches them without expiring what was loaded
        shared.kept = (after, news, events)
        return events


def _wait(waiter: live.Waiter, hub: live.Hub, ends: float, checked: float, config) -> Iterator[str]:
    """Wait for news, saying "still here" every heartbeat. Returns False to read after news, True to read the
    database afresh (no news: a poll), None once the stream's time is up."""
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            return None
        if waiter.wait(min(config["LIVE_HEARTBEAT_SECONDS"], left)):
            return False
        if not hub.connected or time.monotonic() - checked >= config["LIVE_SAFETY_POLL"]:
            return True
        yield ": still here\n\n"
