"""The OpenAPI 3.1 document, generated from the registered endpoints and their pydantic schemas."""

import re

from flask import current_app

from webapp.api.spec import REGISTRY

PATH_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-z_]+)>")
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code", "errors"],
}
ERRORS = {
    "400": "Bad query parameters",
    "401": "Missing or invalid credentials",
    "403": "Not allowed",
    "404": "Not found (or not visible to you)",
    "409": "Conflicts with existing data",
    "412": "Stale If-Match",
    "413": "Request body or upload too large",
    "414": "Request line too long",
    "415": "Body is not JSON",
    "422": "Invalid input or a rule forbids it",
    "429": "Too many requests",
}


def _schema_ref(model, components: dict) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


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


def _path_parameters(path: str) -> list[dict]:
    params = []
    for match in PATH_PARAM.finditer(path):
        schema = {"type": "string", "format": "uuid"} if match["conv"] == "uuid" else {"type": "string"}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": prop,
                **({"description": prop["description"]} if "description" in prop else {}),
            }
        )
    return params


def document() -> dict:
    components: dict = {"Problem": PROBLEM}
    paths: dict = {}
    for spec in REGISTRY:
        openapi_path = "/api/v1" + PATH_PARAM.sub(r"{\g<name>}", spec.path)
        operation: dict = {
            "operationId": "",  # set below, once every method of the path is known
            "summary": spec.summary,
            "tags": [spec.tag],
            "parameters": _path_parameters(spec.path) + (_query_parameters(spec.query) if spec.query else []),
            "responses": {},
        }
        if spec.body is not None:
            operation["requestBody"] = {
                "required": spec.body_required,
                "content": {"application/json": {"schema": _schema_ref(spec.body, components)}},
            }
        if spec.multipart:
            operation["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": _multipart_schema(spec.multipart)}},
            }
        success = {"description": "Success"}
        if spec.status == 204:
            success = {"description": "Done; no content"}
        elif spec.response is not None:
            success["content"] = {"application/json": {"schema": _schema_ref(spec.response, components)}}
        else:
            success["content"] = {"application/json": {"schema": {"type": "object"}}}
        operation["responses"][str(spec.status)] = success
        if spec.method == "GET":
            operation["responses"]["304"] = {"description": "Not modified (If-None-Match)"}
        for code, text in ERRORS.items():
            operation["responses"][code] = {
                "description": text,
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        operation["responses"].update(spec.responses)
        if spec.auth != "optional":
            operation["security"] = [{"bearer": []}, {"cookie": []}]
        paths.setdefault(openapi_path, {})[spec.method.lower()] = operation
    for path_item in paths.values():
        for method, operation in path_item.items():
            operation["operationId"] = f"{method}_{_slug(operation['summary'])}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tavern API",
            "version": current_app.config["VERSION"],
            "description": "Build, equip and run fantasy role-playing characters from scripts.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "JWT access token or personal API token"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]
