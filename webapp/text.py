"""What text people send may hold: no NUL or other control characters, tabs and line breaks only where text has
lines, and JSON nested a few levels at most. Pure functions, shared by every way input arrives."""

import json
from collections.abc import Iterator
from typing import Any

from webapp.rules.violations import Violation

# Fields whose text has lines (textareas, Markdown notes, a pasted document); every other text is one line.
TEXT_WITH_LINES = frozenset({"description", "bio", "body", "document"})
LINE_BREAKS = frozenset("\t\n\r")
MAX_JSON_DEPTH = 32  # the deepest body any operation takes is four levels


# The same rule as a JSON Schema `pattern` (ECMAScript and Python read it alike), for the OpenAPI document.
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f]*$"
LINES_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"


class TooDeep(ValueError):
    """A JSON document nests deeper than MAX_JSON_DEPTH."""


def refusal(value: str, *, lines: bool = False) -> str | None:
    """Why `value` can't be accepted as text, or None when it can.

    Refused: any C0 control character (NUL included) and DEL; tab, line feed and carriage return only when
    the text has `lines`.
    """
    for position, char in enumerate(value, start=1):
        if char < " " or char == "\x7f":
            if lines and char in LINE_BREAKS:
                continue
            if char in LINE_BREAKS:
                return "Keep this on one line."
            return f"Remove the invisible control character U+{ord(char):04X} (at position {position})."
    return None


def pattern(field: str) -> str:
    """The `pattern` of what `refusal` lets through for this field."""
    return LINES_PATTERN if has_lines(field) else ONE_LINE_PATTERN


def has_lines(field: str) -> bool:
    """Whether the field's text may hold tabs and line breaks: its last named part says (`rules.description`)."""
    named = [part for part in field.split(".") if not part.isdigit()]
    return bool(named) and named[-1] in TEXT_WITH_LINES


def violations_in(data: Any, field: str = "") -> list[Violation]:
    """One violation per refused text anywhere in a decoded JSON document (keys too), named by its path."""
    found = []
    for path, text in _texts(data, field):
        message = refusal(text, lines=has_lines(path))
        if message is not None:
            found.append(Violation(path or "body", message))
    return found


def _texts(data: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in the document (keys too) with its dotted path, in document order; iterative, so no
    document is too deep to walk."""
    stack = [(path, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict | list):
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            children = []
            for key, inner in pairs:
                inner_path = f"{path}.{key}" if path else str(key)
                if isinstance(value, dict):
                    children.append((inner_path, str(key)))
                children.append((inner_path, inner))
            stack.extend(reversed(children))


def decode_json(raw: bytes | str) -> Any:
    """Parse JSON; ValueError when it is not JSON (NaN and Infinity are not), TooDeep when it nests deeper than
    MAX_JSON_DEPTH."""
    try:
        data = json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused.") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused.")
    return data


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number.")


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((inner, depth + 1) for inner in value)
    return deepest
