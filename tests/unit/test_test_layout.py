"""Test modules never import each other: what several of them share lives in tests/fixtures (helpers and
fixtures registered as pytest plugins by tests/conftest.py), so moving or deleting one test module cannot
break another, and no fixture is shadowed by an import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def cross_imports(root: Path) -> list[str]:
    """Every (importing file, imported test module or conftest) pair under `root`."""
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for module in _imported_modules(path):
            last = module.rsplit(".", 1)[-1]
            if module.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                offenders.append(f"{path.relative_to(root)} imports {module}")
    return offenders


def test_no_test_module_imports_another_test_module_or_a_conftest():
    assert cross_imports(TESTS) == []


def test_no_fixture_is_shadowed_by_an_import():
    marker = "noqa: " + "F811"  # spelt in two parts so this file does not find itself
    shadowed = [str(p.relative_to(TESTS)) for p in TESTS.rglob("*.py") if marker in p.read_text()]
    assert shadowed == []


def test_the_checker_finds_a_cross_import(tmp_path):
    (tmp_path / "test_a.py").write_text("from tests.integration.test_b import helper\n")
    (tmp_path / "test_c.py").write_text("def f():\n    from tests.conftest import PASSWORD\n")
    (tmp_path / "test_d.py").write_text("from tests.fixtures.org import login\n")
    assert cross_imports(tmp_path) == [
        "test_a.py imports tests.integration.test_b",
        "test_c.py imports tests.conftest",
    ]
