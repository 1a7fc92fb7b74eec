"""The public front page: a gallery of PUBLIC characters."""

from webapp.pages import bp
from webapp.pages.render import render
from webapp.services import gallery


@bp.get("/")
def home():
    characters = gallery.public_characters(limit=24)
    return render("home/index.html", "gallery", characters=characters)
