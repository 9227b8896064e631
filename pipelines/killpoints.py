"""Named crash points: a test hook for the crash-safety tests, inert unless asked for.

The refresh calls :func:`checkpoint` at the places where a crash matters (after listing,
inside a load, between files, around the build and inside publish). When the environment
says ``SCORECARD_TEST_KILL_AT=<name>`` (or ``<name>@<n>`` for the n-th time it is reached)
the process SIGKILLs itself exactly there, so a test can crash a real refresh at a chosen
point instead of at a random moment. Unset (always, outside tests) it is one dict lookup.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

ENV = "SCORECARD_TEST_KILL_AT"

# Every point the pipeline names, in the order a refresh reaches them.
POINTS = (
    "listed",  # sources listed, nothing pulled yet
    "load:rows-inserted",  # inside a batch's load transaction (all its rows in), uncommitted
    "file:loaded",  # a batch's extracts committed, this file's run_files row not yet written
    "file:done",  # a file fully recorded (and quarantined if rejected), before the next
    "build:start",  # before core and marts are rebuilt
    "build:done",  # core and marts built, nothing published
    "publish:writing",  # the new snapshot file half written (.tmp and its .wal on disk)
    "publish:tmp-written",  # the new snapshot sealed as .tmp, not yet renamed
    "publish:renamed",  # the new snapshot under its final name, pointer not switched
    "publish:switched",  # the pointer switched, the run not yet recorded as finished
)

_reached: dict[str, int] = {}


def checkpoint(name: str) -> None:
    """SIGKILL this process here if the test hook names this point (see module docstring)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] >= int(nth or 1):
        log.warning("test hook %s=%s: killing this process", ENV, wanted)
        os.kill(os.getpid(), signal.SIGKILL)
