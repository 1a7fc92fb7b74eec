"""The HTML blueprint: server-rendered pages and their htmx fragments."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from webapp.pages import api_docs, home  # noqa: E402,F401  - registers the routes on bp
from webapp.pages import account, admin  # noqa: E402,F401,I001  - account and staff pages
from webapp.pages import images  # noqa: E402,F401,I001  - uploads, portraits, avatars, placeholder portraits
from webapp.pages import compendium  # noqa: E402,F401,I001  - compendium lists, details and homebrew forms
