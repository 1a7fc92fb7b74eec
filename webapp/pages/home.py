"""The public front page: a gallery of PUBLIC characters."""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from webapp.caching import gallery_cached
from webapp.pages import bp
from webapp.pages.render import public_for_visitors, render
from webapp.services import gallery

GALLERY_SIZE = 24


def _gallery_html() -> str:
    return render_template("home/_gallery.html", characters=gallery.public_characters(limit=GALLERY_SIZE))


@bp.get("/")
def home():
    # Visitors all see the same cards, so they share one rendered copy; a signed-in user may see names of
    # hidden races or archetypes (their own, or as staff) and gets the gallery rendered for them.
    if current_user.is_authenticated:
        return _home(_gallery_html())
    return public_for_visitors(_home(gallery_cached("visitors", _gallery_html)))


def _home(html: str):
    return render("home/index.html", "gallery", gallery_html=Markup(html))  # noqa: S704 - our own template's output
