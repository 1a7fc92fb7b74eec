"""The base of every use case's input: one pydantic model checks what the pages and the API send alike."""

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from webapp.services.errors import InvalidInput, Violation


class Input(BaseModel):
    """Unknown fields are errors, never silently ignored; JSON's types are kept (`false` is not 0, "5" is not 5),
    while ids and dates still parse from JSON strings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @classmethod
    def read(cls, values: Mapping) -> Self:
        """The input from values a form has parsed already (ids may be strings); InvalidInput, one violation per
        field named as the service names it (`level_cap`, not `rules.level_cap`)."""
        try:
            return cls.model_validate(values, strict=False)
        except ValidationError as error:
            problems = [Violation(_field(item["loc"]), item["msg"]) for item in error.errors(include_url=False)]
            raise InvalidInput(problems) from None


def _field(location: tuple) -> str:
    names = [part for part in location if isinstance(part, str)]
    return names[-1] if names else "body"
