"""Pictures on the pages: the upload widget's endpoint, portraits and avatars, and generated placeholder portraits."""

import json
import re
from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, redirect, request, url_for
from flask_login import login_required
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.models import Archetype, Character, Race, User, Visibility
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.render import is_fragment_request, render, toast
from webapp.placeholders import initials_for, portrait_svg
from webapp.services import access, accounts, characters, images
from webapp.services.access import Action
from webapp.services.errors import InvalidInput, TooLarge, Violation
from webapp.services.image_processing import MAX_BYTES

UPLOADED = "images/uploaded.html"
CHARACTER_PORTRAIT = "images/_character_portrait.html"
AVATAR = "images/_avatar.html"
ACCEPT = "image/jpeg,image/png,image/webp"
TOO_LARGE = f"That file is too large; images can be at most {MAX_BYTES // (1024 * 1024)} MB."
NO_FILE = "Choose a JPEG, PNG or WebP picture."
# A generated picture changes only when its inputs (in the URL) do, or with a new release of the drawing code.
PLACEHOLDER_CACHE = "public, max-age=604800"
PLACEHOLDER_CSP = "default-src 'none'; frame-ancestors 'none'"
_WIDGET_ID = re.compile(r"[a-z][a-z0-9-]{0,59}")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
T = TypeVar("T")


def _names(actor, entity, parents=None) -> tuple[str | None, str | None, str]:
    """Race, archetype and the name the placeholder of an entity is drawn from, masked as the actor sees them.

    `parents` are a character's race and archetype when its relations were not loaded (a sheet reads them from
    the reference snapshot)."""
    if isinstance(entity, Character):
        race, archetype = parents or (entity.race, entity.archetype)
        return access.shown_name(actor, race), access.shown_name(actor, archetype), entity.name
    if isinstance(entity, User):
        return None, None, entity.display_name
    if isinstance(entity, Race):
        return entity.name, None, entity.name
    if isinstance(entity, Archetype):
        return None, entity.name, entity.name
    return None, None, getattr(entity, "name", "") or ""


def image_id_of(entity):
    """The picture set on an entity: a user's avatar, anything else's image; None when there is none."""
    if isinstance(entity, User):
        return entity.avatar_image_id
    return getattr(entity, "image_id", None)


def placeholder_url(race: str | None, archetype: str | None, name: str) -> str:
    """The generated portrait's URL; only what the page already shows goes into it."""
    return url_for(
        "pages.placeholder_portrait", race=race or None, archetype=archetype or None, initials=initials_for(name)
    )


def picture_url(image_id, thumbnail: bool = True) -> str:
    """The picture (or its thumbnail) of an image; the route checks who may see it."""
    return url_for("api.image_thumbnail" if thumbnail else "api.image_file", image_id=image_id)


@bp.app_template_global("portrait_url")
def portrait_url(entity) -> str:
    """The thumbnail of the entity's picture when it has one, else its generated placeholder portrait."""
    image_id = image_id_of(entity)
    if image_id:
        return picture_url(image_id)
    return placeholder_url(*_names(me(), entity))


def picture_tag(image_id, fallback: str, size: int, alt: str) -> Markup:
    """An <img> of a stored picture that turns into the placeholder when the picture can't be shown (static/js/
    upload.js swaps in `data-fallback`, e.g. for a PRIVATE picture on a PUBLIC sheet read by a stranger)."""
    return Markup(
        '<img class="portrait" src="{src}" data-fallback="{fallback}" alt="{alt}" width="{size}" height="{size}" '
        'decoding="async">'
    ).format(src=picture_url(image_id), fallback=fallback, alt=alt, size=int(size))


def entity_portrait(actor, entity, size: int = 96, alt: str | None = None, parents=None) -> Markup:
    """The entity's picture, or its generated placeholder inline (no script, no style, text escaped)."""
    race, archetype, name = _names(actor, entity, parents)
    image_id = image_id_of(entity)
    if image_id:
        label = alt if alt is not None else f"Picture of {name}"
        return picture_tag(image_id, placeholder_url(race, archetype, name), size, label)
    return Markup(portrait_svg(race, archetype, initials_for(name), size=int(size)))  # noqa: S704 - escaped inside


@bp.app_template_global("picture_of")
def picture_of(entity, size: int = 96, alt: str | None = None) -> Markup:
    """`picture_of(character, 64)` in a template: the picture or placeholder of a character, user or entry."""
    return entity_portrait(me(), entity, size, alt)


def upload_visibility(entity) -> str:
    """A picture goes out as widely as what shows it: PUBLIC for PUBLIC content and for avatars, else PRIVATE."""
    if isinstance(entity, User):
        return Visibility.PUBLIC.value
    return (Visibility.PUBLIC if getattr(entity, "visibility", None) == Visibility.PUBLIC else Visibility.PRIVATE).value


def _uploaded_bytes() -> bytes:
    """The `file` of a multipart form; TooLarge above the request limit, InvalidInput when there is none."""
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise TooLarge(TOO_LARGE) from None
    data = upload.read() if upload is not None else b""
    if not data:
        raise InvalidInput([Violation("file", NO_FILE)], NO_FILE)
    return data


def _message(error: InvalidInput | TooLarge) -> str:
    violations = getattr(error, "violations", None)
    return violations[0].message if violations else error.message


def _choice(value: str | None, pattern: re.Pattern, default: str) -> str:
    return value if value and pattern.fullmatch(value) else default


@bp.post("/uploads/images")
def image_upload():
    """Store one picture for a form (the widget in templates/images/_upload.html): the answer is its preview and a
    hidden input carrying its id, and the event `image-uploaded` for forms that save at once."""
    widget = _choice(request.args.get("widget"), _WIDGET_ID, "upload")
    field = _choice(request.args.get("field"), _FIELD_NAME, "image_id")
    visibility = request.args.get("visibility", Visibility.PRIVATE.value)
    context = {"widget": widget, "field": field}
    try:
        data = _uploaded_bytes()  # before the form is read: it answers a body over the limit
        said = {"description": request.form.get("description", ""), "visibility": visibility}
        image = images.upload_image(me(), data, images.ImageUpload.read(said))
    except (InvalidInput, TooLarge) as error:
        return render(UPLOADED, "result", status=error.status, error=_message(error), **context)
    response = render(UPLOADED, "result", image=image, **context)
    response.headers["Cache-Control"] = "private, no-store"
    event = {"image-uploaded": {"image_id": str(image.id), "field": field, "widget": widget}}
    response.headers["HX-Trigger-After-Settle"] = json.dumps(event)
    return response


def _use_chosen_image(actor, visibility: str, use: Callable[[object], T]) -> T:
    """Put the picture a portrait or avatar form names to `use` (a service that commits) and return its result:
    a fresh upload (forms sent without JavaScript), stored in the same commit as its use; the id the widget left
    in the form; or None to remove the picture."""
    if _removing():
        return use(None)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        used = []
        details = images.ImageUpload.read({"visibility": visibility})
        images.upload_image(actor, _uploaded_bytes(), details, then=lambda image: used.append(use(image.id)))
        return used[0]
    chosen = (request.form.get("image_id") or "").strip()
    if not chosen:
        raise InvalidInput([Violation("file", NO_FILE)], NO_FILE)
    return use(chosen)


def _removing() -> bool:
    return bool(request.form.get("remove"))


def _saved(fragment: Response, message: str, endpoint: str, **values) -> Response:
    """After a change: the swapped fragment with a toast for htmx, a redirect with a flash otherwise."""
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for(endpoint, **values), code=303)
    return toast(fragment, message)


def _character_portrait(character, status: int = 200, error: str | None = None) -> Response:
    actor = me()
    context = {
        "character": character,
        "portrait": entity_portrait(actor, character, 112, f"Portrait of {character.name}"),
        "can_edit": access.can(actor, Action.EDIT, character),
        "portrait_error": error,
    }
    return render(CHARACTER_PORTRAIT, "character_portrait", status=status, **context)


@bp.post("/characters/<uuid:character_id>/portrait")
@login_required
def character_portrait_update(character_id):
    """Set (or remove) a character's portrait; the sheet's portrait is swapped in place."""
    actor = me()
    character = characters.get_character(actor, character_id, Action.EDIT)
    try:
        _use_chosen_image(
            actor,
            upload_visibility(character),
            lambda image_id: characters.update_character(
                actor, character_id, characters.CharacterPatch.read({"image_id": image_id})
            ),
        )
    except (InvalidInput, TooLarge) as error:
        if not is_fragment_request():
            flash(_message(error), "error")
            return redirect(url_for("pages.character_show", character_id=character_id), code=303)
        return _character_portrait(characters.get_character(actor, character_id), error.status, _message(error))
    character = characters.get_character(actor, character_id)
    removed = f"{character.name}'s portrait is removed."
    message = removed if _removing() else f"{character.name}'s portrait is saved."
    return _saved(_character_portrait(character), message, "pages.character_show", character_id=character_id)


def _avatar(user: User, status: int = 200, error: str | None = None) -> Response:
    context = {"user": user, "avatar": entity_portrait(user, user, 96, "Your avatar"), "avatar_error": error}
    return render(AVATAR, "avatar", status=status, **context)


@bp.post("/account/avatar")
@login_required
def account_avatar_update():
    """Set (or remove) the signed-in user's avatar; the account page's avatar is swapped in place."""
    user = me()
    try:
        user = _use_chosen_image(
            user,
            Visibility.PUBLIC.value,
            lambda image_id: accounts.update_profile(user, user.id, accounts.UserPatch.read({"image_id": image_id})),
        )
    except (InvalidInput, TooLarge) as error:
        if not is_fragment_request():
            flash(_message(error), "error")
            return redirect(url_for("pages.account_show"), code=303)
        return _avatar(user, error.status, _message(error))
    message = "Your avatar is removed." if _removing() else "Your avatar is saved."
    return _saved(_avatar(user), message, "pages.account_show")


@bp.get("/placeholders/portrait.svg")
def placeholder_portrait():
    """The generated portrait for the given race, archetype and initials: the same inputs, the same bytes."""
    race = request.args.get("race", "")[:100].strip() or None
    archetype = request.args.get("archetype", "")[:100].strip() or None
    initials = request.args.get("initials", "")[:3].strip() or "?"
    response = Response(portrait_svg(race, archetype, initials), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = PLACEHOLDER_CACHE
    response.headers["Content-Security-Policy"] = PLACEHOLDER_CSP
    response.add_etag()
    return response.make_conditional(request)


bp.add_app_template_global(MAX_BYTES, "image_max_bytes")
