"""A campaign's log as Server-Sent Events, for the table page (HTML) and the API (JSON): what came after the
reader's last event, then each new one as it commits, each only to those who may see it.

A stream holds no database connection while it waits: it reads when its campaign has news (webapp/live.py),
every LIVE_SAFETY_POLL seconds in case news was lost, and checks the reader's access to the log at each read. It
ends after LIVE_STREAM_SECONDS; EventSource reconnects by itself with `Last-Event-ID`, so the sign-in is checked
again then. In production the stream routes run on a gevent worker (deploy/gunicorn_stream.conf.py), where a
waiting stream is a greenlet, not a thread.
"""

import time
from collections.abc import Callable, Iterator

from flask import Response, current_app, request, stream_with_context

from webapp import live
from webapp.extensions import db
from webapp.models import CampaignEvent, EventKind, User
from webapp.services import campaign_events
from webapp.services.errors import Forbidden, NotFound, RuleViolation

BATCH = 50
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


def stream(user_id, campaign_id, after: int, render: Callable[[CampaignEvent], str]) -> Response:
    """The streaming answer: `render` turns each event into its message(s). The caller has checked that the user
    may read the log now (so a refusal is a plain 403/404 and not an empty stream)."""
    config = current_app.config
    hub = live.hub()
    waiter = hub.join(campaign_id)  # before the first read, so that no news falls between the read and the wait
    db.session.close()  # hand back the request's connection: the stream reads with short sessions of its own

    def generate() -> Iterator[str]:
        last, ends = after, time.monotonic() + config["LIVE_STREAM_SECONDS"]
        try:
            yield f"retry: {RETRY_MS}\n\n"
            while True:
                read = _read(user_id, campaign_id, last, render)
                if read is None:
                    yield message("", "end")  # the reader may no longer read this log
                    return
                chunks, last, full = read
                yield from chunks
                if full:
                    continue
                if not (yield from _wait(waiter, hub, ends, config)):
                    return
        finally:
            waiter.close()

    encoded = (chunk.encode() for chunk in generate())  # passed through untouched, so as bytes
    response = Response(stream_with_context(encoded), mimetype="text/event-stream", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # Nginx passes each event on at once
    return response


def _read(user_id, campaign_id, last: int, render) -> tuple[list[str], int, bool] | None:
    """What committed after `last` that the user may see, rendered; None when they may no longer read the log."""
    try:
        actor = db.session.get(User, user_id)
        if actor is None:
            return None
        events = campaign_events.events_after(actor, campaign_id, last, BATCH)
        chunks = [render(event) for event in events]
    except (NotFound, Forbidden, RuleViolation):
        return None
    finally:
        db.session.close()
    return chunks, (events[-1].seq if events else last), len(events) == BATCH


def _wait(waiter: live.Waiter, hub: live.Hub, ends: float, config) -> Iterator[str]:
    """Wait for news, saying "still here" every heartbeat; True to read again, False once the stream's time is up."""
    quiet_since = time.monotonic()
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            return False
        if waiter.wait(min(config["LIVE_HEARTBEAT_SECONDS"], left)):
            return True
        if not hub.connected or time.monotonic() - quiet_since >= config["LIVE_SAFETY_POLL"]:
            return True
        yield ": still here\n\n"
