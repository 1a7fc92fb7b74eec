"""Placeholder portraits: a deterministic SVG from race, archetype and initials, wherever no image is set."""

import colorsys
import functools
import hashlib
import math
from collections.abc import Callable
from html import escape

_VIEW = 100


def initials_for(name: str) -> str:
    """First and last word's first letters: "Brannoc the Bold" → "BB", "Ysolde" → "Y"; "?" for no letters."""
    words = [word for word in (name or "").split() if word[:1].isalnum()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


# A pure function of few inputs (races × archetypes × initials × sizes) that every card of every page calls:
# computed once per worker, not once per card.
@functools.lru_cache(maxsize=4096)
def portrait_svg(race: str | None, archetype: str | None, initials: str, size: int = 256) -> str:
    """An SVG document: the race picks the background colours, the archetype the emblem and its colour.

    The same inputs always give the same bytes. The initials (at most three characters) are escaped; the
    document has no scripts, no style attributes and no external references, so it is safe to inline.
    """
    race_hue = _hue(race)
    archetype_digest = _digest(archetype)
    top = _hsl(race_hue, 0.45, 0.42) if race else _hsl(215, 0.12, 0.45)
    bottom = _hsl(race_hue + 25, 0.50, 0.26) if race else _hsl(215, 0.14, 0.28)
    accent = _hsl(_hue(archetype), 0.55, 0.66) if archetype else _hsl(215, 0.10, 0.70)
    emblem = _EMBLEMS[archetype_digest[0] % len(_EMBLEMS)] if archetype else _EMBLEMS[0]
    gradient = "tp-" + hashlib.sha256(f"{race or ''}\x00{archetype or ''}".encode()).hexdigest()[:12]
    text = (initials or "?").strip()[:3] or "?"
    label = " ".join(part for part in ("Placeholder portrait", race, archetype) if part)
    font_size = {1: 42, 2: 35}.get(len(text), 28)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {_VIEW} {_VIEW}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<defs><linearGradient id="{gradient}" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        f"</linearGradient></defs>"
        f'<rect width="{_VIEW}" height="{_VIEW}" fill="url(#{gradient})"/>'
        f"{emblem(accent)}"
        f'<text x="50" y="52" text-anchor="middle" dominant-baseline="central" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-weight="700" '
        f'font-size="{font_size}" fill="#ffffff" stroke="{bottom}" stroke-width="1.2" paint-order="stroke">'
        f"{escape(text)}</text></svg>"
    )


def _digest(value: str | None) -> bytes:
    return hashlib.sha256((value or "").strip().casefold().encode()).digest()


def _hue(value: str | None) -> int:
    return int.from_bytes(_digest(value)[:2], "big") % 360


def _hsl(hue: float, saturation: float, lightness: float) -> str:
    red, green, blue = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _polygon(corners: int, radius: float, inner: float | None = None, turn: float = -90) -> str:
    """Points of a regular polygon (or a star, given an inner radius) around the centre."""
    steps = corners * 2 if inner else corners
    points = []
    for step in range(steps):
        r = inner if inner and step % 2 else radius
        angle = math.radians(turn + 360 * step / steps)
        points.append(f"{50 + r * math.cos(angle):.1f},{50 + r * math.sin(angle):.1f}")
    return " ".join(points)


def _ring(colour: str) -> str:
    return f'<circle cx="50" cy="50" r="33" fill="none" stroke="{colour}" stroke-width="5" opacity="0.6"/>'


def _outline(points: str) -> Callable[[str], str]:
    def draw(colour: str) -> str:
        return (
            f'<polygon points="{points}" fill="{colour}" fill-opacity="0.22" stroke="{colour}" '
            f'stroke-width="3" stroke-linejoin="round" opacity="0.8"/>'
        )

    return draw


def _shield(colour: str) -> str:
    return (
        f'<path d="M50 13 L81 23 V47 C81 69 66 81 50 89 C34 81 19 69 19 47 V23 Z" fill="{colour}" '
        f'fill-opacity="0.22" stroke="{colour}" stroke-width="3" stroke-linejoin="round" opacity="0.8"/>'
    )


_EMBLEMS = (
    _ring,
    _shield,
    _outline(_polygon(4, 38)),
    _outline(_polygon(6, 36, turn=0)),
    _outline(_polygon(5, 40, inner=17)),
    _outline(_polygon(3, 40)),
    _outline(_polygon(8, 37, inner=28)),
)
