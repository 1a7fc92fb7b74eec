"""The character pages: my characters, the sheet with its inline changes, delete, export and import."""

import json
import unicodedata
from functools import partial
from urllib.parse import quote

from flask import Response, flash, redirect, request, url_for
from flask_login import login_required
from markupsafe import escape

from webapp import character_views, rules, text
from webapp.pages import bp
from webapp.pages.character_forms import (
    ExperienceForm,
    IdentityForm,
    ImportForm,
    PerkForm,
    SkillForm,
    VisibilityForm,
)
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.images import entity_portrait
from webapp.pages.redirects import go
from webapp.pages.render import is_fragment_request, public_for_visitors, render, toast
from webapp.pages.sheet_view import sheet_context
from webapp.services import access, character_growth, character_transfer, characters
from webapp.services.access import Action
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.sheets import character_data, load_sheet

SHEET = "characters/sheet.html"


@bp.app_template_global("shown_name")
def shown_name(obj) -> str:
    """A nested entry's name, or "[hidden]" when the visitor may not see it."""
    return access.shown_name(me(), obj)


@bp.app_template_global("character_portrait")
def portrait_of(character, size: int = 64):
    """A character's portrait, race and archetype loaded, or its placeholder as inline SVG (race and archetype as
    the visitor may see them)."""
    return entity_portrait(me(), character, size, f"Portrait of {character.name}")


@bp.get("/characters")
@login_required
def character_list():
    actor = me()
    cards = []
    for character in characters.my_characters(actor):
        sheet = rules.compute_sheet(character_data(character, complete=False))
        cards.append({"character": character, "health": sheet.max_health.value})
    return render("characters/list.html", "cards", cards=cards)


def _sheet(character_id, block: str | None = "sheet", status: int = 200, action: Action = Action.VIEW, **state):
    actor = me()
    loaded = load_sheet(actor, character_id, action, perk_choices=actor is not None)
    context = sheet_context(actor, loaded)
    character = loaded.character
    blank = {"formdata": None, "meta": {"csrf": False}}  # only shown: htmx_form writes the token of each form
    context.update(
        identity_form=state.pop("identity_form", None),
        experience_form=state.pop("experience_form", None) or ExperienceForm(**blank),
        skill_form=state.pop("skill_form", None) or SkillForm(**blank),
        perk_form=state.pop("perk_form", None) or PerkForm(**blank),
        visibility_form=state.pop("visibility_form", None)
        or VisibilityForm(**blank, visibility=str(character.visibility)),
        focus=state.pop("focus", None),
        **state,
    )
    return render(SHEET, block, status=status, **context)


def _changed(character_id, block: str, message: str, **state) -> Response:
    """After a change: the refreshed part of the sheet and a toast for htmx, a redirect with a flash otherwise.

    A form targets its own card, where a refusal (422) belongs; a change may touch more than that card (more
    experience changes the level, the pools, the header), so the answer names the block it replaces.
    """
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for("pages.character_show", character_id=character_id), code=303)
    response = toast(_sheet(character_id, block, **state), message)
    response.headers["HX-Retarget"] = f"#{block}"  # every block of the sheet is the element with its name as id
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/characters/<uuid:character_id>")
def character_show(character_id):
    return public_for_visitors(character_views.respond("sheet", character_id, lambda: _sheet(character_id)))


@bp.get("/characters/<uuid:character_id>/identity/edit")
@login_required
def character_edit(character_id):
    character = characters.get_character(me(), character_id, Action.EDIT)
    form = IdentityForm(formdata=None, obj=character)
    return _sheet(character_id, "identity", action=Action.EDIT, identity_form=form, focus="identity")


@bp.post("/characters/<uuid:character_id>/identity")
@login_required
def character_update(character_id):
    form = IdentityForm()
    if form.validate():
        try:
            character = characters.update_character(me(), character_id, form.changes())
        except (InvalidInput, RuleViolation) as error:
            put_errors(form, error.violations)
        else:
            response = _changed(character_id, "sheet", "Saved.", focus="identity")
            if is_fragment_request():  # htmx takes a leading <title> for the tab's, which names the character
                response.set_data(f"<title>{escape(character.name)} · Tavern</title>".encode() + response.get_data())
            return response
    return _sheet(character_id, "identity", status=422, action=Action.EDIT, identity_form=form)


@bp.post("/characters/<uuid:character_id>/visibility")
@login_required
def character_visibility(character_id):
    form = VisibilityForm()
    try:
        characters.update_character(me(), character_id, form.changes())
    except InvalidInput as error:
        put_errors(form, error.violations)
        return _sheet(character_id, "manage", status=422, action=Action.EDIT, visibility_form=form)
    label = "public" if form.visibility.data == "PUBLIC" else "private"
    return _changed(character_id, "sheet", f"The character is {label} now.", focus="manage")


@bp.post("/characters/<uuid:character_id>/experience")
@login_required
def character_experience(character_id):
    form = ExperienceForm()
    if form.validate():
        try:
            before = characters.get_character(me(), character_id).level
            hero = character_growth.add_experience(me(), character_id, form.award())
        except (InvalidInput, RuleViolation) as error:
            put_errors(form, error.violations)
        else:
            message = f"{hero.name} gained {form.amount.data:,} experience"
            message += f" and reached level {hero.level}." if hero.level > before else "."
            return _changed(character_id, "sheet", message, focus="experience")
    return _sheet(character_id, "experience", status=422, experience_form=form)


def _panel_change(character_id, panel: str, form, change, message: str) -> Response:
    """Learn or forget a skill, take or give up a perk: the panel again, with the refusal beside its field."""
    try:
        hero = change()
    except (InvalidInput, RuleViolation) as error:
        put_errors(form, error.violations)
        return _sheet(character_id, panel, status=422, **{f"{panel.removesuffix('s')}_form": form})
    return _changed(character_id, panel, message.format(name=hero.name), focus=panel)


@bp.post("/characters/<uuid:character_id>/skills")
@login_required
def character_skill_learn(character_id):
    form = SkillForm()

    def learn():
        return character_growth.learn_skill(me(), character_id, form.pick())

    return _panel_change(character_id, "skills", form, learn, "{name} learned a new skill.")


@bp.post("/characters/<uuid:character_id>/skills/<uuid:skill_id>/forget")
@login_required
def character_skill_forget(character_id, skill_id):
    forget = partial(character_growth.forget_skill, me(), character_id, skill_id)
    return _panel_change(character_id, "skills", SkillForm(formdata=None), forget, "{name} forgot a skill.")


@bp.post("/characters/<uuid:character_id>/perks")
@login_required
def character_perk_take(character_id):
    form = PerkForm()

    def take():
        return character_growth.take_perk(me(), character_id, form.pick())

    return _panel_change(character_id, "perks", form, take, "{name} took a new perk.")


@bp.post("/characters/<uuid:character_id>/perks/<uuid:perk_id>/forget")
@login_required
def character_perk_forget(character_id, perk_id):
    give_up = partial(character_growth.forget_perk, me(), character_id, perk_id)
    return _panel_change(character_id, "perks", PerkForm(formdata=None), give_up, "{name} gave up a perk.")


@bp.get("/characters/<uuid:character_id>/delete")
@login_required
def character_delete_confirm(character_id):
    character = characters.get_character(me(), character_id, Action.DELETE)
    return render("characters/delete.html", character=character)


@bp.post("/characters/<uuid:character_id>/delete")
@login_required
def character_delete(character_id):
    name = characters.get_character(me(), character_id, Action.DELETE).name
    characters.delete_character(me(), character_id)
    flash(f"{name} was deleted.", "success")
    return go(url_for("pages.character_list"))


@bp.get("/characters/<uuid:character_id>/export.json")
def character_export(character_id):
    document = character_transfer.export_character(me(), character_id)
    response = Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = _attachment(document["name"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attachment(name: str) -> str:
    """The download's name from the character's: a header holds Latin-1 only, so "Ωmega" saves as "mega.json"
    where browsers read nothing else, and as "ωmega.json" through RFC 6266's filename* everywhere else."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "character"
    ascii_only = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    plain = "-".join(part for part in ascii_only.split("-") if part) or "character"
    if plain == slug:
        return f'attachment; filename="{slug}.json"'
    return f"attachment; filename=\"{plain}.json\"; filename*=UTF-8''{quote(slug + '.json')}"


@bp.route("/characters/import", methods=["GET", "POST"])
@login_required
def character_import():
    form = ImportForm()
    if request.method == "GET":
        return render("characters/import.html", "form", form=form)
    try:
        document = character_transfer.parse_document(_uploaded_json(form))
        result = character_transfer.import_character(me(), document)
    except (InvalidInput, RuleViolation) as error:
        form.document.errors = [v.message for v in error.violations if v.field == "document"]
        problems = [violation for violation in error.violations if violation.field != "document"]
        return render("characters/import.html", "form", status=422, form=form, problems=problems)
    if not result.unmatched and not result.notes:
        flash(f"{result.character.name} was imported.", "success")
        return go(url_for("pages.character_show", character_id=result.character.id))
    return render("characters/imported.html", result=result)


def _uploaded_json(form: ImportForm):
    upload = form.file.data
    raw = upload.read() if upload and getattr(upload, "filename", "") else (form.document.data or "").encode()
    if not raw.strip():
        raise InvalidInput([_violation("Choose a file or paste the JSON")], "Nothing to import.")
    try:
        return text.decode_json(raw)
    except text.TooDeep as error:
        raise InvalidInput([_violation(str(error))], "Nested too deep.") from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput([_violation("This is not JSON; export a character from its sheet")], "Not JSON.") from None


def _violation(message: str) -> Violation:
    return Violation("document", message)
