"""The HTML blueprint: server-rendered pages and their htmx fragments."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

# Importing the page modules registers their routes on bp.
from webapp.pages import (  # noqa: E402,F401
    account,
    admin,
    api_docs,
    builder,
    campaigns,
    characters,
    compendium,
    home,
    images,
    inventory,
)
