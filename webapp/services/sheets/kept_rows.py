"""A character's own rows, as the sheet's loader reads them, kept in Redis between writes for every view to share.

A write to a character's pack leaves its sheet, its inventory page and its API sheet stale at once; the first of
them to be asked for again reads the rows from the database and keeps them, the others read them back in the
round trip that looks for their own kept answer. What is kept is the same for every viewer (the character's row,
its active membership and campaign, and the ids and quantities of what it carries, wears and knows): each view
still checks access and names entries as its viewer may see them.

Rows are kept under the generations that any change to them moves (the character's, its pack's and the
campaigns'), as read before they were read from the database, and used only while those are still the current
ones. Only a request that asked for them with those generations (`asked`) keeps or uses them, and it writes them
with its own answer.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from webapp import caching, invalidation
from webapp.models import Campaign, Character, Membership

_OFFERED, _TO_WRITE = "tavern.kept_rows", "tavern.kept_rows.to_write"


def shape_of(models) -> str:
    """A digest of the models' mapped columns: rows kept by a release with other columns are never read back (an
    object missing a column would fail when a page reads it)."""
    columns = [f"{model.__name__}.{column.key}" for model in models for column in sa.inspect(model).column_attrs]
    return hashlib.sha256(",".join(columns).encode()).hexdigest()[:8]


_SHAPE = shape_of((Character, Membership, Campaign))


@dataclass(frozen=True)
class Rows:
    generations: dict[str, str]
    character: Any
    membership: Any
    campaign: Any
    owned: list[tuple]


def key(character_id) -> str:
    return f"rows:{_SHAPE}:{character_id}"


def names(character_id) -> list[str]:
    """The generations that move whenever anything kept for this character changes."""
    return [invalidation.character(character_id), invalidation.pack(character_id), invalidation.CAMPAIGNS]


def asked(character_id, found: caching.Found) -> None:
    """Note what the request's round trip found under `key(character_id)`: the loader may use it, or keep what it
    reads."""
    if has_request_context():
        request.environ.setdefault(_OFFERED, {})[str(character_id)] = found


def recalled(character_id) -> Rows | None:
    """The rows found for this character, when they were kept under the generations current for this request."""
    offered = _offered(character_id)
    found = offered.value if offered is not None else None
    if not isinstance(found, Rows):
        return None
    return found if found.generations == caching.already_read(names(character_id)) else None


def keep(character_id, character, membership, campaign, owned: list[tuple]) -> None:
    """Keep rows just read from the database, under the generations read before them (when the request asked):
    they are written with the request's own answer, in its round trip (`to_write`)."""
    if not has_request_context() or str(character_id) not in request.environ.get(_OFFERED, {}):
        return
    current = caching.already_read(names(character_id))
    if current is not None:
        rows = Rows(current, character, membership, campaign, owned)
        request.environ.setdefault(_TO_WRITE, {})[key(character_id)] = rows


def to_write() -> dict[str, Rows]:
    """The rows this request read and may keep, by key; each is handed out once."""
    return request.environ.pop(_TO_WRITE, {}) if has_request_context() else {}


def _offered(character_id):
    if not has_request_context():
        return None
    return request.environ.get(_OFFERED, {}).get(str(character_id))
