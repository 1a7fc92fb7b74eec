"""The API's front door: what version answers."""

from flask import current_app, jsonify

from webapp.api import bp


@bp.get("/")
def api_index():
    return jsonify(name="Tavern API", version=current_app.config["VERSION"], openapi="/api/v1/openapi.json")
