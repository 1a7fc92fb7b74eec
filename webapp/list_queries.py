"""What a query string may ask of a list, read the same way by the pages and the API: the pydantic query
schemas, the violations a bad one reports, and the compendium list such a query asks for."""

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, create_model, field_validator

from webapp.models import ATTRIBUTE_NAMES
from webapp.models.compendium_kinds import Kind
from webapp.services import compendium
from webapp.services.errors import Violation
from webapp.services.inputs import Id


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_words(cls, value, info: ValidationInfo):
        """A flag in a query string is `true` or `false`; 0, 1, yes and on are mistakes, not synonyms."""
        if cls.model_fields[info.field_name].annotation is bool and value not in ("true", "false", True, False):
            raise ValueError("Use true or false.")
        return value


class ListQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="Rows per page (1–100).")
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")
    search: str | None = Field(None, max_length=100, description="Case-insensitive match on the name.")
    order: Literal["asc", "desc"] = "desc"


def violations_from(error: ValidationError) -> list[Violation]:
    """One violation per field pydantic refused, named by its location ("body" when it has none)."""
    found = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "body"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "Unknown field."
        found.append(Violation(location, message))
    return found


class CompendiumQuery(ListQuery):
    order: Literal["asc", "desc"] = "asc"
    owner: Literal["mine", "system"] | None = Field(None, description="Only your homebrew, or only system content.")

    @field_validator("max_level", check_fields=False)
    @classmethod
    def _level_range(cls, high, info):
        low = info.data.get("min_level")
        if low is not None and high is not None and low > high:
            raise ValueError(f"max_level ({high}) is below min_level ({low})")
        return high


@functools.cache
def query_model(kind: Kind) -> type[CompendiumQuery]:
    """The list query of a kind: search, sort, order, cursor, tag and the kind's own filters."""
    fields: dict[str, Any] = {"sort": (Literal[kind.sorts], "name")}
    if any(r.field == "tag_ids" for r in kind.relations):
        fields["tag"] = (Id | None, Field(None, description="Only entries with this tag."))
    for name in kind.choice_filters:
        fields[name] = (Literal[kind.field(name).choices] | None, None)
    if kind.level_field:
        fields["min_level"] = (int | None, Field(None, ge=1, le=20, description="Lowest required level."))
        fields["max_level"] = (int | None, Field(None, ge=1, le=20, description="Highest required level."))
    if kind.bonus_filter:
        fields["bonus"] = (Literal[ATTRIBUTE_NAMES] | None, Field(None, description="Gives a bonus to this attribute."))
    return create_model(f"{kind.singular.capitalize()}Query", __base__=CompendiumQuery, **fields)


def filters_from(kind: Kind, query: CompendiumQuery) -> compendium.Filters:
    return compendium.Filters(
        search=query.search or None,
        tag_id=getattr(query, "tag", None),
        owner=query.owner,
        choices={name: getattr(query, name) for name in kind.choice_filters if getattr(query, name) is not None},
        min_level=getattr(query, "min_level", None),
        max_level=getattr(query, "max_level", None),
        bonus=getattr(query, "bonus", None),
    )


def list_for(actor, kind: Kind, query: CompendiumQuery, **options) -> compendium.EntryPage:
    """One page of the list a query asks for; options go to compendium.list_entries (relations, total)."""
    filters = filters_from(kind, query)
    sorting = {"sort": query.sort, "order": query.order, "limit": query.limit, "cursor": query.cursor}
    return compendium.list_entries(actor, kind, filters, **sorting, **options)
