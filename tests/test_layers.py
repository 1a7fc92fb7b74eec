"""The layers hold: the import contracts in pyproject.toml pass and catch what they forbid, and every module of
webapp imports on its own, as a fresh interpreter would import it first."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]

# Preloads the third-party packages webapp imports (read from its source, never by importing it), then imports each
# webapp module in a child forked from that state: no webapp module is loaded before the one under test, as in a
# fresh interpreter, without paying for a whole interpreter per module.
IMPORT_EACH = r"""
import ast, importlib, os, sys, traceback
from pathlib import Path

root = Path(sys.argv[1])
modules, external = [], set()
for path in sorted((root / "webapp").rglob("*.py")):
    parts = path.relative_to(root).with_suffix("").parts
    modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            external.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            external.add(node.module)
for name in sorted(external):
    if name.split(".")[0] != "webapp":
        try:
            importlib.import_module(name)
        except ImportError:
            pass
assert not [name for name in sys.modules if name.split(".")[0] == "webapp"], "webapp was loaded too early"

failures, running = [], {}
def reap():
    pid, status = os.wait()
    module, read_end = running.pop(pid)
    report = os.read(read_end, 1 << 16).decode(errors="replace")
    os.close(read_end)
    if status != 0:
        failures.append(f"--- import {module}\n{report}")

for module in modules:
    while len(running) >= max(2, os.cpu_count() or 2):
        reap()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            importlib.import_module(module)
        except BaseException:
            os.write(write_end, traceback.format_exc().encode()[-60000:])
            os._exit(1)
        os._exit(0)
    os.close(write_end)
    running[pid] = (module, read_end)
while running:
    reap()
print(f"{len(modules)} modules imported, {len(failures)} failed")
print("\n".join(failures))
sys.exit(1 if failures else 0)
"""


def lint_imports(cwd: Path, *args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    command = [*LINT_IMPORTS, "--no-cache", "--no-logo", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("services/__init__.py", "from webapp.pages import render", "Services import neither pages, API nor sign-in"),
        ("pages/home.py", "from webapp.api import spec", "The pages and the API are independent"),
        ("rules/rounding.py", "import flask", "The rules are pure Python"),
        ("rules/rounding.py", "from webapp import models", "Each layer imports only the layers below it"),
        ("models/base.py", "from webapp.services import errors", "Each layer imports only the layers below it"),
        ("caching.py", "from webapp import character_views", "No cycle between the packages and modules"),
        ("gadgets.py", "", "Each layer imports only the layers below it"),  # a module outside every layer
    ],
)
def test_an_import_that_breaks_a_contract_is_caught(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "webapp", tmp_path / "webapp", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "webapp" / module
    source = target.read_text() if target.exists() else '"""A module nobody placed."""\n'
    target.write_text(source + line + "\n")

    result = lint_imports(tmp_path, pythonpath=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    rows = result.stdout.splitlines()
    assert any(row.startswith(contract) and " BROKEN" in row for row in rows), result.stdout
    checked = subprocess.run(
        [sys.executable, "-c", "import webapp; print(webapp.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert checked.startswith(str(tmp_path))  # the copy was checked, not the project


def test_every_module_of_webapp_imports_first_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, str(ROOT)], capture_output=True, text=True, timeout=300, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


@pytest.mark.parametrize("module", ["webapp.services.accounts", "webapp.services.moderation", "webapp.auth.routes"])
def test_a_service_imports_first_in_a_truly_fresh_interpreter(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
