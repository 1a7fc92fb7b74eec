"""Compendium pages: search, filter and browse every kind; create, edit and delete one's own homebrew."""

import functools

from flask import Response, abort, flash, make_response, redirect, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from pydantic import ValidationError
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp.caching import compendium_cached, key_of
from webapp.list_queries import list_for, query_model
from webapp.models import ATTRIBUTE_NAMES, Visibility
from webapp.models.compendium_kinds import BOOL, CHOICE, FLOAT, INT, KINDS, LONGTEXT, Kind
from webapp.models.compendium_kinds import Field as KindField
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go
from webapp.pages.render import is_fragment_request, public_for_visitors, render
from webapp.services import access, compendium
from webapp.services.access import Action
from webapp.services.errors import Conflict, InvalidInput, Violation

PAGE_SIZE = 25
SORT_LABELS = {"name": "Name", "created_at": "Date added", "updated_at": "Last changed"}
VISIBILITY_CHOICES = [
    SelectChoice("PUBLIC", "Public: everyone can see it"),
    SelectChoice("PRIVATE", "Private: only you"),
]


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def choice_label(value: str) -> str:
    """ "ONE_HAND" → "One hand", "strength" → "Strength"."""
    return "None (carried only)" if value == "NONE" else value.replace("_", " ").capitalize()


def _ours(html: str) -> Markup:
    """HTML our own autoescaping templates rendered (maybe read back from the cache), to embed as it is."""
    return Markup(html)  # noqa: S704 - produced by render_block, never by user input


def _fragment_or_page(html: str, template: str, **context) -> Response:
    """An htmx request gets the (possibly cached) fragment itself; anything else the page around it."""
    if is_fragment_request():
        response = make_response(html)
        response.headers["Vary"] = "HX-Request, Cookie"
        return response
    return render(template, **context)


def _list_query(kind: Kind):
    """The list's query from the URL (the API's own schema): empty fields ignored, a bad one dropped and reported."""
    model = query_model(kind)
    args = {key: value for key, value in request.args.items() if value != "" and key in model.model_fields}
    args["limit"] = PAGE_SIZE
    try:
        return model.model_validate(args), []
    except ValidationError as error:
        violations = _filter_problems(kind, error)
        for violation in violations:
            args.pop(violation.field.split(".")[0], None)
        return model.model_validate(args), violations


FILTER_NAMES = {
    "search": "The search",
    "min_level": "The lowest required level",
    "max_level": "The highest required level",
    "tag": "The tag",
    "owner": "The source",
    "sort": "The sort",
    "order": "The order",
    "bonus": "The bonus",
    "cursor": "The page",
}


def _filter_problems(kind: Kind, error: ValidationError) -> list[Violation]:
    """What pydantic refused in the URL, in words a reader of the page understands (the API keeps its own)."""
    problems = []
    for item in error.errors(include_url=False):
        name = str(item["loc"][0]) if item["loc"] else "filters"
        what = FILTER_NAMES.get(name) or (
            f"The {kind.field(name).label.lower()}" if name in kind.choice_filters else name
        )
        context, kind_of = item.get("ctx") or {}, item["type"]
        if name == "max_level" and kind_of == "value_error":
            low = request.args.get("min_level")
            message = f"The highest required level ({item['input']}) is below the lowest ({low}), so it was left out."
        elif kind_of in {"int_parsing", "int_type", "int_from_float"}:
            message = f"{what} must be a whole number, so it was left out."
        elif kind_of in {"greater_than_equal", "less_than_equal"} and name in {"min_level", "max_level"}:
            message = f"{what} goes from 1 to 20, so {item['input']} was left out."
        elif kind_of == "literal_error":
            message = f"{what} has no choice “{item['input']}”, so it was left out."
        elif kind_of == "uuid_parsing":
            message = f"{what} was not recognised, so it was left out."
        elif kind_of == "string_too_long":
            message = f"{what} is longer than {context.get('max_length')} characters, so it was left out."
        else:
            message = f"{what} was not understood, so it was left out."
        problems.append(Violation(name, message))
    return problems


def _query_args(query, **overrides) -> dict:
    data = query.model_dump(mode="json", exclude_defaults=True, exclude={"limit"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _results_html(kind: Kind, query, violations: list, block: str) -> str:
    """The result count and table (block "results"), or one more page of rows (block "rows")."""
    actor = me()

    def build() -> str:
        page = list_for(actor, kind, query, with_relations=False, with_total=block == "results")
        next_cursor = page.pagination.next_cursor
        next_url = url_for("pages.compendium_list", kind=kind.name, **_query_args(query, cursor=next_cursor))
        return render_block(
            "compendium/_results.html",
            block,
            kind=kind,
            rows=page.rows,
            total=page.total,
            next_url=next_url if next_cursor else None,
            violations=violations,
            filtered=bool(_query_args(query, sort=None, order=None, cursor=None)),
            owns=lambda row: access.owns(actor, row),
            choice_label=choice_label,
        )

    if actor is None and not violations:
        return compendium_cached(kind.name, key_of("page", block, query.model_dump_json()), build)
    return build()


def _tag_choices() -> list[tuple[str, str]]:
    actor = me()
    if actor is None:
        return compendium_cached("tags", "choices", lambda: compendium.choices(None, "tags"))
    return compendium.choices(actor, "tags")


@bp.get("/compendium")
def compendium_index():
    return redirect(url_for("pages.compendium_list", kind="items"))


@bp.get("/compendium/<kind>")
def compendium_list(kind):
    return public_for_visitors(_list_page(_kind(kind)))


def _list_page(kind: Kind) -> Response:
    query, violations = _list_query(kind)
    block = "rows" if query.cursor and is_fragment_request() else "results"
    html = _ours(_results_html(kind, query, violations, block))
    if violations and is_fragment_request():
        return make_response(html, 422)
    # The tag filter's choices are for the whole page only: a fragment would fetch them for nothing.
    has_tags = any(r.field == "tag_ids" for r in kind.relations) and not is_fragment_request()
    return _fragment_or_page(
        html,
        "compendium/list.html",
        kind=kind,
        kinds=KINDS.values(),
        query=query,
        results_html=html,
        tags=_tag_choices() if has_tags else [],
        sorts=[(name, SORT_LABELS.get(name) or kind.field(name).label) for name in kind.sorts],
        attributes=ATTRIBUTE_NAMES,
        choice_label=choice_label,
    )


def _detail_html(kind: Kind, entry) -> str:
    actor = me()

    def build() -> str:
        loaded = compendium.get_entry(actor, kind, entry.id, with_relations=True)
        relations = [
            (relation, [(target, access.shown_name(actor, target)) for target in getattr(loaded, relation.attribute)])
            for relation in kind.relations
        ]
        return render_block(
            "compendium/_detail.html",
            "detail",
            kind=kind,
            entry=loaded,
            relations=relations,
            owner_name=compendium.owner_name(loaded),
            choice_label=choice_label,
            may_view=lambda target: access.can(actor, Action.VIEW, target),
        )

    if actor is None:
        return compendium_cached(kind.name, key_of("detail", entry.id), build)
    return build()


def _detail_page(kind: Kind, entry, status: int = 200, references=None, conflict: str | None = None) -> Response:
    actor = me()
    return render(
        "compendium/detail.html",
        "detail",
        status=status,
        kind=kind,
        entry=entry,
        detail_html=_ours(_detail_html(kind, entry)),
        may_edit=access.can(actor, Action.EDIT, entry),
        may_delete=access.can(actor, Action.DELETE, entry),
        references=references or [],
        conflict=conflict,
    )


@bp.get("/compendium/<kind>/<uuid:entry_id>")
def compendium_detail(kind, entry_id):
    kind = _kind(kind)
    return public_for_visitors(_detail_page(kind, compendium.get_entry(me(), kind, entry_id)))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _form_field(f: KindField):
    hint = f.hint or None
    if f.type == BOOL:
        return BooleanField(f.label, default=f.default, description=hint)
    if f.type == CHOICE:
        choices = [SelectChoice(value, choice_label(value)) for value in f.choices]
        return SelectField(f.label, choices=choices, default=f.default, description=hint)
    bounds = {key: value for key, value in (("min", f.minimum), ("max", f.maximum)) if value is not None}
    if f.type in (INT, FLOAT):
        message = "Enter a number." if f.type == FLOAT else "Enter a whole number."
        field_class = FloatField if f.type == FLOAT else IntegerField
        render_kw = {**bounds, "step": "0.01" if f.type == FLOAT else "1", "inputmode": "decimal"}
        validators = [InputRequired(message), NumberRange(f.minimum, f.maximum, compendium.range_message(f))]
        return field_class(f.label, validators, default=f.default, render_kw=render_kw, description=hint)
    validators = [InputRequired(f"Give it a {f.label.lower()}.")] if f.required else [Optional()]
    field_class = TextAreaField if f.type == LONGTEXT else StringField
    return field_class(f.label, validators, render_kw={"maxlength": f.max_length}, description=hint)


@functools.cache
def form_class(kind: Kind) -> type[FlaskForm]:
    """A Flask-WTF form built from the kind's description: the same fields the API schema is built from."""
    attrs = {f.name: _form_field(f) for f in kind.fields}
    attrs.update({r.field: MultiCheckboxField(r.label, choices=[]) for r in kind.relations})
    attrs["visibility"] = SelectField("Visibility", choices=VISIBILITY_CHOICES, default="PUBLIC")
    return type(f"{kind.singular.capitalize()}Form", (FlaskForm,), attrs)


def _form(kind: Kind, entry=None) -> FlaskForm:
    actor = me()
    form = form_class(kind)(obj=entry) if request.method == "GET" else form_class(kind)()
    for relation in kind.relations:
        field = form[relation.field]
        field.choices = [SelectChoice(*choice) for choice in compendium.choices(actor, relation.target)]
        if entry is not None and request.method == "GET":
            field.data = [str(target.id) for target in getattr(entry, relation.attribute)]
    if entry is not None and entry.visibility == Visibility.HIDDEN:
        form.visibility.choices = [SelectChoice("HIDDEN", "Hidden by a moderator"), *VISIBILITY_CHOICES]
    elif entry is not None and not access.may_choose_visibility(actor, entry):
        # A moderator edits another's PUBLIC entry: public or private stays its owner's choice.
        form.visibility.choices = [choice for choice in VISIBILITY_CHOICES if choice.value == entry.visibility.value]
        form.visibility.description = "Only its owner makes it public or private."
    return form


def _values(kind: Kind, form: FlaskForm) -> dict:
    values = {f.name: form[f.name].data if form[f.name].data is not None else "" for f in kind.fields}
    values.update({r.field: form[r.field].data for r in kind.relations})
    values["visibility"] = form.visibility.data
    if kind.has_image and "image_id" in request.form:  # the upload widget's hidden input (templates/images/)
        values["image_id"] = request.form["image_id"] or None
    return values


def _form_page(kind: Kind, form: FlaskForm, entry=None, status: int = 200) -> Response:
    return render("compendium/form.html", "form", status=status, kind=kind, form=form, entry=entry)


def _save(kind: Kind, form: FlaskForm, entry=None) -> Response:
    if form.validate_on_submit():
        try:
            if entry is None:
                saved = compendium.create_entry(me(), kind, _values(kind, form))
            else:
                saved = compendium.update_entry(me(), kind, entry.id, _values(kind, form))
        except InvalidInput as error:
            put_errors(form, error.violations)
        else:
            flash(f"Saved {saved.name}.", "success")
            return go(url_for("pages.compendium_detail", kind=kind.name, entry_id=saved.id))
    elif _only_out_of_range(kind, form):
        # Every problem at once: a number out of range beside a name already taken, say.
        put_errors(form, compendium.entry_problems(me(), kind, _values(kind, form), entry.id if entry else None))
    return _form_page(kind, form, entry, status=422)


def _only_out_of_range(kind: Kind, form: FlaskForm) -> bool:
    """True when the form refused nothing but numbers it could read (their range: the service says it too)."""
    numbers = {f.name for f in kind.fields if f.type in (INT, FLOAT)}
    return bool(form.errors) and all(name in numbers and form[name].data is not None for name in form.errors)


@bp.route("/compendium/<kind>/new", methods=["GET", "POST"])
@login_required
def compendium_new(kind):
    kind = _kind(kind)
    access.require_creator(me())
    form = _form(kind)
    if request.method == "POST":
        return _save(kind, form)
    return _form_page(kind, form)


@bp.route("/compendium/<kind>/<uuid:entry_id>/edit", methods=["GET", "POST"])
@login_required
def compendium_edit(kind, entry_id):
    kind = _kind(kind)
    entry = compendium.get_entry(me(), kind, entry_id, with_relations=True)
    access.check(me(), Action.EDIT, entry)
    form = _form(kind, entry)
    if request.method == "POST":
        return _save(kind, form, entry)
    return _form_page(kind, form, entry)


@bp.post("/compendium/<kind>/<uuid:entry_id>/delete")
@login_required
def compendium_delete(kind, entry_id):
    kind = _kind(kind)
    try:
        compendium.delete_entry(me(), kind, entry_id)
    except Conflict as conflict:
        entry = compendium.get_entry(me(), kind, entry_id)
        if is_fragment_request():
            html = render_block(
                "compendium/detail.html", "in_use", references=conflict.references, conflict=conflict.message
            )
            return make_response(html, 409)
        return _detail_page(kind, entry, status=409, references=conflict.references, conflict=conflict.message)
    flash("Deleted.", "success")
    return go(url_for("pages.compendium_list", kind=kind.name))
