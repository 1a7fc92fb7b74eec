"""The JSON API blueprint, mounted at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

# Importing the resource modules registers their routes on bp; limits applies the API-wide rate limits.
from webapp.api import (  # noqa: E402,F401
    auth_endpoints,
    campaigns,
    characters,
    compendium,
    images,
    inventory,
    limits,
    meta,
    tokens,
    users,
)
