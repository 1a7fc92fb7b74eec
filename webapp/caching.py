"""Shared caches with named invalidation; a cache that fails is a cache that missed, never an error."""

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from webapp.extensions import cache
from webapp.observability import CACHE_REQUESTS

T = TypeVar("T")
log = logging.getLogger(__name__)

# A value stored under a generation never changes (a change bumps the generation and so the key), so each
# worker also keeps the latest ones it read: a hit then costs Redis one round trip (the generation), not two.
# Kept no longer than Redis keeps them, so what no listener invalidates is as fresh as before.
LOCAL_ENTRIES = 256
_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_lock = threading.Lock()


def _get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down, timeout) reads as a miss
        log.warning("cache read failed", extra={"event": "cache_error"})
        return None


def _set(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
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


def _generation(name: str) -> str | None:
    """The current generation of a named group of keys; bumping it orphans every key built with the old one."""
    key = f"generation:{name}"
    value = _get(key)
    if value is None:
        value = uuid.uuid4().hex[:12]
        try:
            cache.add(key, value, timeout=0)
            value = cache.get(key) or value
        except Exception:  # noqa: BLE001
            return None
    return value


def key_of(*parts) -> str:
    """A short, stable key for arbitrary parts (query strings can be long)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _generational(key: str, build: Callable[[], T], name: str, timeout: int | None = None) -> T:
    """`cached` for a key that embeds a generation, with this worker's copy in front of Redis.

    The copy is shared by the worker's requests: callers read what they get back and never change it.
    """
    max_age = timeout or current_app.config.get("CACHE_DEFAULT_TIMEOUT") or 300
    with _local_lock:
        held = _local.get(key)
        if held is not None and time.monotonic() - held[0] < max_age:
            _local.move_to_end(key)
            CACHE_REQUESTS.labels(name, "hit").inc()
            return held[1]
    value = cached(key, build, name=name, timeout=timeout)
    with _local_lock:
        _local[key] = (time.monotonic(), value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return value


def compendium_cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """Cache something built from one compendium kind until `invalidate_compendium(kind)` is called."""
    generation = _generation(f"compendium:{kind}")
    if generation is None:
        CACHE_REQUESTS.labels("compendium", "miss").inc()
        return build()
    return _generational(f"compendium:{kind}:{generation}:{key}", build, name="compendium")


def invalidate_compendium(kind: str) -> None:
    """Forget every cached list and page of this kind (the old keys expire on their own)."""
    _set(f"generation:compendium:{kind}", uuid.uuid4().hex[:12], timeout=0)


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
    _set("generation:gallery", uuid.uuid4().hex[:12], timeout=0)
