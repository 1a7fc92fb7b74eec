"""Sign-in for people (sessions) and scripts (tokens)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import routes, session_user  # noqa: E402,F401  - registers routes, wires Flask-Login
