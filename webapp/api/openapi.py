"""The OpenAPI 3.1 document, generated from an app's registered operations and their pydantic models."""

import types
import typing

from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from webapp import text
from webapp.api.spec import PATH_PARAM, Endpoint, registry

REF = "#/components/schemas/{model}"
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable and machine-readable, e.g. `invalid_input`, `name_taken`."},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "description": "One entry per field that was refused, named by its path in the body or query.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
        "references": {
            "type": "array",
            "description": "409 on a delete: what still uses it (the id is null where you may not see it).",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "description": "character, item, campaign, inventory…"},
                    "id": {"type": ["string", "null"]},
                    "name": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["kind"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code", "errors"],
}
# Each error status once, in components.responses; an operation lists those it can answer (Endpoint.error_statuses).
ERRORS = {
    400: "A query parameter that cannot be read (a control character, a bound, a cursor we did not give out), a "
    "JSON body nested deeper than 32 levels, or a browser session's change without its CSRF token",
    401: "Missing, expired or revoked credentials (also when a bad token is sent where none is needed)",
    403: "Allowed to see it, not to do this (a read-only token, an unverified account, someone else's)",
    404: "Not found, or not visible to you",
    409: "Clashes with existing data: a name already taken (`name_taken`, with the field), something still "
    "referenced (`references`), or a change made at the same moment (try again)",
    412: "If-Match names a version that is no longer current: read it again and retry",
    413: "Request body or upload too large (6 MiB; pictures 5 MB)",
    414: "Request line longer than 8 KiB, refused by the front server (Nginx) as problem+json; Gunicorn on its own "
    "answers it as text/html",
    415: "The body is not JSON (or not multipart/form-data for an upload)",
    422: "Invalid input, or a game rule refuses it: one `errors` entry per field",
    429: "Too many requests; `Retry-After` says when to try again",
    503: "The database (or, for a mail, the mail server) cannot be reached just now: try again shortly",
}
SUCCESS = {200: "OK", 201: "Created", 204: "Done; no content"}
ETAG = {
    "description": "The version of what the answer holds: send it back as If-Match with a change, or as "
    "If-None-Match to read it again for free.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you last read: the change is refused with 412 if it is no longer current. Strong "
    "comparison: a weak tag (W/…) never matches.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you hold: 304 without a body while it is current.",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {"description": "Not modified: the ETag in If-None-Match is current", "headers": {"ETag": ETAG}}


class _Names(GenerateJsonSchema):
    """Response models are `CharacterOut` in Python, where `Character` is the table; the document says `Character`."""

    def normalize_name(self, name: str) -> str:
        name = super().normalize_name(name)
        return name.removesuffix("Out") if name.endswith("Out") and name != "Out" else name


def _multipart_schema(model) -> dict:
    """A `file` beside the fields of the upload's input model."""
    schema = model.model_json_schema()
    fields = {name: {k: v for k, v in prop.items() if k != "title"} for name, prop in schema["properties"].items()}
    return {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}, **fields},
        "required": ["file", *schema.get("required", [])],
        "additionalProperties": False,
    }


def document(app: Flask | None = None) -> dict:
    """The app's document, built once: it depends only on the registered operations and the version."""
    app = app or current_app
    operations = registry(app)
    if operations.document is None:
        operations.document = _build(operations.endpoints, app.config["VERSION"])
    return operations.document


def _members(answer) -> tuple:
    """The models of a response type: itself, or each of a union's."""
    if isinstance(answer, types.UnionType) or typing.get_origin(answer) is typing.Union:
        return typing.get_args(answer)
    return (answer,)


def _models(endpoints: list[Endpoint]) -> list[tuple[type[BaseModel], str]]:
    seen: dict[tuple, None] = {}
    for spec in endpoints:
        if spec.body is not None:
            seen[(spec.body, "validation")] = None
        for answer in spec.answers.values():
            if answer is not None and not isinstance(answer, dict):
                for model in _members(answer):
                    seen[(model, "serialization")] = None
    return list(seen)


def _build(endpoints: list[Endpoint], version: str) -> dict:
    refs, definitions = models_json_schema(_models(endpoints), ref_template=REF, schema_generator=_Names)
    components: dict = {**definitions.get("$defs", {}), "Problem": PROBLEM}
    bodies = [refs[(spec.body, "validation")] for spec in endpoints if spec.body is not None]
    _plain_text({"anyOf": bodies}, components, "", set())
    for name, schema in components.items():
        if schema.get("title") == f"{name}Out":  # generated clients name their classes after the title
            schema["title"] = name
    by_id = {spec.operation_id: spec for spec in endpoints}
    paths: dict = {}
    for spec in endpoints:
        operation: dict = {
            "operationId": spec.operation_id,
            "summary": spec.summary,
            "tags": [spec.tag],
            "parameters": [],
            "responses": {},
        }
        if spec.body is not None:
            operation["requestBody"] = {
                "required": spec.body_required,
                "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
            }
        if spec.multipart:
            operation["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": _multipart_schema(spec.multipart)}},
            }
        for status, answer in sorted(spec.answers.items()):
            operation["responses"][str(status)] = _success(spec, status, answer, refs, by_id)
        if spec.method == "GET" and "304" not in operation["responses"]:
            operation["responses"]["304"] = NOT_MODIFIED  # every JSON answer to a GET carries an ETag
        operation["parameters"] = _parameters(spec, conditional="304" in operation["responses"])
        for status in spec.error_statuses():
            # /api/docs lists 4xx by code and describes the rest in full, so a 5xx is written out.
            ref = {"$ref": f"#/components/responses/{status}"}
            operation["responses"][str(status)] = ref if status < 500 else _error_response(status)
        if spec.auth != "optional":
            operation["security"] = [{"bearer": []}, {"cookie": []}]
        paths.setdefault(_openapi_path(spec.path), {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tavern API",
            "version": version,
            "description": "Build, equip and run fantasy role-playing characters from scripts.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {str(status): _error_response(status) for status in ERRORS},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "JWT access token or personal API token"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def _plain_text(schema: dict, components: dict, field: str, seen: set[str]) -> None:
    """The input guard refuses a control character in any text of a body, keys included (and a line break where
    the text has no lines): each string of a request body says so where its own schema does not already."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _plain_text(components[name], components, field, seen)
        return
    for part in [*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())]:
        _plain_text(part, components, field, seen)
    kinds = schema.get("type", ())
    if "string" in ([kinds] if isinstance(kinds, str) else kinds) and not {"pattern", "format", "enum"} & set(schema):
        schema["pattern"] = text.pattern(field)
    for name, prop in schema.get("properties", {}).items():
        _plain_text(prop, components, name, seen)
    if isinstance(schema.get("items"), dict):
        _plain_text(schema["items"], components, field, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        _plain_text(schema["additionalProperties"], components, field, seen)
        schema.setdefault("propertyNames", {"pattern": text.ONE_LINE_PATTERN})


def _error_response(status: int) -> dict:
    content: dict = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    if status == 414:  # Gunicorn answers with a page of its own where no Nginx stands in front
        content["text/html"] = {"schema": {"type": "string"}}
    return {"description": ERRORS[status], "content": content}


def _openapi_path(path: str) -> str:
    return "/api/v1" + PATH_PARAM.sub(r"{\g<name>}", path)


def _success(spec: Endpoint, status: int, answer, refs: dict, by_id: dict) -> dict:
    if answer is None:
        return {"description": SUCCESS.get(status, "Success")}
    if isinstance(answer, dict):
        return answer
    schemas = [refs[(model, "serialization")] for model in _members(answer)]
    response = {
        "description": SUCCESS.get(status, "Success"),
        "headers": {"ETag": ETAG},
        "content": {"application/json": {"schema": schemas[0] if len(schemas) == 1 else {"anyOf": schemas}}},
    }
    if spec.links and status in (200, 201):
        response["links"] = _links(spec, by_id)
    return response


def _links(created: Endpoint, by_id: dict[str, Endpoint]) -> dict:
    """From a create to every operation on what it made (and below it): get, update, delete, sub-resources.

    A target lies under the create's own path, names every parameter the create links, and needs no parameter
    the create's request path does not give."""
    given = set(created.path_parameters)
    linked = set(created.links or {})
    found = {}
    for target in by_id.values():
        needs = set(target.path_parameters)
        if target is created or not linked <= needs or not needs <= given | linked:
            continue
        first = min(target.path.index(f":{name}>") for name in linked)
        prefix = target.path[: target.path.rindex("<", 0, first)]
        if not (created.path + "/").startswith(prefix):
            continue
        parameters = {name: (created.links or {}).get(name, f"$request.path.{name}") for name in target.path_parameters}
        found[target.operation_id] = {"operationId": target.operation_id, "parameters": parameters}
    return found


def _parameters(spec: Endpoint, conditional: bool) -> list[dict]:
    params = []
    for match in PATH_PARAM.finditer(spec.path):
        schema = {"type": "string", "format": "uuid"} if match["conv"] == "uuid" else {"type": "string"}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    if spec.query is not None:
        params += _query_parameters(spec.query)
    if spec.if_match:
        params.append(IF_MATCH)
    if conditional:
        params.append(IF_NONE_MATCH)
    return params


def _query_parameters(model) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        deprecated = prop.pop("deprecated", False)
        prop = {k: v for k, v in prop.items() if k != "title"}
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": prop,
                **({"description": prop["description"]} if "description" in prop else {}),
                **({"deprecated": True} if deprecated else {}),
            }
        )
    return params
