"""The JSON API blueprint, mounted at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import characters, meta  # noqa: E402,F401  - registers the routes on bp
