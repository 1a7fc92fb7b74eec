"""The JSON API blueprint, mounted at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import characters, meta  # noqa: E402,F401  - registers the routes on bp
from webapp.api import auth_endpoints, limits, tokens, users  # noqa: E402,F401,I001  - auth, tokens, users; API-wide limits
from webapp.api import campaigns  # noqa: E402,F401,I001  - campaigns, members, events, awards, compliance
from webapp.api import compendium, inventory  # noqa: E402,F401,I001  - compendium, inventory and equipment routes
from webapp.api import images  # noqa: E402,F401,I001  - image uploads, details and files
