"""RFC 9457 problem details: the one shape every API error takes."""

from flask import Response, g, json

PROBLEM_BASE = "https://tavern.example/problems/"


def problem(
    status: int,
    title: str,
    detail: str = "",
    code: str = "error",
    errors: list[dict] | None = None,
    **extra,
) -> Response:
    body = {
        "type": PROBLEM_BASE + code.replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
        "errors": errors or [],
        "request_id": g.get("request_id"),
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    response.headers["Cache-Control"] = "no-store"
    return response
