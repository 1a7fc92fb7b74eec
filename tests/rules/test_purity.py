"""The rules package imports nothing but the standard library and itself."""

import ast
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "webapp" / "rules"
# secrets: dice are rolled on the server from the operating system's randomness (SPEC §9), so a GM can trust them.
ALLOWED = {"collections", "dataclasses", "enum", "math", "secrets", "typing"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_rules_module_is_pure(path: Path) -> None:
    for module in imported_modules(path):
        assert module.startswith("webapp.rules") or module.split(".")[0] in ALLOWED, module


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_rules_module_has_a_one_line_docstring(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring
    assert "\n" not in docstring
