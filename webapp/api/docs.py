"""The interactive API reference at /api/docs: the same OpenAPI document scripts read, as a page for people."""

from flask import Blueprint, Response, make_response, render_template

from webapp.api.openapi import document

bp = Blueprint("api_docs", __name__)

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def _operations_by_tag(doc: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for path, item in sorted(doc["paths"].items()):
        for method, operation in sorted(item.items(), key=lambda pair: METHOD_ORDER.get(pair[0], 9)):
            grouped.setdefault(operation["tags"][0], []).append({"path": path, "method": method, **operation})
    return dict(sorted(grouped.items()))


@bp.get("/api/docs")
def api_docs() -> Response:
    doc = document()
    response = make_response(render_template("api_docs/index.html", doc=doc, groups=_operations_by_tag(doc)))
    response.headers["Vary"] = "HX-Request, Cookie"  # as every page: the layout shows who is signed in
    return response
