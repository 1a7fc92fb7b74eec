"""The character builder at /characters/new: one step at a time, each a fragment with its own URL."""

import re

from flask import flash, make_response, redirect, request, url_for
from flask_login import login_required
from jinja2_fragments.flask import render_blocks
from markupsafe import Markup

from webapp import rules
from webapp.pages import bp
from webapp.pages.character_forms import AttributesForm, ChoiceForm, NewIdentityForm, PicksForm
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go
from webapp.pages.render import is_fragment_request, render
from webapp.placeholders import initials_for, portrait_svg
from webapp.services import access, builder
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.sheets import archetype_data, race_data

TEMPLATE = "builder/builder.html"
STEP = "<any(identity, race, archetype, attributes, skills, review):step>"


@bp.get("/characters/new")
@login_required
def builder_start():
    draft = builder.open_draft(me())
    return redirect(url_for("pages.builder_step", step=draft.row.step or builder.STEPS[0]), code=303)


@bp.get(f"/characters/new/{STEP}")
@login_required
def builder_step(step):
    draft = builder.open_draft(me())
    if step == "attributes":  # scores kept as typed (a 20 too) come back with their refusals beside them
        return _page(draft, step, errors=_messages(rules.check_point_buy(draft.scores)))
    return _page(draft, step)


@bp.post(f"/characters/new/{STEP}")
@login_required
def builder_save(step):
    actor = me()
    forms: dict = {}
    try:
        if step == "review":
            character = builder.finish(actor)
            flash(f"{character.name} is ready. Welcome to the tavern!", "success")
            return go(url_for("pages.character_show", character_id=character.id))
        draft = _save_step(actor, step, forms)
    except (InvalidInput, RuleViolation) as error:
        draft = builder.open_draft(actor)
        if "identity_form" in forms and error.violations:
            put_errors(forms["identity_form"], error.violations)
        refused = {"picked": request.form["choice"]} if request.form.get("choice") else {}  # kept, beside the reason
        return _page(draft, step, status=422, errors=_messages(error.violations), **refused, **forms)
    following = builder.next_step(step)
    if not is_fragment_request():
        return redirect(url_for("pages.builder_step", step=following), code=303)
    response = _page(draft, following)
    response.headers["HX-Push-Url"] = url_for("pages.builder_step", step=following)
    return response


def _save_step(actor, step: str, forms: dict) -> builder.Draft:
    if step == "identity":
        form = forms["identity_form"] = NewIdentityForm()
        if not form.validate():
            raise InvalidInput([], "Some fields need attention.")  # WTForms already put its errors on the fields
        return builder.save_identity(actor, form.identity())
    if step in {"race", "archetype"}:
        choice = ChoiceForm().choice.data
        if not choice:  # nothing chosen is a question to answer, not an unknown entry
            wanted = "a race" if step == "race" else "an archetype"
            raise InvalidInput([Violation(f"{step}_id", f"Choose {wanted} for {builder.open_draft(actor).name}.")])
        save = builder.save_race if step == "race" else builder.save_archetype
        return save(actor, choice)
    if step == "attributes":
        return builder.save_attributes(actor, AttributesForm().scores())
    picks = PicksForm()
    perk_ids = [perk_id for perk_id in picks.perk_ids.data or [] if perk_id]  # "" is the "no perk yet" radio
    return builder.save_picks(actor, picks.skill_ids.data or [], perk_ids)


@bp.post("/characters/new/attributes/preview")
@login_required
def builder_preview():
    """A stepper press or a typed score: the point buy and the live preview, saved in the draft as they go."""
    adjust = request.form.get("adjust")
    scores = builder.adjust_scores(AttributesForm().scores(), adjust)
    draft, violations = builder.preview_scores(me(), scores)
    status = 422 if violations else 200
    adjusted = (adjust or "").partition(":")[0]
    errors = _messages(violations)
    context = _context(draft, "attributes", scores=scores, errors=errors, preview_oob=True, adjusted=adjusted)
    if not is_fragment_request():
        return render(TEMPLATE, status=status, **context)
    response = make_response(render_blocks(TEMPLATE, ["point_buy_update", "preview"], **context), status)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


@bp.post("/characters/new/discard")
@login_required
def builder_discard():
    builder.discard(me())
    flash("The draft is gone. Start again whenever you like.", "success")
    return go(url_for("pages.builder_step", step=builder.STEPS[0]))


def _messages(violations: list[Violation]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for violation in violations:
        found.setdefault(violation.field, []).append(violation.message)
    return found


def _page(draft: builder.Draft, step: str, status: int = 200, **extra):
    return render(TEMPLATE, "builder", status=status, **_context(draft, step, **extra))


def _context(draft: builder.Draft, step: str, **extra) -> dict:
    actor = me()
    data = draft.data
    scores = extra.pop("scores", None) or draft.scores
    context = {
        "draft": draft,
        "step": step,
        "steps": [
            {"key": key, "title": builder.STEP_TITLES[key], "number": index + 1, "done": draft.done(key)}
            for index, key in enumerate(builder.STEPS)
        ],
        "titles": builder.STEP_TITLES,
        "previous": builder.STEPS[builder.STEPS.index(step) - 1] if step != builder.STEPS[0] else None,
        "following": builder.next_step(step) if step != builder.STEPS[-1] else None,
        "preview": draft.preview(),
        "scores": scores,
        "point_rows": _point_rows(scores),
        "budget": rules.DEFAULT_BUDGET,
        "costs": rules.POINT_COST,
        "errors": {},
        "preview_oob": False,
        "identity_form": NewIdentityForm(formdata=None, data=_identity_data(data)),
    }
    chosen_row = {"race": draft.race, "archetype": draft.archetype}.get(step)
    context["picked"] = str(chosen_row.id) if chosen_row is not None else None  # the choice shown as checked
    if step == "race":
        context["races"] = [
            {"row": race, "emblem": emblem(race.name, race=True), "traits": race_traits(race)}
            for race in builder.race_options(actor)
        ]
    if step == "archetype":
        race = race_data(draft.race, namer=access.namer(actor)) if draft.race else None
        context["archetypes"] = [
            {
                "row": archetype,
                "emblem": emblem(archetype.name, race=False),
                "traits": archetype_traits(archetype),
                "refusal": rules.check_archetype_race(
                    draft.name, archetype_data(archetype, namer=access.namer(actor)), race
                ),
            }
            for archetype in builder.archetype_options(actor)
        ]
    if step == "skills":
        context["skill_options"] = builder.skill_options(actor, draft)
        context["perk_options"] = builder.perk_options(actor)
        context["perk_allowance"] = rules.max_perks(1)
        chosen = set(data.get("skill_ids", [])) | set(data.get("perk_ids", []))
        context["chosen"] = chosen
    if step == "review":
        review = draft.character_data(access.namer(actor))
        context["problems"] = rules.check_point_buy(draft.scores) + rules.check_archetype_race(
            review.name, review.archetype, review.race
        )
    context.update(extra)
    return context


def _identity_data(data: dict) -> dict:
    return {
        "name": data.get("name", ""),
        "sex": data.get("sex", ""),
        "age": data.get("age"),
        "description": data.get("description", ""),
        "visibility": data.get("visibility", "PRIVATE"),
    }


def _point_rows(scores: dict) -> list[dict]:
    rows = []
    for name in rules.ATTRIBUTES:
        value = scores.get(name)
        rows.append(
            {
                "name": name,
                "label": name.capitalize(),
                "short": rules.SHORT_LABELS[name],
                "value": value,
                "cost": rules.POINT_COST.get(value) if isinstance(value, int) else None,
                "raise_cost": _raise_cost(value),
            }
        )
    return rows


def _raise_cost(value) -> int | None:
    """Points one more step costs, or None when the score cannot go up (15, or not a score in the table)."""
    if not isinstance(value, int) or value + 1 not in rules.POINT_COST or value not in rules.POINT_COST:
        return None
    return rules.POINT_COST[value + 1] - rules.POINT_COST[value]


def emblem(name: str, race: bool, size: int = 56) -> Markup:
    """A generated picture for a race (its colours) or an archetype (its sign): no outside art."""
    initials = initials_for(name)[:1]
    svg = portrait_svg(name, None, initials, size) if race else portrait_svg(None, name, initials, size)
    # Decoration beside the name: no role, label or title of its own for assistive technology to read twice.
    svg = re.sub(r' role="img" aria-label="[^"]*"', ' aria-hidden="true" focusable="false"', svg, count=1)
    svg = re.sub(r"<title>.*?</title>", "", svg, count=1)
    return Markup(svg)  # noqa: S704 - portrait_svg escapes the only text it draws


def race_traits(race) -> list[str]:
    """A race at a glance: attribute bonuses, then pools away from 100 %."""
    traits = [
        f"{amount:+d} {rules.SHORT_LABELS[name]}".replace("-", "−")
        for name in rules.ATTRIBUTES
        if (amount := getattr(race, f"{name}_bonus"))
    ]
    for pool, pct in (("health", race.health_pct), ("mana", race.mana_pct), ("stamina", race.stamina_pct)):
        if pct != 100:
            traits.append(f"{pool.capitalize()} {pct}%")
    return traits


def archetype_traits(archetype) -> list[str]:
    """An archetype at a glance: its primary attribute and what each level adds."""
    primary = str(archetype.primary_attribute).rsplit(".", 1)[-1].lower()
    return [
        f"Primary {rules.SHORT_LABELS.get(primary, primary.upper())}",
        f"+{archetype.health_per_level} health / level",
        f"+{archetype.mana_per_level} mana / level",
        f"+{archetype.stamina_per_level} stamina / level",
    ]
