"""Where a refresh is, for a caller that shows it (``scorecard demo`` prints a line per stage).

The flow reports each stage and each file done, with the files' sizes, so a listener can
estimate what remains from what has been measured so far; nothing is reported when no one
listens, and a listener that fails never fails the refresh.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One report: ``stage`` is listing, files, build, publish or docs; for files, how many
    of how many are done and their bytes (the estimate's measure)."""

    stage: str
    done: int = 0
    total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


Listener = Callable[[Step], None]
_listeners: list[Listener] = []


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with every step reported while inside."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(step: Step) -> None:
    for listener in list(_listeners):
        try:
            listener(step)
        except Exception:  # showing progress must never stop a refresh
            log.debug("progress listener failed on %s", step, exc_info=True)


def stage(name: str) -> None:
    """A stage without parts of its own began (build, publish, docs)."""
    if _listeners:
        report(Step(name))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:  # refused or vanished: counts as a file, weighs nothing
        return 0


class Files:
    """The files stage: created with the files to process, told as each one is done."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._sizes = {p: _size(p) for p in paths} if _listeners else {}
        self._total = len(self._sizes)
        self._bytes_total = sum(self._sizes.values())
        self._done = self._bytes_done = 0
        self._report()

    def done(self, path: str) -> None:
        if not _listeners:
            return
        self._done += 1
        self._bytes_done += self._sizes.get(path, 0)
        self._report()

    def _report(self) -> None:
        if _listeners:
            report(Step("files", self._done, self._total, self._bytes_done, self._bytes_total))
