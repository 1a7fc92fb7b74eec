"""URLs without url_for on every call: the URL map does not change while the app runs, so an endpoint's URL is
built once per process with markers for its ids, and each call puts its ids in their place (url_for costs more
than the rest of a row's markup, and a sheet names some thirty URLs)."""

import functools
from collections.abc import Callable

from flask import request, url_for

from webapp.pages import bp

MARKERS = tuple(f"00000000-0000-4000-8000-{index:012d}" for index in range(3))  # ids no row ever has


@functools.lru_cache(maxsize=1024)
def _pattern(script_root: str, endpoint: str, names: tuple[str, ...], values: tuple[tuple[str, str], ...]) -> str:
    return url_for(endpoint, **dict(zip(names, MARKERS, strict=False)), **dict(values))


@bp.app_template_global("page_url")
def page_url(endpoint: str, **ids) -> str:
    """`url_for(endpoint, **ids)` for ids that are UUIDs (or none)."""
    names = tuple(sorted(ids))
    url = _pattern(request.script_root, endpoint, names, ())
    for name, marker in zip(names, MARKERS, strict=False):
        url = url.replace(marker, str(ids[name]))
    return url


@bp.app_template_global("static_url")
def static_url(filename: str) -> str:
    """`url_for("static", filename=…)`, built once per file."""
    return _pattern(request.script_root, "static", (), (("filename", filename),))


def per_row(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """A function of a row's id giving `url_for(endpoint, **values, key=row id)`; values are ids too."""
    names = tuple(sorted({key, *values}))
    url = _pattern(request.script_root, endpoint, names, ())
    for name, marker in zip(names, MARKERS, strict=False):
        if name != key:
            url = url.replace(marker, str(values[name]))
    row_marker = MARKERS[names.index(key)]
    return lambda row_id: url.replace(row_marker, str(row_id))
