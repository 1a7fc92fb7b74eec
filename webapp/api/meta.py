"""The API's front door and its self-description."""

from flask import current_app, jsonify

from webapp.api import bp, openapi


@bp.get("/")
def api_index():
    return jsonify(name="Tavern API", version=current_app.config["VERSION"], openapi="/api/v1/openapi.json")


@bp.get("/openapi.json")
def openapi_document():
    response = jsonify(openapi.document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
