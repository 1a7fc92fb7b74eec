"""The HTML blueprint: server-rendered pages and their htmx fragments."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from webapp.pages import account, admin, api_docs, builder, characters, compendium, home, images  # noqa: E402,F401  - registers the routes on bp
from webapp.pages import campaigns as campaign_pages  # noqa: E402,F401,I001  - campaigns, GM dashboard, /join/<code>
