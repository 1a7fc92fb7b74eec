"""The interactive API reference at /api/docs, rendered from the same OpenAPI document scripts read."""

from webapp.pages import bp
from webapp.pages.render import render

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def _operations_by_tag(doc: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for path, item in sorted(doc["paths"].items()):
        for method, operation in sorted(item.items(), key=lambda pair: METHOD_ORDER.get(pair[0], 9)):
            grouped.setdefault(operation["tags"][0], []).append({"path": path, "method": method, **operation})
    return dict(sorted(grouped.items()))


@bp.get("/api/docs")
def api_docs():
    from webapp.api.openapi import document  # the API package imports the pages package: import late

    doc = document()
    return render("api_docs/index.html", doc=doc, groups=_operations_by_tag(doc))
