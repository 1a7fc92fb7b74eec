"""The table page's live log: each new event the viewer may see, as the HTML of its log entry, and a signal to
refresh the party when it changed a character."""

from flask import render_template, request
from flask_login import login_required

from webapp import event_streams
from webapp.models import CampaignEvent
from webapp.pages import bp
from webapp.pages.current import me
from webapp.services.campaign_events import last_seq, reader
from webapp.services.errors import RuleViolation


@bp.get("/campaigns/<uuid:campaign_id>/stream")
@login_required
def campaign_stream(campaign_id):
    """`?after=` the newest event the page shows, so nothing written between the page and the stream is lost."""
    reader(me(), campaign_id)  # 404 / 403 before a place to resume is looked up
    try:
        after = event_streams.resume_point(campaign_id, request.args.get("after"))
    except RuleViolation:  # a page older than its event (deleted with its campaign's log): from now on
        after = last_seq(campaign_id)
    return event_streams.stream(me(), campaign_id, after, _render, "html")


def _render(event: CampaignEvent) -> str:
    html = event_streams.message(render_template("campaigns/_event.html", event=event), "log", str(event.id))
    if event.kind in event_streams.CHANGES_PARTY:
        html += event_streams.message(str(event.character_id or ""), "party")
    return html
