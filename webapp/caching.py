"""Shared caches with named invalidation; a cache that fails is a cache that missed, never an error."""

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

from cachelib.redis_base import BaseRedisCache
from flask import current_app, has_request_context, request
from flask_caching.backends.nullcache import NullCache

from webapp.extensions import cache
from webapp.observability import CACHE_REQUESTS

T = TypeVar("T")
log = logging.getLogger(__name__)


def _get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down, timeout) reads as a miss
        log.warning("cache read failed", extra={"event": "cache_error"})
        return None


def _set(key: str, value, timeout: int | None = None) -> None:
    _forget_values([key])
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # noqa: BLE001
        log.warning("cache write failed", extra={"event": "cache_error"})


def keeps_anything() -> bool:
    """False when the configured cache keeps nothing (NullCache): then no generation is worth a round trip."""
    return not isinstance(cache.cache, NullCache)


def read(key: str):
    """The value under key, or None (also when the cache cannot answer)."""
    return _get(key)


def write(key: str, value, timeout: int | None = None) -> None:
    """Store a value under key; a cache that fails stores nothing."""
    _set(key, value, timeout)


def write_many(mapping: dict, timeout: int | None = None) -> None:
    """Store several values in one round trip; a cache that fails stores nothing."""
    if mapping:
        _forget_values(mapping)
        try:
            cache.set_many(mapping, timeout=timeout)
        except Exception:  # noqa: BLE001
            log.warning("cache write failed", extra={"event": "cache_error"})


def cached(key: str, build: Callable[[], T], name: str = "default", timeout: int | None = None) -> T:
    """Return the cached value under key, or build, store and return it; build must not return None."""
    value = _get(key)
    if value is not None:
        CACHE_REQUESTS.labels(name, "hit").inc()
        return value
    CACHE_REQUESTS.labels(name, "miss").inc()
    value = build()
    _set(key, value, timeout)
    return value


def generations(names) -> dict[str, str] | None:
    """The current generation of each named group of keys, in one round trip; None when the cache cannot say.

    Bumping a generation orphans everything kept under the old one. A name never seen starts one of its own.
    None also while a bump this worker made could not be recorded, or while Redis refuses writes: every other
    worker's bump may be failing too, so nothing kept under a generation can be trusted (fail closed).
    """
    found = _fetch(names, [])
    return None if found is None else found[1]


def recall(key: str, names) -> tuple[object, dict[str, str]] | None:
    """The value kept under key (None when there is none) and the current generation of each name, read together
    in one round trip; None when the cache cannot say what changed, and then nothing kept may be used.

    The value names the generations it was built under, and holds while they are still the current ones.
    """
    found = recall_many([key], names)
    return None if found is None else (found[0][0].value, found[1])


class Found:
    """A value read from the cache, turned back into an object only when it is used."""

    def __init__(self, backend, raw: bytes | None) -> None:
        self._backend, self._raw = backend, raw

    @cached_property
    def value(self):
        return None if self._raw is None else _loaded(self._backend, self._raw)


class Held(Found):
    """A value the cache handed back as an object already."""

    def __init__(self, value) -> None:
        self.__dict__["value"] = value


def recall_many(keys: list[str], names) -> tuple[list[Found], dict[str, str]] | None:
    """`recall` for several keys at once: what is under each, in order, and the generations, in one round trip.

    Keys and names this request already read (`prefetch`, an earlier recall) are not asked for again."""
    return _fetch(names, keys)


def prefetch(keys: list[str], names) -> None:
    """Read keys and generations that this request's later recalls will ask for, in one round trip with those
    asked for first: each round trip costs more than the bytes it carries. Nothing when the cache cannot say."""
    _fetch(names, keys)


def _fetch(names, keys: list[str]) -> tuple[list, dict[str, str]] | None:
    store = _store()
    if not store.settled() or _unanswered():
        return None
    seen, held = _read_this_request(), _values_this_request()
    names = list(dict.fromkeys(names))
    wanted = [name for name in names if name not in seen]
    backend = cache.cache
    together = isinstance(store, RedisGenerations) and isinstance(backend, BaseRedisCache)
    unread = list(dict.fromkeys(key for key in keys if key not in held))
    if wanted or (together and unread):
        raw_keys = [backend._get_prefix() + key for key in unread] if together else []
        probe = _must_probe()
        fetched = store.read(wanted, raw_keys, probe=probe)
        if fetched is None:
            _note_unanswered()
            return None
        if probe:
            _probed()
        found, raws = fetched
        seen.update(found)
        if together:
            held.update(zip(unread, (Found(backend, raw) for raw in raws), strict=True))
    if not together:
        held.update((key, Held(_get(key))) for key in unread)
    return [held[key] for key in keys], {name: seen[name] for name in names}


def already_read(names) -> dict[str, str] | None:
    """The generations of names as this request already read them (no round trip); None unless it read them all
    since its last commit, so that what it then reads from the database is at least as new as they are."""
    read = _read_this_request()
    if not all(name in read for name in names):
        return None
    return {name: read[name] for name in names}


def _loaded(backend, raw):
    try:
        return backend.serializer.loads(raw)
    except Exception:  # noqa: BLE001 - an entry that cannot be read back is one that missed
        return None


def _must_probe() -> bool:
    """Whether this read must also prove that Redis takes writes: until a probe of this request was taken (one
    moment), every read carries one, so a read after a refused probe is refused too."""
    return not (has_request_context() and request.environ.get("tavern.probed"))


def _probed() -> None:
    if has_request_context():
        request.environ["tavern.probed"] = True


def _read_this_request() -> dict[str, str]:
    """Generations this request has read: a request sees one moment, and asks Redis for each name once."""
    if not has_request_context():
        return {}
    return request.environ.setdefault("tavern.generations", {})


def _values_this_request() -> dict[str, Found]:
    """Values this request has read, by key: kept under the generations read with them, so they go together."""
    if not has_request_context():
        return {}
    return request.environ.setdefault("tavern.values", {})


def _unanswered() -> bool:
    """Whether Redis already failed this request: it builds everything then, and waits on no further timeout."""
    return has_request_context() and request.environ.get("tavern.unanswered", False)


def _note_unanswered() -> None:
    if has_request_context():
        request.environ["tavern.unanswered"] = True


def _forget_values(keys) -> None:
    """A key this request writes is read afresh if it is asked for again."""
    if has_request_context():
        held = request.environ.get("tavern.values", {})
        for key in keys:
            held.pop(key, None)


def forget_read_generations() -> None:
    """After this request's own commit moved some, read them (and what was read with them) afresh."""
    if has_request_context():
        request.environ.pop("tavern.generations", None)
        request.environ.pop("tavern.values", None)


def _generation(name: str) -> str | None:
    found = generations([name])
    return None if found is None else found[name]


def bump(*names: str) -> None:
    """Start new generations for these names: whatever was cached under the old ones is never read again.

    When Redis does not take the write, this worker remembers the names, serves nothing cached and trusts no
    reference entry until a later attempt records them (see `generations`).
    """
    if names:
        _store().bump(names)
        forget_read_generations()


def _new_generation() -> str:
    return uuid.uuid4().hex[:12]


class RedisGenerations:
    """Generations in the shared Redis.

    A bump deletes the names, and the next reader starts each afresh (SET NX): a Redis that is full still takes
    deletions, so the bump is recorded even then. Every read also writes a probe in the same round trip: a Redis
    that answers reads but refuses writes (full, or a read-only replica) is refusing other workers' bumps too, so
    what it answers then cannot vouch for anything. A bump that Redis does not take at all is retried every
    second, and until it is recorded this worker vouches for nothing either.
    """

    RETRY_EVERY = 1.0  # seconds

    def __init__(self, client, prefix: str) -> None:
        self.client, self.prefix = client, prefix
        self._unrecorded: set[str] = set()
        self._retry: threading.Timer | None = None
        self._lock = threading.Lock()

    def _key(self, name: str) -> str:
        return f"{self.prefix}generation:{name}"

    def read(
        self, names: list[str], value_keys: list[str] = (), probe: bool = True
    ) -> tuple[dict[str, str], list[bytes | None]] | None:
        """The generations of names, and the raw values under value_keys, in one round trip."""
        keys = [self._key(name) for name in names]
        try:
            pipe = self.client.pipeline(transaction=False)
            if keys:
                pipe.mget(keys)
            if value_keys:
                pipe.mget(value_keys)
            if probe:
                pipe.set(f"{self.prefix}write-probe", "1", ex=60)
            answers = pipe.execute()
            values = answers[0] if keys else []
            raws = answers[1 if keys else 0] if value_keys else []
            missing = [index for index, value in enumerate(values) if value is None]
            if missing:  # never seen, or just bumped: the first reader starts it, the others read that one
                pipe = self.client.pipeline(transaction=False)
                started = {index: _new_generation() for index in missing}
                for index, generation in started.items():
                    pipe.set(keys[index], generation, nx=True, get=True)
                for index, existing in zip(missing, pipe.execute(), strict=True):
                    values[index] = existing if existing is not None else started[index].encode()
        except Exception:  # noqa: BLE001 - down, timing out, or refusing the probe: nothing can be vouched for
            log.warning("cache generations unavailable", extra={"event": "cache_error"})
            CACHE_REQUESTS.labels("generations", "unavailable").inc()
            return None
        return {name: value.decode() for name, value in zip(names, values, strict=True)}, raws

    def bump(self, names) -> None:
        # A bump on its way to Redis leaves the worker settled: the other threads' reads in that moment are the
        # same race as another worker's, and treating them as a failure made every one of them reload the
        # compendium. Only a bump Redis did not take unsettles the worker.
        if not self._delete(names):
            with self._lock:
                self._unrecorded.update(names)
            self._retry_later()

    def settled(self) -> bool:
        """True when every bump this worker made was recorded."""
        return not self._unrecorded

    def _delete(self, names) -> bool:
        try:
            self.client.delete(*(self._key(name) for name in names))
        except Exception:  # noqa: BLE001
            log.error("cache invalidation not recorded; serving nothing cached", extra={"event": "cache_error"})
            return False
        return True

    def _record(self) -> None:
        with self._lock:
            names = set(self._unrecorded)
        if not names:
            return
        if not self._delete(names):
            self._retry_later()
            return
        with self._lock:
            self._unrecorded -= names

    def _retry_now(self) -> None:
        with self._lock:
            self._retry = None
        self._record()

    def _retry_later(self) -> None:
        with self._lock:
            if self._retry is not None:
                return
            self._retry = threading.Timer(self.RETRY_EVERY, self._retry_now)
            self._retry.daemon = True
            self._retry.start()


class LocalGenerations:
    """Generations in this process, for a single process without Redis (the tests' in-process setup)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def read(self, names: list[str], value_keys: list[str] = (), probe: bool = True) -> tuple[dict[str, str], list]:
        with self._lock:
            return {name: self._values.setdefault(name, _new_generation()) for name in names}, [None] * len(value_keys)

    def bump(self, names) -> None:
        with self._lock:
            self._values.update({name: _new_generation() for name in names})

    def settled(self) -> bool:
        return True


def init_app(app) -> None:
    from webapp import redis_store

    client = redis_store.client_of(app)
    prefix = app.config.get("CACHE_KEY_PREFIX", "")
    app.extensions["generations"] = RedisGenerations(client, prefix) if client is not None else LocalGenerations()


def _store() -> RedisGenerations | LocalGenerations:
    return current_app.extensions["generations"]


def key_of(*parts) -> str:
    """A short, stable key for arbitrary parts (query strings can be long)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _generational(key: str, build: Callable[[], T], name: str, timeout: int | None = None) -> T:
    """`cached` for a key that embeds a generation: a bump makes the next reader build it again."""
    return cached(key, build, name=name, timeout=timeout)


def compendium_cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """Cache something built from one compendium kind until `invalidate_compendium(kind)` is called."""
    generation = _generation(f"compendium:{kind}")
    if generation is None:
        CACHE_REQUESTS.labels("compendium", "miss").inc()
        return build()
    return _generational(f"compendium:{kind}:{generation}:{key}", build, name="compendium")


def invalidate_compendium(kind: str) -> None:
    """Forget every cached list and page of this kind (the old keys expire on their own)."""
    bump(f"compendium:{kind}")


def gallery_cached(key: str, build: Callable[[], T]) -> T:
    """Cache something the public gallery shows until `invalidate_gallery()` is called (or a minute passes,
    for the writes no listener sees)."""
    generation = _generation("gallery")
    if generation is None:
        CACHE_REQUESTS.labels("gallery", "miss").inc()
        return build()
    return _generational(f"gallery:{generation}:{key}", build, name="gallery", timeout=60)


def invalidate_gallery() -> None:
    """Forget every cached copy of the gallery (a character, race, archetype or picture changed)."""
    bump("gallery")
