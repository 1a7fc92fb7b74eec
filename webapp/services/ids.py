"""Ids as they arrive from URLs, forms and bodies, turned into UUIDs once."""

import uuid

from webapp.services.errors import NotFound


def as_uuid(value) -> uuid.UUID:
    """A UUID, or the UUID written in `value`; ValueError when it is not one."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def uuid_or_none(value) -> uuid.UUID | None:
    """The UUID written in `value`, or None when it is not one."""
    try:
        return as_uuid(value)
    except ValueError:
        return None


def parse_id(value, kind: str) -> uuid.UUID:
    """The UUID written in `value`; raises NotFound ("No such <kind>.") when it is not one."""
    key = uuid_or_none(value)
    if key is None:
        raise NotFound(f"No such {kind}.")
    return key
