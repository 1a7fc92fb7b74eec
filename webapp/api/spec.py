"""Declare API operations once: the same pydantic models validate requests, serialise answers and write the OpenAPI
document, and each operation states the statuses it can answer."""

import functools
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request
from pydantic import BaseModel, ConfigDict, ValidationError

from webapp.api import bp
from webapp.api.caller import Unauthenticated, current_caller
from webapp.list_queries import violations_from
from webapp.services import access
from webapp.services.errors import BadQuery, Forbidden, InvalidInput, ServiceError, Violation

PATH_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-z_]+)>")


class Schema(BaseModel):
    """Base of every request body: unknown fields are errors, never silently ignored."""

    # Strict: JSON `false` is not the number 0 and "5" is not 5; ids and dates still parse from JSON strings.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


class NotAuthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "unsupported_media_type"


@dataclass
class Endpoint:
    """One operation: its route, what it reads, what it answers on success (status → response type; None for no
    content; an OpenAPI response object for a file), and the error statuses it can answer beyond those its
    declaration implies (see `error_statuses`)."""

    path: str
    method: str
    summary: str
    tag: str
    answers: dict[int, Any]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    auth: str = "optional"  # optional | required | write
    multipart: type[BaseModel] | None = None  # the input model of the fields beside a multipart `file`
    body_required: bool = True
    if_match: bool = False
    errors: frozenset[int] = frozenset()
    links: dict[str, str] | None = None  # path parameter of what it creates → runtime expression
    kept: str | None = None  # the character_views answer it serves, read with the token's check (caller.py)
    operation_id: str = ""

    @property
    def path_parameters(self) -> list[str]:
        return [match["name"] for match in PATH_PARAM.finditer(self.path)]

    def error_statuses(self) -> list[int]:
        """Every error status this operation can answer, from what it declares.

        Any request may carry a query parameter the input check refuses (400), a credential that is not valid
        (401), a request line too long for the front server (414), or one request too many (429), and meet the
        database (or the mail server) unreachable (503). A request
        with a body may send one too large (413) or JSON text with a control character (422); a browser session
        changing something without its CSRF token gets 400.
        """
        found = {400, 401, 414, 429, 503} | set(self.errors)
        if self.method != "GET":
            found |= {413, 422}
        if self.auth == "write":
            found.add(403)  # a read-only token, an unverified account
        if self.path_parameters:
            found.add(404)
        if self.body is not None or self.multipart:
            found.add(415)
        if self.if_match:
            found.add(412)
        return sorted(found)


# What this blueprint declares, in order; each app gets its own registry of them when the blueprint is registered.
REGISTRY: list[Endpoint] = []


class Registry:
    """The operations one app serves, by endpoint name, and its OpenAPI document once built."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.endpoints = list(endpoints)
        self.by_endpoint = {f"{bp.name}.{spec.operation_id}": spec for spec in self.endpoints}
        self.document: dict | None = None


@bp.record_once
def _give_the_app_its_registry(state) -> None:
    state.app.extensions["api"] = Registry(REGISTRY)


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["api"]


def current_operation() -> Endpoint | None:
    """The operation the current request reached, if it reached one."""
    return g.get("api_operation")


def endpoint(
    method: str,
    path: str,
    summary: str,
    tag: str,
    body=None,
    query=None,
    response=None,
    status=200,
    auth="optional",
    multipart=None,
    answers=None,
    body_required=True,
    if_match=False,
    errors=(),
    links=None,
    kept=None,
):
    """Register a view on the API blueprint; it receives `caller`, and `body` / `query` when declared.

    `response` is the model of the success answer (`status`); `answers` declares several (status → model, None
    for no content, or an OpenAPI response object for a file). The view's `json_response` is serialised by the
    model its status declares. `if_match` says that the operation honours If-Match (412); `errors` adds error
    statuses its declaration does not imply; `links` names what a create made (path parameter → runtime
    expression), linking it to every operation on what it made. With `body_required=False` a request without a
    body gets the schema's defaults. `kept` names the character_views answer a GET serves: Redis is asked for
    it together with the check of the caller's token. The view's name is the operation's stable operationId.
    """
    if answers is None:
        answers = {status: None if status == 204 else response}
    spec = Endpoint(
        path,
        method,
        summary,
        tag,
        answers=dict(answers),
        body=body,
        query=query,
        auth=auth,
        multipart=multipart,
        body_required=body_required,
        if_match=if_match,
        errors=frozenset(errors),
        links=links,
        kept=kept,
    )

    def decorate(view):
        spec.operation_id = view.__name__
        missing = [code for code, answer in spec.answers.items() if answer is None and code != 204]
        if missing:
            raise TypeError(f"{view.__name__}: declare the response model of status {missing[0]}")
        REGISTRY.append(spec)

        @functools.wraps(view)
        def wrapper(**kwargs):
            g.api_operation = spec
            caller = _authorise(spec.auth)
            access.check_token_reach(caller.campaign_id, kwargs, writes=request.method not in ("GET", "HEAD"))
            if spec.query is not None:
                kwargs["query"] = parse_query(spec.query)
            if spec.body is not None:
                kwargs["body"] = parse_body(spec.body, required=spec.body_required)
            return view(caller=caller, **kwargs)

        bp.add_url_rule(path, endpoint=view.__name__, view_func=wrapper, methods=[method])
        return wrapper

    return decorate


def _authorise(level: str):
    try:
        caller = current_caller()
    except Unauthenticated as error:
        raise NotAuthenticated(str(error)) from None
    if level in {"required", "write"} and not caller.signed_in:
        raise NotAuthenticated("Sign in, or send an access token as `Authorization: Bearer <token>`.")
    if level == "write" and not caller.can_write:
        raise Forbidden("This token can only read. Create a token with the write scope to make changes.")
    return caller


def parse_body(schema: type[BaseModel], required: bool = True) -> BaseModel:
    """Validate the JSON body: 415 when it isn't JSON, 422 with one error per field when it doesn't fit.

    An optional body may be left out entirely (no bytes at all); the schema's defaults stand in for it.
    """
    if not required and not request.get_data():
        return schema()
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with `Content-Type: application/json`.")
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput([Violation("body", "The body is not valid JSON.")])
    if not isinstance(data, dict):
        raise InvalidInput([Violation("body", "The body must be a JSON object.")])
    try:
        return schema.model_validate_json(request.get_data())
    except ValidationError as error:
        raise InvalidInput(violations_from(error)) from None


def parse_query(schema: type[BaseModel]) -> BaseModel:
    raw = {key: values if len(values) > 1 else values[0] for key, values in request.args.lists()}
    try:
        return schema.model_validate(raw)
    except ValidationError as error:
        raise BadQuery(violations_from(error)) from None
