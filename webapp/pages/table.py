"""A campaign's table: the party's pools and conditions and the live log; the GM (or a character's owner) acts on a
member from there, and the GM rolls dice of their own."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, flash, redirect, request, url_for
from flask_login import login_required

from webapp.markdown import render_markdown
from webapp.models import Character, Seen
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.play_forms import ConditionForm, HitForm, PoolForm, RestForm, RollForm
from webapp.pages.render import is_fragment_request, render, toast
from webapp.rules import conditions as condition_rules
from webapp.rules import pools as pool_rules
from webapp.services import access, campaign_events, campaigns, dice_rolls, table
from webapp.services.access import Action
from webapp.services.campaigns import RosterEntry
from webapp.services.dice_rolls import TableRoll
from webapp.services.errors import Forbidden, InvalidInput, NotFound, RuleViolation

TABLE = "campaigns/table.html"
GM_ROLL_CHOICES = {"public": "Everyone at the table", "gm": "Only me (a hidden roll)"}


@dataclass(frozen=True)
class Seat:
    """A member at the table as this viewer sees them: pools, conditions and down only where the sheet is theirs to
    read; `tends` when they may damage, heal, restore, rest or set conditions (the GM, or the character's owner)."""

    entry: RosterEntry
    pools: dict[str, pool_rules.Pool] | None
    conditions: tuple[str, ...]
    down: bool
    tends: bool

    @property
    def character(self) -> Character:
        return self.entry.character


def seats(actor, roster: campaigns.Roster) -> list[Seat]:
    """The roster's APPROVED members as seats; no query (the roster carries each sheet)."""
    found = []
    for entry in roster.members:
        sheet, character = entry.sheet, entry.character
        if sheet is None:
            found.append(Seat(entry, None, (), False, False))
            continue
        shown = pool_rules.pools(pool_rules.Maxima.of(sheet), table.missing_of(character))
        # A character plays in one campaign at a time: the GM who may tend it is this campaign's.
        tends = access.tends(actor, character, roster.campaign.owner_id)
        found.append(Seat(entry, shown, tuple(sheet.conditions), sheet.down, tends))
    return found


@dataclass(frozen=True)
class Refusal:
    """A refused action on one member: its card shows that form again, each reason beside its field."""

    character_id: object
    action: str  # "hit", "pool", "rest" or "conditions"
    form: object

    def errors(self, action: str, field: str) -> list[str]:
        found = self.form._fields.get(field) if action == self.action else None
        return list(found.errors) if found is not None else []

    def form_errors(self, action: str) -> list[str]:
        return list(self.form.form_errors) if action == self.action else []

    def value(self, action: str, field: str) -> str:
        found = self.form._fields.get(field) if action == self.action else None
        return found.raw_data[0] if found is not None and found.raw_data else ""


@bp.app_template_global("markdown")
def markdown(text: str | None):
    """Markdown written by people, sanitised; a global, so that a log entry renders without a page's context."""
    return render_markdown(text)


@bp.app_template_global("condition_label")
def condition_label(name: str) -> str:
    return condition_rules.LABELS.get(name, name.capitalize())


@bp.app_template_global("condition_description")
def condition_description(name: str) -> str:
    return condition_rules.DESCRIPTIONS.get(name, "")


def _party(campaign_id) -> campaigns.Roster:
    """The roster of a campaign whose table the viewer may sit at: NotFound when they may not see the campaign,
    Forbidden when they are neither its GM nor an APPROVED member."""
    view = campaigns.roster(me(), campaign_id)
    if not view.in_party:
        raise Forbidden("The table is for the game master and the party.")
    return view


def _roll_form(**values) -> RollForm:
    """The GM's roll form: blank, or as posted when `formdata` is left out."""
    form = RollForm(**values)
    form.visibility.choices = list(GM_ROLL_CHOICES.items())
    if form.visibility.data not in GM_ROLL_CHOICES:
        form.visibility.data = "public"
    return form


def _context(view: campaigns.Roster, **state) -> dict:
    return {
        "campaign": view.campaign,
        "runs": view.runs,
        "active": view.campaign.status == "ACTIVE",
        "seats": seats(me(), view),
        "settable": condition_rules.SETTABLE,
        "open_id": None,
        "refused": None,
        "last_roll": None,
        **state,
    }


def _page(campaign_id, block: str | None, status: int = 200, **state) -> Response:
    """The table as this viewer sees it: `block` for htmx, the whole page (with its log) otherwise."""
    view = _party(campaign_id)
    if "roll_form" not in state:
        state["roll_form"] = _roll_form(formdata=None) if view.runs else None
    if block is None or not is_fragment_request():
        events, pagination = campaign_events.page_of(
            campaign_events.events_of(me(), view.campaign), request.args.get("before") or None
        )
        state.update(events=events, events_pagination=pagination)
    return render(TABLE, block, status=status, **_context(view, **state))


@bp.get("/campaigns/<uuid:campaign_id>/table")
def table_show(campaign_id):
    return _page(campaign_id, "main")


@bp.get("/campaigns/<uuid:campaign_id>/table/party")
def table_party(campaign_id):
    """The party block, asked again whenever the live log says a member changed."""
    if not is_fragment_request():
        return redirect(url_for("pages.table_show", campaign_id=campaign_id))
    return _page(campaign_id, "party")


@bp.get("/campaigns/<uuid:campaign_id>/table/log")
def table_log(campaign_id):
    """The log (block "log"), or with `before` the next page of older entries (block "events_page")."""
    before = request.args.get("before") or None
    if not is_fragment_request():
        return redirect(url_for("pages.table_show", campaign_id=campaign_id, before=before))
    events, pagination = campaign_events.page_of(campaign_events.events_query(me(), campaign_id), before)
    campaign = campaigns.load_campaign(me(), campaign_id)
    context = {"campaign": campaign, "events": events, "events_pagination": pagination}
    return render(TABLE, "events_page" if before else "log", **context)


def _check_seat(view: campaigns.Roster, character_id) -> None:
    """NotFound unless the character is in this campaign's party; Forbidden unless the viewer may tend it."""
    entry = next((entry for entry in view.members if entry.character.id == character_id), None)
    if entry is None:
        raise NotFound("No such character in this party.")
    if not access.can(me(), Action.TEND, entry.character):
        raise Forbidden(f"Only {entry.character.name}'s owner or game master does that.")


def _act(campaign_id, character_id, action: str, form, change: Callable[[], str]) -> Response:
    """Apply `change` to a member (it says what happened) and answer the party with a toast; a refusal shows the
    card's form again with each reason beside its field (422)."""
    view = _party(campaign_id)
    campaigns.ensure_active(view.campaign)
    _check_seat(view, character_id)
    if form.validate_on_submit():
        try:
            message = change()
        except (InvalidInput, RuleViolation) as error:
            put_errors(form, error.violations)
        else:
            if not is_fragment_request():
                flash(message, "success")
                return redirect(url_for("pages.table_show", campaign_id=campaign_id), code=303)
            # The log refreshes too: the stream brings the entry as well, but not while it reconnects.
            return toast(_page(campaign_id, "party", open_id=character_id), message, events={"table-logged": True})
    refusal = Refusal(character_id, action, form)
    response = _page(campaign_id, "party", status=422, refused=refusal, open_id=character_id)
    return toast(response, _first_reason(form) or "Check what you entered.", "error")


def _first_reason(form) -> str | None:
    return next(iter([*form.form_errors, *(message for field in form for message in field.errors)]), None)


def _health(state: table.TableState) -> str:
    health, name = state.pools["health"], state.character.name
    if state.down:
        return f"{name} is down ({health.current} / {health.max} health)."
    return f"{name}: {health.current} / {health.max} health."


@bp.post("/campaigns/<uuid:campaign_id>/table/<uuid:character_id>/damage")
@login_required
def table_damage(campaign_id, character_id):
    form = HitForm()
    return _act(campaign_id, character_id, "hit", form, lambda: _health(table.damage(me(), character_id, form.hit())))


@bp.post("/campaigns/<uuid:campaign_id>/table/<uuid:character_id>/heal")
@login_required
def table_heal(campaign_id, character_id):
    form = HitForm()
    return _act(campaign_id, character_id, "hit", form, lambda: _health(table.heal(me(), character_id, form.hit())))


@bp.post("/campaigns/<uuid:campaign_id>/table/<uuid:character_id>/restore")
@login_required
def table_restore(campaign_id, character_id):
    form = PoolForm()

    def change() -> str:
        wanted = form.change()
        state = table.restore(me(), character_id, wanted)
        pool = state.pools[wanted.pool]
        return f"{state.character.name}: {pool.current} / {pool.max} {wanted.pool}."

    return _act(campaign_id, character_id, "pool", form, change)


@bp.post("/campaigns/<uuid:campaign_id>/table/<uuid:character_id>/rest")
@login_required
def table_rest(campaign_id, character_id):
    form = RestForm()

    def change() -> str:
        wanted = form.rest()
        state = table.rest(me(), character_id, wanted)
        return f"{state.character.name} took a {wanted.kind} rest."

    return _act(campaign_id, character_id, "rest", form, change)


@bp.post("/campaigns/<uuid:campaign_id>/table/<uuid:character_id>/conditions")
@login_required
def table_conditions(campaign_id, character_id):
    form = ConditionForm()

    def change() -> str:
        wanted = form.wanted()
        state = table.set_conditions(me(), character_id, wanted)
        ((name, on),) = wanted.items()
        return f"{state.character.name} is {'now' if on else 'no longer'} {condition_label(name).lower()}."

    return _act(campaign_id, character_id, "conditions", form, change)


@bp.post("/campaigns/<uuid:campaign_id>/table/rolls")
@login_required
def table_gm_roll(campaign_id):
    """The GM's own roll, for everyone at the table or hidden (the GM alone sees it); answers the roll form with the
    result beside it."""
    campaigns.load_running(me(), campaign_id)  # 404 / 403 / 409 (archived) before reading the form
    form = _roll_form()
    if form.validate_on_submit():
        values = {
            "expression": form.expression.data or "",
            "label": form.label.data or "",
            "visibility": form.visibility.data,
        }
        try:
            roll = dice_rolls.table_roll(me(), campaign_id, TableRoll.read(values))
        except (InvalidInput, RuleViolation) as error:
            put_errors(form, error.violations)
        else:
            said = "Hidden roll" if roll.seen_by == Seen.GM else "You rolled"
            message = f"{said} {roll.label}: {roll.total}."
            if not is_fragment_request():
                flash(message, "success")
                return redirect(url_for("pages.table_show", campaign_id=campaign_id), code=303)
            response = _page(campaign_id, "gm_roll", roll_form=form, last_roll=roll)
            return toast(response, message, events={"table-logged": True})
    response = _page(campaign_id, "gm_roll", status=422, roll_form=form)
    return toast(response, _first_reason(form) or "Check the roll.", "error")
