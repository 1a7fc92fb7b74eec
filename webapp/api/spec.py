"""Declare API endpoints once: the same pydantic schemas validate requests and produce the OpenAPI document."""

import functools
from dataclasses import dataclass, field

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from webapp.api import bp
from webapp.api.caller import Unauthenticated, current_caller
from webapp.list_queries import violations_from
from webapp.services.errors import BadQuery, Forbidden, InvalidInput, ServiceError, Violation


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
    path: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: str = "optional"  # optional | required | write
    responses: dict = field(default_factory=dict)
    multipart: type[BaseModel] | None = None  # the input model of the fields beside a multipart `file`
    body_required: bool = True


REGISTRY: list[Endpoint] = []


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
    responses=None,
    body_required=True,
):
    """Register a view on the API blueprint; it receives `caller`, and `body` / `query` when declared.

    `responses` replaces documented responses by status (e.g. a picture instead of JSON for 200). With
    `body_required=False` a request without a body gets the schema's defaults.
    """
    spec = Endpoint(
        path,
        method,
        summary,
        tag,
        body,
        query,
        response,
        status,
        auth,
        responses=responses or {},
        multipart=multipart,
        body_required=body_required,
    )
    REGISTRY.append(spec)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            caller = _authorise(spec.auth)
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
