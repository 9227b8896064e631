"""Where every mart read goes: the one query seam and the per-snapshot cache.

Data functions call :func:`query` (or :func:`cursor`) and never take a query argument;
:func:`use` swaps the reader for a stand-in (the unit tests' hand-built warehouse), so a
test replaces one thing instead of patching each module. :func:`snapshot_cached` memoises
a read per serving snapshot: the marts never change within a snapshot, and a newly
published one has a new file name, so the cache can never serve stale figures. A stand-in
has its own key, so reads cached for it are never served for the live snapshot.

A published edition (``?edition=<label>`` on a page, its callbacks, its CSVs and its PDF) is
chosen here too: :func:`edition_label` reads it from the request (or :func:`showing` sets it
outside one), and every read then goes to that edition's read-only file, cached under the
file's own key. The dashboard opens editions read-only, like the serving snapshot.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from dashboard.data import snapshot
from scorecard.settings import load_settings
from warehouse import editions

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


# "" means "latest" explicitly (outside a request); None means "ask the request".
_explicit_edition: ContextVar[str | None] = ContextVar("explicit_edition", default=None)
_edition_readers: dict[Path, snapshot.FileReader] = {}
_edition_lock = threading.Lock()
_known: dict[tuple[Path, str], editions.Edition] = {}
EDITION_PARAM = "edition"
# Dash's callback and layout requests carry no query string: the page they serve is the
# Referer (the app sends Referrer-Policy: same-origin, so the browser sends it whole).
_CALLBACK_PATHS = ("/_dash-update-component", "/_dash-layout")


def _request_edition() -> str | None:
    from flask import has_request_context, request

    if not has_request_context():
        return None
    if EDITION_PARAM in request.args:
        return request.args.get(EDITION_PARAM) or None
    if request.path in _CALLBACK_PATHS and request.referrer:
        values = parse_qs(urlsplit(request.referrer).query).get(EDITION_PARAM)
        return values[0] if values and values[0] else None
    return None


def edition_label() -> str | None:
    """The published edition being shown (None: the latest figures)."""
    explicit = _explicit_edition.get()
    if explicit is not None:
        return explicit or None
    return _request_edition()


def edition_query() -> dict[str, str]:
    """The query parameter that keeps the edition shown in a link ({} for the latest)."""
    label = edition_label()
    return {EDITION_PARAM: label} if label else {}


def edition() -> editions.Edition | None:
    """The edition being shown; :class:`~.snapshot.UnknownEditionError` if the label names
    none."""
    label = edition_label()
    if label is None:
        return None
    settings = load_settings()
    found = _known.get((settings.home, label))
    if found is None:
        found = editions.get(settings, label)
    if found is not None:
        _known[(settings.home, label)] = found  # an edition never changes once published
    else:
        raise snapshot.UnknownEditionError(
            f"There is no published edition called '{label[:60]}'. Choose one from the "
            "edition list, or the latest figures."
        )
    return found


@contextmanager
def showing(label: str | None) -> Iterator[None]:
    """Read the edition ``label`` (None: the latest figures) until the block ends, whatever
    the request says (tests, and pages comparing an edition with the latest)."""
    token = _explicit_edition.set(label or "")
    try:
        yield
    finally:
        _explicit_edition.reset(token)


def edition_page(layout: F) -> F:
    """A page layout that reads the edition its address names (``edition=`` in the query,
    which Dash passes as an argument), whatever request renders it: the routing callback's
    own request carries no query string."""

    @functools.wraps(layout)
    def wrapper(*args: object, edition: object = None, **kwargs: object) -> object:
        label = edition if isinstance(edition, str) and edition else None
        with showing(label):
            return layout(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _edition_reader(found: editions.Edition) -> snapshot.FileReader:
    with _edition_lock:
        if found.file not in _edition_readers:
            _edition_readers[found.file] = snapshot.FileReader(found.file)
        return _edition_readers[found.file]


def reader() -> Reader:
    """The reader in use: a stand-in given to :func:`use`, else the chosen edition's file,
    else the live snapshot's."""
    if _standin is not None:
        return _standin.reader
    found = edition()
    return _edition_reader(found) if found is not None else snapshot.reader()


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
    found = edition()
    if found is not None:
        return ("edition", found.file)
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
