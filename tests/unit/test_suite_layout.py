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


def make_test_dist() -> list[str]:
    """The pytest-xdist options `make test` runs with (from the Makefile's test target)."""
    line = next(
        ln for ln in (TESTS.parent / "Makefile").read_text().splitlines() if "/pytest " in ln
    )
    words = line.split()
    i = words.index("-n")
    reorder = [w for w in words if w.endswith("loadscope-reorder")]
    return words[i : i + 2] + words[words.index("--dist") : words.index("--dist") + 2] + reorder


def test_make_test_keeps_each_module_on_one_worker_with_one_module_fixture(
    tmp_path: Path,
) -> None:
    """Under `make test`'s distribution, each module's tests run on one worker and its module
    fixture is made once (pytest-xdist 3.8's loadgroup silently split modules under pytest
    9.2, which made the suite's most expensive module fixtures twice)."""
    import subprocess
    import sys

    log = tmp_path / "made.log"
    for name in ("a", "b", "c"):
        (tmp_path / f"test_mod_{name}.py").write_text(
            "import os, pytest\n"
            "@pytest.fixture(scope='module')\n"
            "def made():\n"
            f"    with open({str(log)!r}, 'a') as fh:\n"
            f"        fh.write('{name} ' + os.environ.get('PYTEST_XDIST_WORKER', '-') + '\\n')\n"
            "@pytest.mark.parametrize('n', range(6))\n"
            "def test_it(made, n):\n"
            f"    with open({str(log)!r}, 'a') as fh:\n"
            f"        fh.write('{name}-test ' + os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n"
        )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         *make_test_dist(), "-c", "/dev/null", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [ln.split() for ln in log.read_text().splitlines()]
    for name in ("a", "b", "c"):
        assert sum(1 for what, _ in lines if what == name) == 1, f"module {name} fixture"
        assert len({w for what, w in lines if what == f"{name}-test"}) == 1, f"module {name}"


def test_the_modules_named_in_the_schedule_exist() -> None:
    """A renamed module would silently lose its place in tests/helpers/schedule.py."""
    from tests.helpers.schedule import COST

    missing = [m for m in COST if not (TESTS / m).is_file()]
    assert not missing, missing


def test_the_schedule_puts_expensive_modules_first_and_keeps_modules_whole() -> None:
    from tests.helpers.schedule import COST, PER_TEST, cost_order

    listed = max(COST, key=COST.__getitem__)
    many = int(COST[listed] / PER_TEST) + 10  # an unlisted module with more tests costs more
    ids = [f"tests/unit/test_small.py::t{i}" for i in range(3)]
    ids += [f"tests/{listed}::t[{i}]" for i in range(2)]
    ids += [f"tests/unit/test_many.py::t{i}" for i in range(many)]
    place = cost_order(ids)
    assert place == {"unit/test_many.py": 0, listed: 1, "unit/test_small.py": 2}


def test_make_test_hands_out_modules_in_the_suites_order() -> None:
    """Without --no-loadscope-reorder pytest-xdist re-sorts modules by test count, undoing
    the schedule (the one-test server modules would run last again)."""
    assert "--no-loadscope-reorder" in make_test_dist()
