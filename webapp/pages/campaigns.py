"""The campaign pages: my campaigns, new and edit, the GM dashboard with its live roster, and /join/<code>."""

import hashlib

from flask import Response, flash, make_response, redirect, request, url_for
from flask_login import login_required

from webapp.models import Campaign, Item, MembershipStatus, Visibility
from webapp.models.compendium_kinds import KINDS
from webapp.net import external_url
from webapp.pages import bp
from webapp.pages.campaign_forms import AwardForm, CampaignForm, JoinForm, NoteForm, choices
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go
from webapp.pages.render import is_fragment_request, render, toast
from webapp.pages.table import Seat, seats
from webapp.rules import RARITY_ORDER, load_limit
from webapp.rules.wording import format_kg
from webapp.services import access, campaign_events, campaigns, compendium
from webapp.services.campaigns import awards
from webapp.services.compendium import Filters
from webapp.services.errors import InvalidInput, NotFound, RuleViolation

DASHBOARD = "campaigns/dashboard.html"
RULE_FIELDS = {"allowed_race_ids": "allowed_races", "allowed_archetype_ids": "allowed_archetypes"}
ITEM_RESULTS = 12


def _toast(response: Response, message: str, level: str = "success", changed: bool = True) -> Response:
    """Announce the outcome; `campaign-changed` tells the roster, log and compliance panels to refresh."""
    return toast(response, message, level, {"campaign-changed": True} if changed else None)


def _done(campaign_id, message: str, block: str | None = None, **state) -> Response:
    """After a change: the refreshed block and a toast for htmx; a redirect with a flash otherwise."""
    if block is None or not is_fragment_request():
        if not is_fragment_request():
            flash(message, "success")
            return redirect(url_for("pages.campaign_show", campaign_id=campaign_id), code=303)
        return _toast(make_response("", 204), message)
    return _toast(_dashboard(campaign_id, block, **state), message)


def _rules_choices(form: CampaignForm) -> None:
    actor = me()
    form.allowed_races.choices = choices(compendium.choices(actor, "races"))
    form.allowed_archetypes.choices = choices(compendium.choices(actor, "archetypes"))


@bp.get("/campaigns")
@login_required
def campaign_list():
    running, playing = campaigns.my_campaigns(me())
    sizes = campaigns.party_sizes([c.id for c in running] + [m.campaign_id for m in playing])
    return render("campaigns/list.html", None, running=running, playing=playing, sizes=sizes)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def campaign_new():
    form = CampaignForm()
    _rules_choices(form)
    if form.validate_on_submit():
        try:
            campaign = campaigns.create_campaign(me(), form.new_campaign())
        except InvalidInput as error:
            put_errors(form, error.violations, form.ALIASES)
        else:
            flash(f"“{campaign.name}” is ready. Share the invite link with your players.", "success")
            return go(url_for("pages.campaign_show", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render("campaigns/form.html", "form", status=status, form=form, campaign=None)


@bp.route("/campaigns/<uuid:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def campaign_edit(campaign_id):
    campaign = campaigns.load_running(me(), campaign_id)
    if request.method == "GET":
        form = CampaignForm(
            formdata=None,
            name=campaign.name,
            description=campaign.description,
            visibility=str(campaign.visibility),
            level_cap=campaign.level_cap,
            point_budget=campaign.point_budget,
            max_rarity=str(campaign.max_rarity) if campaign.max_rarity else "",
            allowed_races=[str(race.id) for race in campaign.allowed_races],
            allowed_archetypes=[str(archetype.id) for archetype in campaign.allowed_archetypes],
        )
    else:
        form = CampaignForm()
    _rules_choices(form)
    if form.validate_on_submit():
        try:
            # A hidden campaign stays hidden: its form offers PUBLIC and PRIVATE only.
            changes = form.changes(keep_visibility=campaign.visibility != Visibility.HIDDEN)
            campaigns.update_campaign(me(), campaign_id, changes)
        except InvalidInput as error:
            put_errors(form, error.violations, form.ALIASES)
        else:
            flash("Campaign saved.", "success")
            return go(url_for("pages.campaign_show", campaign_id=campaign_id))
    status = 422 if request.method == "POST" else 200
    return render("campaigns/form.html", "form", status=status, form=form, campaign=campaign)


def _dashboard(campaign_id, block: str | None = None, status: int = 200, **state) -> Response:
    actor = me()
    view = campaigns.dashboard(actor, campaign_id, before=request.args.get("before") or None)
    return render(DASHBOARD, block, status=status, **{**_context(view), **state})  # a refused form replaces its blank


def _context(view: campaigns.Dashboard, **forms) -> dict:
    campaign, roster = view.campaign, view.roster
    runs = roster is not None and roster.runs
    award_form = AwardForm(formdata=None)
    party = []
    if roster is not None:
        award_form.target.choices = _award_targets(roster)
        party = seats(me(), roster)
    return {
        "campaign": campaign,
        "roster": roster,
        "seats": party,
        "roster_etag": _roster_etag(roster, party) if roster is not None else "",
        "runs": runs,
        "events": view.events,
        "events_pagination": view.events_pagination,
        "compliance": view.compliance,
        "invite_url": external_url("pages.campaign_join", code=campaign.invite_code) if runs else None,
        "award_form": award_form,
        "note_form": NoteForm(formdata=None),
        "item_results": None,
        "format_kg": format_kg,
        "load_limit": load_limit,
        "rarity_order": RARITY_ORDER,
        **forms,
    }


def _award_targets(roster: campaigns.Roster) -> list:
    """The award's "Who gets it": the whole party, or one of its members."""
    return choices(
        [("all", "The whole party")] + [(entry.character.id, entry.character.name) for entry in roster.members]
    )


def _require_gm(campaign_id) -> None:
    """The GM's forms answer 404 to whoever may not see the campaign and 403 to whoever may see but not run it."""
    access.load(me(), Campaign, campaign_id, access.Action.RUN)


@bp.get("/campaigns/<uuid:campaign_id>")
def campaign_show(campaign_id):
    return _dashboard(campaign_id, "main")


@bp.get("/campaigns/<uuid:campaign_id>/roster")
def campaign_roster(campaign_id):
    """The roster, asked again whenever the live log says the party changed, with the version it shows: an
    unchanged roster (a change to a sheet this viewer does not read) costs a bodiless 304."""
    if not is_fragment_request():
        return redirect(url_for("pages.campaign_show", campaign_id=campaign_id))
    roster = campaigns.roster(me(), campaign_id)
    party = seats(me(), roster)
    etag = f'"{_roster_etag(roster, party)}"'
    if etag in {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = make_response("", 304)
    else:
        response = render(DASHBOARD, "roster", **_roster_context(roster, party))
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def _roster_etag(roster: campaigns.Roster, party: list[Seat]) -> str:
    """The roster's version with what the table changes (pools, conditions): equal tags render the same fragment."""
    parts = [roster.version]
    for seat in party:
        shown = sorted((name, pool.current, pool.max) for name, pool in (seat.pools or {}).items())
        parts.append(f"{seat.character.id}|{shown}|{seat.conditions}|{seat.down}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _roster_context(roster: campaigns.Roster, party: list[Seat]) -> dict:
    return {
        "campaign": roster.campaign,
        "roster": roster,
        "seats": party,
        "roster_etag": _roster_etag(roster, party),
        "runs": roster.runs,
        "format_kg": format_kg,
        "load_limit": load_limit,
    }


@bp.get("/campaigns/<uuid:campaign_id>/log")
def campaign_log(campaign_id):
    """The log (block "log"), or with `before` the next page of older entries (block "events_page")."""
    before = request.args.get("before") or None
    if not is_fragment_request():
        return redirect(url_for("pages.campaign_show", campaign_id=campaign_id, before=before))
    events, pagination = campaign_events.page_of(campaign_events.events_query(me(), campaign_id), before)
    block = "events_page" if before else "log"
    return render(
        DASHBOARD,
        block,
        campaign=campaigns.load_campaign(me(), campaign_id),
        events=events,
        events_pagination=pagination,
        runs=False,
        note_form=NoteForm(formdata=None),
    )


@bp.get("/campaigns/<uuid:campaign_id>/compliance")
@login_required
def campaign_compliance(campaign_id):
    if not is_fragment_request():
        return redirect(url_for("pages.campaign_show", campaign_id=campaign_id))
    campaign, report = campaigns.compliance_report(me(), campaign_id)
    return render(DASHBOARD, "compliance", campaign=campaign, compliance=report, runs=True)


@bp.post("/campaigns/<uuid:campaign_id>/invite-code")
@login_required
def campaign_invite_rotate(campaign_id):
    campaigns.rotate_invite_code(me(), campaign_id)
    return _done(campaign_id, "New invite link ready; the old one no longer works.", "invite")


@bp.post("/campaigns/<uuid:campaign_id>/archive")
@login_required
def campaign_archive(campaign_id):
    campaign = campaigns.archive_campaign(me(), campaign_id)
    flash(f"“{campaign.name}” is archived; every character in it is free again.", "success")
    return go(url_for("pages.campaign_show", campaign_id=campaign_id))


@bp.post("/campaigns/<uuid:campaign_id>/members/<uuid:membership_id>/approve")
@login_required
def campaign_member_approve(campaign_id, membership_id):
    """Approve a request; one that breaks the rules needs the "Approve anyway" button, which says so."""
    accept = request.form.get("accept_violations") == "true"
    try:
        membership = campaigns.approve_membership(me(), campaign_id, membership_id, accept_violations=accept)
    except RuleViolation:
        # The reasons sit beside the request in the roster, now with the button that accepts them.
        message = "This character breaks the campaign's rules; read why, then approve anyway if that is fine."
        if not is_fragment_request():
            flash(message, "error")
            return redirect(url_for("pages.campaign_show", campaign_id=campaign_id), code=303)
        return _toast(_dashboard(campaign_id, "roster", status=422), message, level="error", changed=False)
    return _done(campaign_id, f"{membership.character.name} joined the party.", "roster")


@bp.post("/campaigns/<uuid:campaign_id>/members/<uuid:membership_id>/remove")
@login_required
def campaign_member_remove(campaign_id, membership_id):
    membership = campaigns.remove_membership(me(), campaign_id, membership_id)
    name = membership.character.name
    if access.can_leave(me(), membership):
        flash(f"{name} left the campaign.", "success")
        return go(url_for("pages.campaign_list"))
    was = "Request declined" if membership.status == MembershipStatus.PENDING else f"{name} left the party"
    return _done(campaign_id, f"{was}.", "roster")


@bp.post("/campaigns/<uuid:campaign_id>/awards")
@login_required
def campaign_award(campaign_id):
    _require_gm(campaign_id)
    form = AwardForm()
    view = campaigns.dashboard(me(), campaign_id)
    form.target.choices = _award_targets(view.roster)
    if form.validate_on_submit():
        try:
            result = awards.award(me(), campaign_id, form.award())
        except (InvalidInput, RuleViolation) as error:
            put_errors(form, error.violations, {"character_ids": "target", "all": "target"})
            # The refused award was rolled back, which expired everything the page read: read it all again.
            view = campaigns.dashboard(me(), campaign_id)
            form.target.choices = _award_targets(view.roster)
        else:
            names = ", ".join(character.name for character in result.characters)
            return _done(campaign_id, f"Awarded to {names}.", "award")
    if form.target.data not in {choice.value for choice in form.target.choices}:
        form.target.errors = ["They are no longer in the party: choose again."]  # left since the page was drawn
    # A refusal keeps what was chosen: the item stays picked among the results, the search as it was typed.
    search = (request.form.get("item_search") or "").strip()[:100]
    chosen = _visible_item(form.item_id.data)
    results = _item_choices(view.campaign, [chosen] if chosen else [])
    context = _context(view, award_form=form, item_search=search, item_results=results)
    return render(DASHBOARD, "award", status=422, **context)


@bp.get("/campaigns/<uuid:campaign_id>/award-targets")
@login_required
def campaign_award_targets(campaign_id):
    """The award's "Who gets it" once the party changed: its members now, the choice kept while they are in it."""
    _require_gm(campaign_id)
    if not is_fragment_request():
        return redirect(url_for("pages.campaign_show", campaign_id=campaign_id))
    context = _context(campaigns.dashboard(me(), campaign_id))
    form = context["award_form"]
    if request.args.get("target") in {choice.value for choice in form.target.choices}:
        form.target.data = request.args["target"]
    return render(DASHBOARD, "award_target", **context)


def _visible_item(item_id):
    """The item of a refused award's choice, when it still names one the GM may see."""
    try:
        return access.load(me(), Item, item_id) if item_id else None
    except NotFound:
        return None


def _item_choices(campaign, items) -> list[tuple]:
    """(item, allowed) for the award's item list: an item above the campaign's highest rarity is not allowed."""
    highest = RARITY_ORDER.index(str(campaign.max_rarity)) if campaign.max_rarity else len(RARITY_ORDER)
    return [(item, RARITY_ORDER.index(str(item.rarity)) <= highest) for item in items]


@bp.get("/campaigns/<uuid:campaign_id>/award-items")
@login_required
def campaign_award_items(campaign_id):
    """Items matching the GM's search, for the award form; those above the campaign's rarity are shown disabled."""
    campaign = campaigns.load_running(me(), campaign_id, options=())
    query = (request.args.get("item_search") or "").strip()[:100]
    page = compendium.list_entries(
        me(), KINDS["items"], Filters(search=query or None), limit=ITEM_RESULTS, with_relations=False
    )
    results = _item_choices(campaign, page.rows)
    if not is_fragment_request():
        return redirect(url_for("pages.campaign_show", campaign_id=campaign_id))
    return render(
        DASHBOARD, "item_results", campaign=campaign, item_results=results, item_search=query, format_kg=format_kg
    )


@bp.post("/campaigns/<uuid:campaign_id>/notes")
@login_required
def campaign_note(campaign_id):
    _require_gm(campaign_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            campaigns.add_note(me(), campaign_id, form.note())
        except InvalidInput as error:
            put_errors(form, error.violations)
        else:
            return _done(campaign_id, "Note added to the log.", "notes")
    return _dashboard(campaign_id, "notes", status=422, note_form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def campaign_join(code):
    campaign, characters, busy = campaigns.join_choices(me(), code)
    form = JoinForm()
    form.character_id.choices = choices((c.id, c.name) for c in characters if c.id not in busy)
    if form.validate_on_submit():
        try:
            membership = campaigns.request_join(me(), code, form.character_id.data)
        except RuleViolation as error:
            put_errors(form, error.violations)
        else:
            flash(f"{membership.character.name} asked to join. The game master will answer soon.", "success")
            return go(url_for("pages.campaign_show", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "campaigns/join.html",
        "form",
        status=status,
        form=form,
        campaign=campaign,
        characters=characters,
        busy=busy,
        code=code,
    )
