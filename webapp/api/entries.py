"""The JSON shape of a compendium entry, whatever its kind."""

from webapp.api.wire import id_or_null, iso
from webapp.models.compendium_kinds import Kind


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
