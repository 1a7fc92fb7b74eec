"""Compendium API: races, archetypes, skills, perks, items and tags, each registered from its kind's description."""

import dataclasses
import functools
import uuid
from typing import Any, Literal

from flask import request
from pydantic import BaseModel, Field, create_model

from webapp.api.entries import entry_model, entry_out
from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.spec import endpoint
from webapp.api.wire import Out, page_json, page_of
from webapp.caching import compendium_cached, key_of
from webapp.list_queries import CompendiumQuery, list_for, query_model
from webapp.models import Visibility
from webapp.models.compendium_kinds import BOOL, CHOICE, FLOAT, INT, KINDS, LONGTEXT, TEXT, Kind
from webapp.models.compendium_kinds import Field as KindField
from webapp.services import compendium
from webapp.services.inputs import Id, Ids, Input, Patch, trimmed, whole
from webapp.text import has_lines

VISIBILITIES = tuple(v.value for v in Visibility)
ID = "$response.body#/id"


def _python_type(f: KindField):
    if f.type == CHOICE:
        return Literal[f.choices]
    return {INT: int, FLOAT: float, BOOL: bool}.get(f.type, str)


def _input_type(f: KindField):
    """A field as a request gives it: text trimmed before it is counted, 612.0 as a whole number."""
    if f.type in (TEXT, LONGTEXT):
        blank, too_long = f"Give it a {f.label.lower()}.", f"At most {f.max_length} characters."
        return trimmed(f.max_length, required=f.required, lines=has_lines(f.name), blank=blank, too_long=too_long)
    return whole(f.minimum, f.maximum) if f.type == INT else _python_type(f)


def _field_info(f: KindField, partial: bool):
    """Its bounds; required on create unless it has a default, and left out of a patch unless it changes."""
    constraints: dict[str, Any] = {"description": f.hint or f.label}
    if f.type == FLOAT and f.minimum is not None:
        constraints["ge"] = f.minimum
    if f.type == FLOAT and f.maximum is not None:
        constraints["le"] = f.maximum
    if partial:
        return Field(None, **constraints)
    return Field(... if f.required else f.default, **constraints)


class EntryPatch(Patch):
    NULL_MESSAGE = "This field is required."


@functools.cache
def body_model(kind: Kind, partial: bool) -> type[BaseModel]:
    """The request body of POST (partial=False) or PATCH (every field optional, null only for the picture) for a
    kind."""
    fields: dict[str, Any] = {}
    for f in kind.fields:
        fields[f.name] = (_input_type(f), _field_info(f, partial))
    for relation in kind.relations:
        fields[relation.field] = (Ids, Field(default=None if partial else []))
    if kind.has_image:
        fields["image_id"] = (Id | None, None)
    visibility = Literal[VISIBILITIES] if partial else Literal["PUBLIC", "PRIVATE"]
    fields["visibility"] = (
        visibility,
        Field(None if partial else "PUBLIC", description="HIDDEN is for moderators." if partial else None),
    )
    name = f"{kind.singular.capitalize()}{'Patch' if partial else 'Create'}"
    return create_model(name, __base__=EntryPatch if partial else Input, **fields)


class UsedOut(Out):
    id: uuid.UUID
    name: str
    uses: int = Field(description="How many users' characters, items or entries use it.")


class EntryStatsOut(Out):
    total: int
    by_visibility: dict[str, int]
    system: int
    homebrew: int
    new_last_30_days: int
    most_used: list[UsedOut]


def stats_json(counts: compendium.EntryCounts) -> dict:
    """GET /<kind>/stats: totals by visibility and owner, the new ones, the most used."""
    most_used = [{"id": str(used.id), "name": used.name, "uses": used.count} for used in counts.most_used]
    return {**dataclasses.asdict(counts), "most_used": most_used}


def _page(caller, kind: Kind, query: CompendiumQuery) -> dict:
    page = list_for(caller.user, kind, query)
    data = [entry_out(kind, row, page.relation_ids.get(row.id, {})) for row in page.rows]
    return page_json(data, page.pagination)


def _register(kind: Kind) -> None:
    tag = kind.label
    query_schema, create_schema, patch_schema = query_model(kind), body_model(kind, False), body_model(kind, True)

    def entry_list(caller, query):
        if caller.user is None:
            # Anonymous answers depend only on the query: shared, and dropped by any write to the kind.
            key = key_of("api-list", query.model_dump_json())
            return json_response(compendium_cached(kind.name, key, lambda: _page(caller, kind, query)), public=True)
        return json_response(_page(caller, kind, query))

    def entry_stats(caller):
        return json_response(stats_json(compendium.entry_stats(caller.user, kind)))

    def entry_get(caller, entry_id):
        entry = compendium.get_entry(caller.user, kind, entry_id)
        data = entry_out(kind, entry, compendium.relation_ids_of(caller.user, kind, entry))
        return json_response(data, public=caller.user is None)

    def entry_create(caller, body):
        entry = compendium.create_entry(caller.user, kind, body.model_dump(exclude_unset=True))
        data = entry_out(kind, entry, compendium.relation_ids_of(caller.user, kind, entry))
        return json_response(data, status=201, headers={"Location": f"{request.path}/{entry.id}"})

    def entry_update(caller, entry_id, body):
        def fresh(current):
            if request.headers.get("If-Match"):
                current_out = entry_out(kind, current, compendium.relation_ids_of(caller.user, kind, current))
                require_fresh(current_out, entry_model(kind))

        values = body.model_dump(exclude_unset=True)
        entry = compendium.update_entry(caller.user, kind, entry_id, values, expect=fresh)
        return json_response(entry_out(kind, entry, compendium.relation_ids_of(caller.user, kind, entry)))

    def entry_delete(caller, entry_id):
        compendium.delete_entry(caller.user, kind, entry_id)
        return no_content()

    one, many, item = kind.singular, kind.name, f"/{kind.name}/<uuid:entry_id>"
    model = entry_model(kind)
    routes = (
        (entry_list, "list", "GET", f"/{many}", f"List {many}", {"query": query_schema, "response": page_of(model)}),
        (entry_stats, "stats", "GET", f"/{many}/stats", f"Statistics of {many}", {"response": EntryStatsOut}),
        (entry_get, "get", "GET", item, f"Get a {one}", {"response": model}),
        (
            entry_create,
            "create",
            "POST",
            f"/{many}",
            f"Create a {one}",
            {"body": create_schema, "response": model, "status": 201, "errors": {409}, "links": {"entry_id": ID}},
        ),
        (
            entry_update,
            "update",
            "PATCH",
            item,
            f"Change a {one}",
            {"body": patch_schema, "response": model, "if_match": True, "errors": {409}},
        ),
        (entry_delete, "delete", "DELETE", item, f"Delete a {one}", {"status": 204, "errors": {409}}),
    )
    for view, verb, method, path, summary, options in routes:
        view.__name__ = view.__qualname__ = f"{one}_{verb}"
        auth = "optional" if method == "GET" else "write"
        endpoint(method, path, summary, tag, auth=auth, **options)(view)


for _kind in KINDS.values():
    _register(_kind)
