"""The compendium as sheets read it, held by each worker and loaded again, kind by kind, when its generation moves.

Races, archetypes, skills, perks, items and tags are reference data: they change rarely and every sheet reads
them. Each worker keeps one snapshot of all six kinds as immutable entries (plain objects, never ORM rows) and
checks it against the kinds' generations once per request, in the round trip that reads them; a kind whose
generation moved is loaded again. When Redis cannot say (down, or refusing writes), the request gets a snapshot
loaded afresh from the database and the worker keeps nothing: a failed invalidation means nothing kept is used.
"""

import dataclasses
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request

from webapp import caching, invalidation
from webapp.extensions import db
from webapp.models.compendium_kinds import KINDS, Kind


class Entry:
    """Base of every entry class: immutable, with the columns of its model and its relations as entries."""

    __slots__ = ()

    @property
    def is_system(self) -> bool:
        return self.owner_id is None


def _entry_class(kind: Kind) -> type:
    columns = [column.key for column in sa.inspect(kind.model).columns]
    relations = [name for relation in kind.relations for name in (relation.attribute, relation.field)]
    name = f"{kind.singular.capitalize()}Entry"
    return dataclasses.make_dataclass(name, [*columns, *relations], bases=(Entry,), frozen=True, slots=True)


ENTRY_CLASSES = {name: _entry_class(kind) for name, kind in KINDS.items()}


def _load_order() -> list[str]:
    """Kinds after the kinds their relations name (tags first, items last)."""
    order: list[str] = []
    pending = list(KINDS)
    while pending:
        for name in pending:
            if all(r.target in order or r.target == name for r in KINDS[name].relations):
                order.append(name)
                pending.remove(name)
                break
    return order


LOAD_ORDER = _load_order()
GENERATIONS = [invalidation.compendium(kind) for kind in KINDS]  # what a snapshot is checked against


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Every entry of every kind, by kind and id, as read under `generations` (None: not to be kept)."""

    generations: dict[str, str] | None
    entries: dict[str, dict[uuid.UUID, Entry]]
    loaded_at: datetime
    versions: dict[str, dict[int, int]] = dataclasses.field(default_factory=dict)  # by kind and id.int: version_of

    def get(self, kind: str, entry_id) -> Entry | None:
        return self.entries[kind].get(entry_id)

    def all(self, kind: str) -> Iterable[Entry]:
        return self.entries[kind].values()

    def has_all(self, wanted: Iterable[tuple[str, uuid.UUID]]) -> bool:
        """Whether every (kind, id) is in this snapshot."""
        return all(entry_id in self.entries[kind] for kind, entry_id in wanted)

    def stamp(self, entries: Iterable[tuple[str, Entry]], kinds: Iterable[str] = ()) -> "Stamp":
        """What something built from these entries (and from every entry of `kinds`) read, to tell later whether
        it still holds: each entry's last change, each kind's generation."""
        versions = self.versions
        return Stamp(
            frozenset((kind, entry.id.int, versions[kind].get(entry.id.int, 0)) for kind, entry in entries),
            frozenset((kind, (self.generations or {}).get(kind)) for kind in kinds),
        )

    def still(self, stamp: "Stamp") -> bool:
        """Whether every entry the stamp names is unchanged here, and every kind it read whole."""
        if self.generations is None:
            return False
        for kind, entry_id, changed in stamp.entries:
            if self.versions[kind].get(entry_id) != changed:
                return False
        return all(self.generations.get(kind) == generation for kind, generation in stamp.kinds)


@dataclasses.dataclass(frozen=True)
class Stamp:
    """The reference entries (kind, id as an integer, version_of) and whole kinds (kind, generation) an answer was
    built from. Integers, not UUIDs or datetimes: a kept answer's stamp is read back with it, and those unpickle
    slowly (a page's forty entries took ten times as long to read back as its body)."""

    entries: frozenset = frozenset()
    kinds: frozenset = frozenset()

    def __or__(self, other: "Stamp") -> "Stamp":
        return Stamp(self.entries | other.entries, self.kinds | other.kinds)


def version_of(entry: Entry) -> int:
    """An entry's last change as an integer (microseconds since the epoch, as the database stores it)."""
    changed = entry.updated_at
    if changed is None:
        return 0
    if changed.tzinfo is not None:
        changed = changed.astimezone(UTC).replace(tzinfo=None)
    return (changed - _EPOCH) // _MICROSECOND


_EPOCH, _MICROSECOND = datetime(1970, 1, 1), timedelta(microseconds=1)
_KEY = "tavern.reference"
_READ = "tavern.reference.read"
_lock = threading.Lock()
_held: Snapshot | None = None


def current(afresh: bool = False) -> Snapshot:
    """The snapshot this request reads: this worker's when every kind's generation still matches, else the kinds
    that moved loaded again. Read once per request; `afresh` loads every kind again for this request (a row
    written since the generations were read names an entry the snapshot has not met)."""
    if not has_request_context():
        return _load(None, LOAD_ORDER, None) if afresh else _current()
    held = request.environ  # not `g`: an app context can outlive its request (tests, scripts)
    if afresh:
        held[_KEY] = _load(None, LOAD_ORDER, None)
    elif _KEY not in held:
        held[_KEY] = _current()
    return held[_KEY]


def _current() -> Snapshot:
    global _held
    names = {kind: invalidation.compendium(kind) for kind in KINDS}
    found = caching.generations(names.values())
    if found is None:
        return _load(None, LOAD_ORDER, None)
    wanted = {kind: found[name] for kind, name in names.items()}
    held = _held
    if held is not None and held.generations == wanted:
        return held
    with _lock:
        held = _held
        if held is None or held.generations != wanted:
            moved = [kind for kind in LOAD_ORDER if held is None or held.generations.get(kind) != wanted[kind]]
            _held = _load(held, _with_referrers(moved), wanted)
        return _held


def note(stamp: Stamp) -> None:
    """Record that this request's answer was built from these entries (see `read_this_request`)."""
    if has_request_context():
        request.environ[_READ] = request.environ.get(_READ, Stamp()) | stamp


def read_this_request() -> Stamp:
    """Every entry this request noted it built its answer from."""
    return request.environ.get(_READ, Stamp()) if has_request_context() else Stamp()


def refresh() -> None:
    """Bring this worker's snapshot up to date now, outside any request."""
    _current()


def forget() -> None:
    """Drop this worker's snapshot (tests start from nothing)."""
    global _held
    with _lock:
        _held = None


def _with_referrers(kinds: list[str]) -> list[str]:
    """These kinds and every kind whose entries link to one of them, in load order: their links must be new."""
    wanted = set(kinds)
    for name in LOAD_ORDER:
        if any(relation.target in wanted for relation in KINDS[name].relations):
            wanted.add(name)
    return [name for name in LOAD_ORDER if name in wanted]


def _load(previous: Snapshot | None, kinds: list[str], generations: dict[str, str] | None) -> Snapshot:
    """Load `kinds` from the database (in load order); the other kinds are taken from `previous`."""
    entries = dict(previous.entries) if previous is not None else {}
    for name in kinds:
        entries[name] = _load_kind(KINDS[name], entries)
    versions = {name: {entry.id.int: version_of(entry) for entry in found.values()} for name, found in entries.items()}
    return Snapshot(generations, entries, datetime.now(), versions)


def _load_kind(kind: Kind, loaded: dict[str, dict]) -> dict[uuid.UUID, Entry]:
    table = kind.model.__table__
    links = {relation.field: _links(kind, relation) for relation in kind.relations}
    make = ENTRY_CLASSES[kind.name]
    found = {}
    for row in db.session.execute(sa.select(*table.columns)).mappings():
        values = dict(row)
        for relation in kind.relations:
            targets = loaded[relation.target] if relation.target != kind.name else {}
            ids = sorted(links[relation.field].get(row["id"], ()), key=str)
            linked = [targets[target] for target in ids if target in targets]
            values[relation.attribute] = tuple(sorted(linked, key=lambda entry: (entry.name, str(entry.id))))
            values[relation.field] = tuple(str(target) for target in ids)
        found[row["id"]] = make(**values)
    return found


def _links(kind: Kind, relation) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The relation's association rows as {entry id: [target ids]}."""
    attribute = getattr(kind.model, relation.attribute).property
    table = attribute.secondary
    left = next(c for c in table.columns if c.references(kind.model.__table__.c.id))
    right = next(c for c in table.columns if c is not left)
    grouped: dict[uuid.UUID, list[uuid.UUID]] = {}
    for entry_id, target_id in db.session.execute(sa.select(left, right)):
        grouped.setdefault(entry_id, []).append(target_id)
    return grouped
