"""Where every mart read goes: the one query seam and the per-snapshot cache.

Data functions call :func:`query` (or :func:`cursor`) and never take a query argument;
:func:`use` swaps the reader for a stand-in (the unit tests' hand-built warehouse), so a
test replaces one thing instead of patching each module. :func:`snapshot_cached` memoises
a read per serving snapshot: the marts never change within a snapshot, and a newly
published one has a new file name, so the cache can never serve stale figures. A stand-in
has its own key, so reads cached for it are never served for the live snapshot.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

import pandas as pd

from dashboard.data import snapshot

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., object])


class Reader(Protocol):
    """What a data function needs of the serving snapshot (:class:`~.snapshot.SnapshotReader`
    or a stand-in)."""

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame: ...

    def cursor(self) -> AbstractContextManager[Any]: ...


class _Standin:
    """A reader in use instead of the live snapshot, with its own cache key."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.key = object()  # fresh per use: never equal to another stand-in's or a file's


_standin: _Standin | None = None


def reader() -> Reader:
    """The reader in use: a stand-in given to :func:`use`, else the live snapshot's."""
    return _standin.reader if _standin is not None else snapshot.reader()


def query(sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a read-only query with bound parameters on the snapshot in use."""
    return reader().query(sql, params or [])


def cursor() -> AbstractContextManager[Any]:
    """A cursor on the snapshot in use, for helpers that take a connection."""
    return reader().cursor()


def snapshot_key() -> object:
    """What the cache is keyed by: the stand-in, else the live snapshot's file."""
    if _standin is not None:
        return _standin.key
    link = snapshot.reader().link
    return link.resolve() if link.exists() else None


@contextmanager
def use(stand_in: Reader) -> Iterator[Reader]:
    """Route every read to ``stand_in`` until the block ends (the test seam)."""
    global _standin
    before, _standin = _standin, _Standin(stand_in)
    try:
        yield stand_in
    finally:
        _standin = before


_CACHE_SIZE = 256
_cache: OrderedDict[tuple, object] = OrderedDict()
cache_lock = threading.Lock()


def snapshot_cached(fn: F) -> F:
    """Memoise a read per snapshot (see the module docstring); unhashable arguments read
    through."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        key = (fn.__module__, fn.__qualname__, snapshot_key(), args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return fn(*args, **kwargs)
        with cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        value = fn(*args, **kwargs)
        with cache_lock:
            _cache[key] = value
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return value

    return wrapper  # type: ignore[return-value]
