"""The JSON shape of a compendium entry, whatever its kind, and the response model that writes it."""

import functools
import uuid
from typing import Any, Literal

from pydantic import Field, create_model

from webapp.api.wire import Moment, Out, id_or_null, iso
from webapp.models import Visibility
from webapp.models.compendium_kinds import BOOL, CHOICE, FLOAT, INT, Kind

VISIBILITIES = tuple(v.value for v in Visibility)


def entry_out(kind: Kind, entry, relation_ids: dict[str, list[str]]) -> dict:
    """The JSON shape of SPEC §6.1, plus id, owner_id, created_at and updated_at."""
    data = {"id": str(entry.id)}
    for f in kind.fields:
        value = getattr(entry, f.name)
        data[f.name] = value.value if hasattr(value, "value") else value
    for relation in kind.relations:
        data[relation.field] = relation_ids.get(relation.field, [])
    if kind.has_image:
        data["image_id"] = id_or_null(entry.image_id)
    data["visibility"] = entry.visibility.value
    data["owner_id"] = id_or_null(entry.owner_id)
    data["created_at"] = iso(entry.created_at)
    data["updated_at"] = iso(entry.updated_at)
    return data


def _answer_type(f) -> Any:
    if f.type == CHOICE:
        return Literal[f.choices]
    return {INT: int, FLOAT: float, BOOL: bool}.get(f.type, str)


@functools.cache
def entry_model(kind: Kind) -> type[Out]:
    """The response model of an entry of `kind` (`Race`, `Item`…): what `entry_out` writes."""
    fields: dict[str, Any] = {"id": (uuid.UUID, ...)}
    for f in kind.fields:
        fields[f.name] = (_answer_type(f), Field(..., description=f.hint or f.label))
    fields.update({r.field: (list[uuid.UUID], Field(..., description=r.label)) for r in kind.relations})
    if kind.has_image:
        fields["image_id"] = (uuid.UUID | None, ...)
    fields["visibility"] = (Literal[VISIBILITIES], ...)
    fields["owner_id"] = (uuid.UUID | None, Field(..., description="null for system content"))
    fields["created_at"] = (Moment, ...)
    fields["updated_at"] = (Moment, ...)
    return create_model(kind.singular.capitalize(), __base__=Out, **fields)
