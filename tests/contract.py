"""The API's contract, held over every request the suite makes: each answer of a documented operation has a status
its OpenAPI document lists, and each JSON answer validates against the schema documented for that status."""

import functools
import re
import threading

from flask import Flask, request, request_finished
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from webapp.api.openapi import document

JSON_TYPES = ("application/json", "application/problem+json")
RULE_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


class ContractWatch:
    """Collects, per test, what the app answered outside its document; `seen` counts what it checked."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.breaches: list[str] = []
        self.seen: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        request_finished.connect(self._check, app)

    @functools.cached_property
    def document(self) -> dict:
        with self.app.app_context():
            return document(self.app)

    def _operation(self) -> dict | None:
        rule = request.url_rule
        if rule is None or not rule.rule.startswith("/api/v1/"):
            return None
        method = "get" if request.method == "HEAD" else request.method.lower()
        return self.document["paths"].get(RULE_PARAM.sub(r"{\1}", rule.rule), {}).get(method)

    def _check(self, sender, response, **extra) -> None:
        operation = self._operation()
        if operation is None:
            return
        name, status = operation["operationId"], response.status_code
        with self._lock:
            self.seen.add((name, status))
        documented = operation["responses"].get(str(status))
        if documented is None:
            self._breach(f"{name} answered {status}, which its document does not list")
            return
        documented = self._resolve(documented)
        media = response.mimetype
        if media not in JSON_TYPES or request.method == "HEAD":
            return
        schema = documented.get("content", {}).get(media, {}).get("schema")
        if schema is None:
            self._breach(f"{name} answered {status} as {media}, which its document does not describe")
            return
        errors = sorted(self._validator(name, status, media).iter_errors(response.get_json()), key=str)
        if errors:
            where = "/".join(str(part) for part in errors[0].absolute_path)
            self._breach(f"{name} answered {status} against its schema at '{where}': {errors[0].message[:300]}")

    def _resolve(self, response: dict) -> dict:
        ref = response.get("$ref")
        return self.document["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else response

    @functools.cache  # noqa: B019 - one watcher per test session
    def _validator(self, name: str, status: int, media: str) -> OAS31Validator:
        operation = next(
            op for item in self.document["paths"].values() for op in item.values() if op["operationId"] == name
        )
        schema = self._resolve(operation["responses"][str(status)])["content"][media]["schema"]
        root = {**schema, "components": self.document["components"]}
        return OAS31Validator(root, format_checker=oas31_format_checker)

    def _breach(self, text: str) -> None:
        with self._lock:
            self.breaches.append(text)

    def close(self) -> None:
        request_finished.disconnect(self._check, self.app)

    def take(self) -> list[str]:
        with self._lock:
            found, self.breaches = self.breaches, []
        return found
