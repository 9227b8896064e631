"""The suite's own shape (issue 12): shared helpers live in tests/helpers/, so no test
module imports another test module (which would run its fixtures' module or tie the two
modules' order and grouping together)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TEST_PARTS = ("unit", "integration", "browser")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_imported_modules_sees_both_import_forms(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import tests.unit.test_x\nfrom tests.browser import test_y\n")
    assert {"tests.unit.test_x", "tests.browser.test_y"} <= imported_modules(f)


def test_no_test_module_imports_another() -> None:
    offenders = {
        f"{path.relative_to(TESTS)} imports {name}"
        for part in TEST_PARTS
        for path in sorted((TESTS / part).glob("*.py"))
        for name in imported_modules(path)
        if name.startswith(tuple(f"tests.{p}.test_" for p in TEST_PARTS))
    }
    assert not offenders, sorted(offenders)
