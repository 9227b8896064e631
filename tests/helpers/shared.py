"""Made once per test run, even with two pytest-xdist workers: the generated nation and the
session's loaded and published homes are the suite's most expensive fixtures, so the first
worker to need one makes it (under a file lock) and the other takes a copy."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def worker() -> str | None:
    """This process's pytest-xdist worker id ('gw0', ...), or None when pytest runs alone."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def run_root(basetemp: Path) -> Path:
    """The folder every worker of this run shares: under xdist each worker's basetemp is
    <run>/popen-gwN; alone, the basetemp itself (its parent is shared between runs)."""
    return basetemp.parent if worker() else basetemp


@contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def once(root: Path, name: str, make: Callable[[Path], None]) -> Path:
    """``root/name`` made by ``make(folder)`` once per run, whichever worker asks first.

    ``make`` fills a temporary folder that is renamed into place only when it returns, so
    a worker that failed half-way leaves nothing another would take for finished (the mark
    that it is made sits beside it, so the folder holds only what ``make`` wrote)."""
    target, made = root / name, root / f"{name}.made"
    with locked(root / f"{name}.lock"):
        if not made.exists():
            tmp = root / f"{name}.partial"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(target, ignore_errors=True)
            tmp.mkdir(parents=True)
            make(tmp)
            tmp.rename(target)
            made.touch()
    return target
