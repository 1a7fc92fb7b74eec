"""The JSON API blueprint, mounted at /api/v1."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__)


def register(app: Flask) -> None:
    """Add every resource's routes to bp (importing a resource module adds them; limits applies the API-wide rate
    limits), then bp to the app under /api/v1, and the reference page for people at /api/docs."""
    from webapp.api import (  # noqa: F401
        auth_endpoints,
        campaigns,
        characters,
        compendium,
        docs,
        images,
        inventory,
        limits,
        meta,
        table,
        tokens,
        users,
    )

    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(docs.bp)
