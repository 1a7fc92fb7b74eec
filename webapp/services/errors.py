"""What services raise; the pages and the API each turn these into their own responses."""

from dataclasses import dataclass

from webapp.rules.violations import RuleViolation, Violation

__all__ = [
    "BadQuery",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NestedTooDeep",
    "NotFound",
    "RuleViolation",
    "ServiceError",
    "Taken",
    "TooLarge",
    "Violation",
]


@dataclass(frozen=True)
class Taken(Violation):
    """A value existing data already holds (a name its owner uses): a form shows it beside the field like any other
    violation; the API answers 409 when it is all that is wrong."""


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know that it does."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The actor may see the thing but not do this to it."""

    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The change clashes with existing data; `references` says what is in the way."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, references: list[dict] | None = None) -> None:
        super().__init__(message)
        self.references = references or []


class TooLarge(ServiceError):
    """The upload is bigger than the service accepts."""

    status = 413
    code = "payload_too_large"


class InvalidInput(ServiceError):
    """Input that fails validation, with one message per field."""

    status = 422
    code = "invalid_input"

    def __init__(self, violations: list[Violation], message: str = "Some fields need attention.") -> None:
        super().__init__(message)
        self.violations = violations


class BadQuery(ServiceError):
    """Query parameters (or a cursor) that make no sense, one message per parameter."""

    status = 400
    code = "bad_query"

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(violations[0].message if violations else "Bad query parameters.")
        self.violations = violations


class NestedTooDeep(ServiceError):
    """A JSON body nested deeper than anything Tavern takes."""

    status = 400
    code = "nested_too_deep"
