"""How the API's JSON is written: the base of every response model, times in UTC ISO 8601, pages and violations."""

import functools
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
    create_model,
)

from webapp.models.base import as_utc
from webapp.services.pagination import Pagination as PagePosition


def iso(moment: datetime | None) -> str | None:
    """The moment in ISO 8601 with its UTC offset (SQLite hands stored times back without one); None stays None."""
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def id_or_null(value) -> str | None:
    """An optional id as text, or None."""
    return str(value) if value else None


# Written as Python writes it (`+00:00`, microseconds only when there are some), as it always was on the wire.
Moment = Annotated[
    datetime,
    AfterValidator(as_utc),
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Out(BaseModel):
    """Base of every response model: a serialiser that adds a key the model does not declare fails at once (a test
    sees the 500), so an answer can never carry what the document does not say."""

    model_config = ConfigDict(extra="forbid")


class ViolationOut(Out):
    field: str
    message: str


class Pagination(Out):
    limit: int = Field(description="Rows per page, as asked (1–100).")
    has_next: bool
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last one.")


class Named(Out):
    """Another entity in a few words: its id and the name the caller may see ("[hidden]" otherwise)."""

    id: uuid.UUID
    name: str


class Person(Out):
    id: uuid.UUID
    display_name: str


@functools.cache
def page_of(model: type[BaseModel]) -> type[Out]:
    """The list envelope of SPEC §6.1 around `model`: `{data: [...], pagination: {limit, has_next, next_cursor}}`."""
    name = model.__name__.removesuffix("Out")
    return create_model(f"{name}Page", __base__=Out, data=(list[model], ...), pagination=(Pagination, ...))


@functools.cache
def list_of(model: type[BaseModel]) -> type[Out]:
    """A whole list in one answer, without pages: `{data: [...]}`."""
    name = model.__name__.removesuffix("Out")
    return create_model(f"{name}List", __base__=Out, data=(list[model], ...))


@functools.cache
def adapter(answer: Any) -> TypeAdapter:
    return TypeAdapter(answer)


def encode(answer: Any, data: Any) -> bytes:
    """`data` (a dict or a model) written as the response type `answer` writes it; raises ValidationError when it
    does not fit, which is a bug in the serialiser, never the caller's fault. An optional field the data leaves out
    stays out (a campaign's invite code, for those who do not run it)."""
    typed = adapter(answer)
    return typed.dump_json(typed.validate_python(data), exclude_unset=True)
def page_json(rows: list, pagination: PagePosition) -> dict:
    """A page of a list: its rows (written already) and `pagination` {limit, has_next, next_cursor}."""
    return {
        "data": rows,
        "pagination": {
            "limit": pagination.limit,
            "has_next": pagination.has_next,
            "next_cursor": pagination.next_cursor,
        },
    }
