"""The base of every use case's input: one pydantic model checks what the pages and the API send alike, and the
types its fields share (whole numbers, trimmed text), each checked as the OpenAPI document describes it."""

import re
import typing
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from webapp import text
from webapp.services.errors import InvalidInput, Violation

# Trimmed from either end of a text before it is counted: Unicode's white space (NBSP included) but for the
# control characters, which are refused. Written as a regular-expression class that reads the same in Python and
# in ECMAScript (the OpenAPI document's dialect).
SPACES = r" \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Characters that show nothing on their own: zero-width spaces and joiners, direction marks, embeddings,
# overrides and isolates (the Arabic letter mark too), the soft hyphen, the byte order mark and the Hangul fillers.
# Trimmed like spaces, so a name made only of them is blank; inside a text they stay (a joiner binds an emoji
# sequence, a non-joiner shapes Persian).
INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164"
    r"\ufeff\uffa0"
)
CONTROLS = r"\u0000-\u001f\u007f"
LINE_BREAKS = r"\t\n\r"
CONTROLS_BUT_LINE_BREAKS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"


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
            problems = [Violation(_field(item["loc"]), _message(item)) for item in error.errors(include_url=False)]
            raise InvalidInput(problems) from None


def _message(item: dict) -> str:
    return "Unknown field." if item["type"] == "extra_forbidden" else item["msg"]


def _field(location: tuple) -> str:
    names = [part for part in location if isinstance(part, str)]
    return names[-1] if names else "body"


def _unset_is_not_null(schema: dict[str, Any]) -> None:
    """A field a patch may leave out but not send as null shows no `default: null` in the document."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None and not _admits_null(prop):
            del prop["default"]


def _admits_null(prop: dict) -> bool:
    return prop.get("type") == "null" or any(option.get("type") == "null" for option in prop.get("anyOf", ()))


class Patch(Input):
    """Changes: a field left out stays as it is; null is refused beside the field unless its type admits None
    (what null then does, each patch says: no age, no picture, or nothing changed)."""

    model_config = ConfigDict(json_schema_extra=_unset_is_not_null)
    NULL_MESSAGE: ClassVar[str] = "This can't be empty"
    NULL_MESSAGES: ClassVar[dict[str, str]] = {}  # by field, where a field says it otherwise

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value, info: ValidationInfo):
        if value is None and not _nullable(cls.model_fields[info.field_name].annotation):
            message = cls.NULL_MESSAGES.get(info.field_name, cls.NULL_MESSAGE)
            raise PydanticCustomError("not_null", message)
        return value

    def changes(self) -> dict[str, Any]:
        """The fields given, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _nullable(annotation) -> bool:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return typing.get_origin(annotation) in (typing.Union, UnionType) and NoneType in typing.get_args(annotation)


def _integral(value):
    """612.0 is the whole number 612, as JSON Schema's `integer` says; 612.5, true and "612" are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole(minimum: int, maximum: int, message: str | None = None) -> Any:
    """A whole number from `minimum` to `maximum`; `message` (may name the `{field}`) replaces every refusal."""
    number = Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_integral)]
    return Annotated[number, reworded(message)] if message else number


_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _written_as_uuid(value):
    """Text is an id only as the document's `uuid` format writes one, 8-4-4-4-12 hexadecimal digits: the other
    spellings Python reads (no hyphens, braces, a urn: prefix) are refused, as the document says they are."""
    if isinstance(value, str) and not _UUID_TEXT.fullmatch(value):
        raise PydanticCustomError("uuid_parsing", "Input should be a valid UUID, written as 8-4-4-4-12 hex digits")
    return value


# An id in a body or a query string.
Id = Annotated[uuid.UUID, BeforeValidator(_written_as_uuid)]
# Ids in one list (a campaign's races, who gets an award, an entry's tags): far past any real list, and far under
# the 65,535 parameters PostgreSQL takes in one statement, which a longer list would pass to it.
MAX_IDS = 500
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]


def entry_id(kind: str) -> Any:
    """The id of an entry chosen in a form or body (a race, a skill); any other value names no such entry."""
    return Annotated[Id, reworded(f"There is no such {kind}")]


def reworded(message: str) -> WrapValidator:
    """Say `message` for any value the type refuses; `{field}` in it is the field's name, capitalised."""

    def check(value, handler, info: ValidationInfo):
        try:
            return handler(value)
        except ValidationError:
            name = (info.field_name or "value").capitalize()
            raise PydanticCustomError("refused", message.format(field=name)) from None

    return WrapValidator(check)


def future(message: str) -> Any:
    """A moment with a time zone, later than now; read as UTC."""

    def check(moment: datetime) -> datetime:
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:  # a zone's offset takes it past year 1 or 9999, which Python's dates cannot hold
            if moment.year > 1:
                raise PydanticCustomError("too_late", "Choose a moment before the year 9999 ends.") from None
            raise PydanticCustomError("past", message) from None
        if moment <= datetime.now(UTC):
            raise PydanticCustomError("past", message)
        return moment

    return Annotated[AwareDatetime, AfterValidator(check)]


@cache
def trimmed_pattern(max_length: int, *, required: bool, lines: bool) -> str:
    """What a text matches when, trimmed of SPACES (and of line breaks where it has lines), it holds 1 (or 0
    when not `required`) to `max_length` characters and no control character."""
    spaces = SPACES + INVISIBLE + (LINE_BREAKS if lines else "")
    controls = CONTROLS_BUT_LINE_BREAKS if lines else CONTROLS
    edge = f"[^{spaces}{controls}]"
    core = edge if max_length == 1 else f"{edge}(?:[^{controls}]{{0,{max_length - 2}}}{edge})?"
    return f"^[{spaces}]*{core if required else f'(?:{core})?'}[{spaces}]*$"


def _characters(spaces: str) -> str:
    found = re.compile(f"[{spaces}]")
    return "".join(char for char in map(chr, range(0x10000)) if found.fullmatch(char))


TRIMMED = _characters(SPACES + INVISIBLE)
TRIMMED_WITH_LINES = TRIMMED + "\t\n\r"


def trimmed(
    max_length: int,
    *,
    required: bool = False,
    lines: bool = False,
    blank: str = "This can't be empty",
    too_long: str | None = None,
    collapse: bool = False,
) -> Any:
    """Text trimmed of spaces at either end (NBSP included) before it is counted: at most `max_length`
    characters, at least one when `required` (else `blank`), one line unless it has `lines`, never a control
    character. The OpenAPI document states the same as a `pattern`, the very one checked here. With `collapse`,
    each run of spaces inside becomes one space once it is counted."""
    pattern = trimmed_pattern(max_length, required=required, lines=lines)
    matcher = re.compile(pattern)
    ends = TRIMMED_WITH_LINES if lines else TRIMMED
    too_long = too_long or f"Use at most {max_length:,} characters"

    def check(value):
        if not isinstance(value, str):
            return value  # the str type refuses it in its own words
        if matcher.fullmatch(value):
            return " ".join(value.strip(ends).split()) if collapse else value.strip(ends)
        refusal = text.refusal(value, lines=lines)
        if refusal is not None:
            raise PydanticCustomError("control_character", refusal)
        if not value.strip(ends):
            raise PydanticCustomError("blank", blank)
        raise PydanticCustomError("too_long", too_long)

    counted = "spaces at either end not counted"
    shape = f"{'1' if required else '0'}–{max_length:,} characters, {counted}{'' if lines else ', on one line'}."
    schema = {"type": "string", "pattern": pattern, "description": shape}
    return Annotated[str, BeforeValidator(check), WithJsonSchema(schema)]


def name(max_length: int, blank: str, too_long: str | None = None, *, collapse: bool = False) -> Any:
    """A name: one line, 1 to `max_length` characters once trimmed."""
    return trimmed(max_length, required=True, blank=blank, too_long=too_long, collapse=collapse)
