"""The HTML blueprint: server-rendered pages and their htmx fragments."""

from flask import Blueprint, Flask

from webapp.pages import macros

bp = Blueprint("pages", __name__)


def register(app: Flask) -> None:
    """Add every page's routes to bp (importing a page module adds them), then bp to the app."""
    from webapp.pages import (  # noqa: F401
        account,
        admin,
        builder,
        campaign_stream,
        campaigns,
        characters,
        compendium,
        devices,
        home,
        images,
        inventory,
        play,
        row_urls,
        table,
    )

    app.register_blueprint(bp)
    macros.share(app)
