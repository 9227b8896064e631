"""Keyed pseudonyms for case identifiers (ARCHITECTURE decision 3).

Crime references and CPS URNs are replaced, as they are read, by HMAC-SHA256 under a
secret key from the environment. The same key on the police and CPS side keeps records
linkable; without the key the pseudonyms cannot be reversed or recomputed.

HMAC is computed in-process with ``hashlib``: the key's inner and outer SHA-256 states are
made once per call and copied per value. That is about three times cheaper in CPU than the
SQL HMAC in an in-memory DuckDB it replaces (issue 15; bench/hmac_bench.py measures both),
with identical output. Nothing is written anywhere, so neither the key nor an identifier
can reach a disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable

import pandas as pd
import pyarrow as pa

from pipelines.read import arrow_text, large_text, text_series

log = logging.getLogger(__name__)

KEY_ENV = "SCORECARD_PSEUDONYM_KEY"
DEMO_ENV = "SCORECARD_DEMO"
DEMO_KEY = "demo-only-key-not-for-real-data"
MIN_KEY_LENGTH = 16
DEMO_WARNING = (
    "demo mode: synthetic data only, pseudonymised with the built-in demo key; "
    "never load real extracts like this"
)
_demo_warned = False

# Columns holding identifiers, per extract kind.
IDENTIFIER_COLUMNS: dict[str, tuple[str, ...]] = {
    "police_cases": ("crime_ref", "cps_urn"),
    "cps_cases": ("urn", "crime_ref"),
    "cps_action_plans": ("urn",),
    "cps_court_outcomes": ("urn",),
}


class MissingKeyError(RuntimeError):
    pass


def demo_mode() -> bool:
    return os.environ.get(DEMO_ENV, "").lower() in {"1", "true", "yes"}


def load_key() -> bytes:
    """The pseudonym key; refuse to run without one unless in demo mode (and say so)."""
    key = os.environ.get(KEY_ENV, "")
    if key:
        if len(key) < MIN_KEY_LENGTH:
            raise MissingKeyError(f"{KEY_ENV} must be at least {MIN_KEY_LENGTH} characters long")
        return key.encode("utf-8")
    if demo_mode():
        global _demo_warned
        if not _demo_warned:  # once per process: the key is read for every file
            log.warning(DEMO_WARNING)
            _demo_warned = True
        return DEMO_KEY.encode("utf-8")
    raise MissingKeyError(
        f"{KEY_ENV} is not set. Set it to a secret of at least {MIN_KEY_LENGTH} characters "
        f"(the same on every run, or records will not link), or set {DEMO_ENV}=1 for "
        "synthetic data only."
    )


def pseudonym(key: bytes, value: str) -> str:
    """One value's pseudonym; the same rule as :func:`pseudonymise_arrow` (one definition)."""
    return _keyed(key)(value.encode("utf-8"))


_BLOCK = 64  # SHA-256 block size, as HMAC (RFC 2104) pads the key to it


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104)."""
    k = hashlib.sha256(key).digest() if len(key) > _BLOCK else key
    k = k.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def _keyed(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 hex under ``key``, its pads hashed once and their states copied per value.

    The pads are the costly, per-key part of HMAC; copying a SHA-256 state is cheap, so a
    column costs two short hashes per value (this is what ``hmac`` does, without its
    per-call set-up).
    """
    ipad, opad = _pads(key)
    inner, outer = hashlib.sha256(ipad), hashlib.sha256(opad)
    inner_copy, outer_copy = inner.copy, outer.copy

    def mac(value: bytes) -> str:
        h = inner_copy()
        h.update(value)
        o = outer_copy()
        o.update(h.digest())
        return o.hexdigest()

    return mac


def pseudonymise_arrow(key: bytes, values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """HMAC-SHA256 hex of each non-null string (nulls stay null), same as :func:`pseudonym`.

    Chunk by chunk, as UTF-8 bytes (a cast of the string buffers, no per-value encode).
    """
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    mac = _keyed(key)
    chunks = []
    for chunk in values.chunks:
        raw = chunk.cast(pa.large_binary()).to_pylist()
        chunks.append(pa.array([None if v is None else mac(v) for v in raw], pa.string()))
    return pa.chunked_array(chunks, pa.string())


def pseudonymise_series(key: bytes, series: pd.Series) -> pd.Series:
    """Replace each non-null value by its pseudonym (nulls stay null)."""
    return text_series(pseudonymise_arrow(key, arrow_text(series)), index=series.index)


def pseudonymise_frame(kind: str, frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """A copy of ``frame`` with the kind's identifier columns pseudonymised (a batch of one,
    :func:`pseudonymise_frames`)."""
    return pseudonymise_frames(kind, [frame], key)[0]


def pseudonymise_frames(kind: str, frames: list[pd.DataFrame], key: bytes) -> list[pd.DataFrame]:
    """Copies of a batch's ``frames`` (all of ``kind``) with the identifier columns
    pseudonymised, each column hashed in one pass over the whole batch.

    The files' Arrow chunks are put end to end without copying, hashed chunk by chunk
    (:func:`pseudonymise_arrow`, so the key's states are made once per column of the batch,
    not per file), and each file gets back exactly its own chunks. Only the identifier
    columns are new; the others share the reader's Arrow buffers.
    """
    cols = IDENTIFIER_COLUMNS.get(kind, ())
    if not cols:
        return list(frames)
    outs = [frame.copy(deep=False) for frame in frames]
    for col in cols:
        parts = [large_text(arrow_text(frame[col])) for frame in frames]
        batch = pa.chunked_array([c for part in parts for c in part.chunks], pa.large_string())
        hashed = pseudonymise_arrow(key, batch).chunks
        at = 0
        for out, part in zip(outs, parts, strict=True):
            mine = pa.chunked_array(hashed[at : at + part.num_chunks], pa.string())
            out[col] = text_series(mine, index=out.index)
            at += part.num_chunks
    return outs
