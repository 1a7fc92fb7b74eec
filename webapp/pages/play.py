"""Play at the table from the sheet: damage and healing, mana and stamina, rests, conditions, dice and their history."""

from collections.abc import Callable

from flask import Response, flash, redirect, request, url_for
from flask_login import login_required

from webapp.pages import bp
from webapp.pages.characters import SHEET, _changed, _sheet
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.play_forms import ConditionForm, HitForm, PoolForm, RestForm, RollForm
from webapp.pages.render import is_fragment_request, render, render_blocks, toast
from webapp.pages.sheet_view import sheet_context
from webapp.rules import conditions as condition_rules
from webapp.services import characters, dice_rolls, table
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.sheets import load_sheet

ROLLS = "characters/rolls.html"


def _played(character_id, message: str) -> Response:
    """After a change of pools or conditions: the play block, and out of band the derived stats it may move (Down
    and Prone lower defense, Exhausted halves stamina), with a toast; a redirect with a flash without htmx."""
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for("pages.character_show", character_id=character_id, _anchor="play"), code=303)
    actor = me()
    context = sheet_context(actor, load_sheet(actor, character_id))
    response = render_blocks(SHEET, ["play", "stats"], **context)
    response.headers["HX-Retarget"] = "#play"  # whichever control asked, the answer is the whole block
    response.headers["HX-Reswap"] = "outerHTML"
    return toast(response, message)


def _tend(character_id, form_name: str, form, change: Callable[[], table.TableState], said) -> Response:
    """Run a change of the play block; a refusal comes back as the block (422) with the reason beside its field."""
    try:
        state = change()
    except (InvalidInput, RuleViolation) as error:
        put_errors(form, error.violations)
        return _sheet(character_id, "play", status=422, **{form_name: form})
    return _played(character_id, said(state))


def _health(state: table.TableState) -> str:
    pool = state.pools["health"]
    return f"{pool.current} / {pool.max} health"


@bp.post("/characters/<uuid:character_id>/damage")
@login_required
def character_damage(character_id):
    form = HitForm()

    def said(state):
        name, amount = state.character.name, form.amount.data
        if state.down:
            return f"{name} took {amount} damage and is down."
        return f"{name} took {amount} damage: {_health(state)}."

    return _tend(character_id, "hit_form", form, lambda: table.damage(me(), character_id, form.hit()), said)


@bp.post("/characters/<uuid:character_id>/heal")
@login_required
def character_heal(character_id):
    form = HitForm()

    def said(state):
        return f"{state.character.name} was healed by {form.amount.data}: {_health(state)}."

    return _tend(character_id, "hit_form", form, lambda: table.heal(me(), character_id, form.hit()), said)


def _pool_said(verb: str, form: PoolForm):
    def said(state):
        pool = state.pools[form.pool.data]
        amount = f"{form.amount.data} {form.pool.data}"
        return f"{state.character.name} {verb} {amount}: {pool.current} / {pool.max} {form.pool.data}."

    return said


@bp.post("/characters/<uuid:character_id>/spend")
@login_required
def character_spend(character_id):
    form = PoolForm()

    def spend():
        return table.spend(me(), character_id, form.change())

    return _tend(character_id, "pool_form", form, spend, _pool_said("spent", form))


@bp.post("/characters/<uuid:character_id>/restore")
@login_required
def character_restore(character_id):
    form = PoolForm()

    def restore():
        return table.restore(me(), character_id, form.change())

    return _tend(character_id, "pool_form", form, restore, _pool_said("regained", form))


@bp.post("/characters/<uuid:character_id>/rest")
@login_required
def character_rest(character_id):
    form = RestForm()

    def said(state):
        if form.kind.data == "long":
            return f"{state.character.name} took a long rest: everything is restored."
        return f"{state.character.name} took a short rest: stamina restored, {_health(state)}."

    return _tend(character_id, "rest_form", form, lambda: table.rest(me(), character_id, form.rest()), said)


@bp.post("/characters/<uuid:character_id>/conditions")
@login_required
def character_conditions(character_id):
    form = ConditionForm()
    try:
        wanted = form.wanted()
        state = table.set_conditions(me(), character_id, wanted)
    except (InvalidInput, RuleViolation) as error:
        # The service names a problem by the condition it is about; the page has one place for them all.
        put_errors(form, [Violation("on" if v.field == "on" else "name", v.message) for v in error.violations])
        return _sheet(character_id, "play", status=422, condition_form=form)
    ((name, on),) = wanted.items()
    label = condition_rules.LABELS[name].lower()
    return _played(character_id, f"{state.character.name} is {'now' if on else 'no longer'} {label}.")


@bp.post("/characters/<uuid:character_id>/rolls")
@login_required
def character_roll(character_id):
    form = RollForm()
    try:
        row = dice_rolls.roll_for(me(), character_id, form.request())
    except (InvalidInput, RuleViolation) as error:
        put_errors(form, error.violations)
        return _sheet(character_id, "dice", status=422, roll_form=form)
    message = f"{row.label}: {row.total}"
    if "damage" in row.result:
        message += f", {row.result['damage']} damage" + (" (critical)" if row.result.get("critical") else "")
    if not is_fragment_request():
        return _changed(character_id, "dice", message + ".")
    rows, pagination = dice_rolls.rolls_of(me(), character_id)
    return _changed(character_id, "dice", message + ".", roll=row, history=rows, history_page=pagination)


@bp.get("/characters/<uuid:character_id>/rolls")
def character_rolls(character_id):
    """The character's rolls the viewer may see, newest first: the sheet loads them into its dice block, and
    `?before=<cursor>` brings older ones."""
    actor = me()
    rows, pagination = dice_rolls.rolls_of(actor, character_id, request.args.get("before") or None)
    context = {"history": rows, "history_page": pagination, "character_id": character_id}
    if not is_fragment_request():
        context["character"] = characters.get_character(actor, character_id)
    return render(ROLLS, "history", **context)
