"""The query string of every list: page size, cursor, search and order (services.pagination runs the page)."""

from typing import Literal

from pydantic import Field

from webapp.api.spec import Query


class ListQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="Rows per page (1–100).")
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")
    search: str | None = Field(None, max_length=100, description="Case-insensitive match on the name.")
    order: Literal["asc", "desc"] = "desc"
