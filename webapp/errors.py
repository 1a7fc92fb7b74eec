"""One error policy: problem+json under /api/, friendly HTML pages everywhere else."""

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import HTTPException

from webapp.api.problems import problem
from webapp.extensions import db
from webapp.pages.render import render_error
from webapp.rules.violations import RuleViolation
from webapp.services.errors import Conflict, InvalidInput, ServiceError, Taken

MESSAGES = {
    400: "That request did not make sense to us.",
    401: "Please sign in to continue.",
    403: "You can see this, but you can't change it.",
    404: "We looked everywhere, but there is nothing here.",
    405: "That action isn't available here.",
    409: "That clashes with something that already exists.",
    412: "Someone changed this in the meantime. Reload and try again.",
    413: "That upload is too large.",
    415: "Send the body as JSON.",
    422: "Some fields need attention.",
    429: "Too many requests. Take a breath and try again shortly.",
    500: "Something went wrong on our side. It has been logged.",
    503: "Tavern can't reach its storage right now. Please try again in a moment.",
}


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def respond(status: int, title: str, detail: str = "", code: str = "error", errors=None, headers=None):
    if wants_problem():
        response = problem(status, title, detail or MESSAGES.get(status, title), code, errors)
    else:
        response = render_error(status, title, detail or MESSAGES.get(status, title), errors)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _http_error(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    headers = {}
    if status == 429 or status == 405:
        headers = {k: v for k, v in error.get_headers() if k in {"Retry-After", "Allow"}}
    detail = error.description if status not in MESSAGES or _custom(error) else MESSAGES[status]
    return respond(status, error.name, detail, error.name.lower().replace(" ", "_"), headers=headers)


def _custom(error: HTTPException) -> bool:
    return type(error).description != error.description


def _csrf_error(error: CSRFError):
    return respond(400, "Form expired", "This form has expired. Reload the page and try again.", "csrf_failed")


def _service_error(error: ServiceError):
    db.session.rollback()  # a refused change must leave nothing pending for a later commit to pick up
    extra = {}
    if isinstance(error, Conflict) and wants_problem():
        response = problem(409, "Conflict", error.message, error.code, references=error.references)
        return response
    if isinstance(error, InvalidInput) and wants_problem() and all(isinstance(v, Taken) for v in error.violations):
        # A name already in use is a clash with existing data, not a malformed value: 409 names the field.
        errors = [{"field": v.field, "message": v.message} for v in error.violations]
        return problem(409, "Conflict", errors[0]["message"], "name_taken", errors)
    if getattr(error, "violations", None):
        extra = {"errors": [{"field": v.field, "message": v.message} for v in error.violations]}
    if error.status == 401:
        extra["headers"] = {"WWW-Authenticate": 'Bearer realm="tavern"'}
    return respond(error.status, error.code.replace("_", " ").capitalize(), error.message, error.code, **extra)


def _rule_violation(error: RuleViolation):
    db.session.rollback()
    errors = [{"field": v.field, "message": v.message} for v in error.violations]
    return respond(422, "Not allowed by the rules", errors[0]["message"], "rule_violation", errors)


def _integrity_error(error: IntegrityError):
    """A constraint no service turned into its own answer: a clash with data written meanwhile, never a 500."""
    db.session.rollback()
    # Only the constraint's name: the error's text would carry the statement's parameters.
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    current_app.logger.warning("integrity error answered 409 (constraint %s)", constraint or "unknown")
    detail = "This clashed with a change made at the same moment. Reload and try again."
    return respond(409, "Conflict", detail, "conflict")


def _deleted_meanwhile(error: ObjectDeletedError | StaleDataError):
    """Another request deleted a row this one had read, before it was read again or written: it is gone now."""
    db.session.rollback()
    current_app.logger.warning("a row was deleted by another request meanwhile: answered 404")
    return respond(404, "Not found", "This was deleted in the meantime.", "not_found")


def _database_down(error: OperationalError):
    db.session.rollback()
    return respond(503, "Service unavailable", MESSAGES[503], "database_unavailable")


def _unexpected(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unhandled error")
    return respond(500, "Internal server error", MESSAGES[500], "internal_error")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(RuleViolation, _rule_violation)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(ObjectDeletedError, _deleted_meanwhile)
    app.register_error_handler(StaleDataError, _deleted_meanwhile)
    app.register_error_handler(Exception, _unexpected)
