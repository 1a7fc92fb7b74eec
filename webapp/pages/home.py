"""The public front page: a gallery of PUBLIC characters."""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from webapp.caching import gallery_cached
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.render import public_for_visitors, render
from webapp.services import characters, gallery

GALLERY_SIZE = 24


def _gallery_html() -> str:
    return render_template("home/_gallery.html", characters=gallery.public_characters(limit=GALLERY_SIZE))


@bp.get("/")
def home():
    # Visitors all see the same cards, so they share one rendered copy; a signed-in user may see names of
    # hidden races or archetypes (their own, or as staff) and gets the gallery rendered for them.
    if current_user.is_authenticated:
        first = not characters.my_characters(me(), limit=1)  # a new player is shown the way to the builder
        return _home(_gallery_html(), first_character=first)
    return public_for_visitors(_home(gallery_cached("visitors", _gallery_html)))


def _home(html: str, first_character: bool = False):
    html = Markup(html)  # noqa: S704 - our own template's output
    return render("home/index.html", "gallery", gallery_html=html, first_character=first_character)
