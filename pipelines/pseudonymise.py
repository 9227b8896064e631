"""Keyed pseudonyms for case identifiers (ARCHITECTURE decision 3).

Crime references and CPS URNs are replaced, as they are read, by HMAC-SHA256 under a
secret key from the environment. The same key on the police and CPS side keeps records
linkable; without the key the pseudonyms cannot be reversed or recomputed.

A frame's columns are hashed in an in-memory DuckDB (HMAC written out as two SHA-256 over
the key's inner and outer pads), vectorised and multi-threaded: Python's hmac over a
million identifiers took over a second per column. That database has no file and no
spill directory, so neither the key nor an identifier can reach a disk.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.read import arrow_text, text_series

log = logging.getLogger(__name__)

KEY_ENV = "SCORECARD_PSEUDONYM_KEY"
DEMO_ENV = "SCORECARD_DEMO"
DEMO_KEY = "demo-only-key-not-for-real-data"
MIN_KEY_LENGTH = 16

# Columns holding identifiers, per extract kind.
IDENTIFIER_COLUMNS: dict[str, tuple[str, ...]] = {
    "police_cases": ("crime_ref", "cps_urn"),
    "cps_cases": ("urn", "crime_ref"),
    "cps_action_plans": ("urn",),
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
        log.warning(
            "demo mode: using the built-in demo pseudonym key; never load real data like this"
        )
        return DEMO_KEY.encode("utf-8")
    raise MissingKeyError(
        f"{KEY_ENV} is not set. Set it to a secret of at least {MIN_KEY_LENGTH} characters "
        f"(the same on every run, or records will not link), or set {DEMO_ENV}=1 for "
        "synthetic data only."
    )


def pseudonym(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


_BLOCK = 64  # SHA-256 block size, as HMAC (RFC 2104) pads the key to it
_HMAC_SQL = "SELECT sha256($outer || unhex(sha256($inner || encode(v)))) AS p FROM identifiers"
_local = threading.local()


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104)."""
    k = hashlib.sha256(key).digest() if len(key) > _BLOCK else key
    k = k.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def _hasher() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB that may never spill to disk."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:", config={"temp_directory": ""})
        _local.con = con
    return con


def pseudonymise_arrow(key: bytes, values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """HMAC-SHA256 hex of each non-null string (nulls stay null), same as :func:`pseudonym`."""
    inner, outer = _pads(key)
    con = _hasher()
    con.register("identifiers", pa.table({"v": values}))
    try:
        result = con.execute(_HMAC_SQL, {"inner": inner, "outer": outer}).to_arrow_table()
    finally:
        con.unregister("identifiers")
    return result.column("p")


def pseudonymise_series(key: bytes, series: pd.Series) -> pd.Series:
    """Replace each non-null value by its pseudonym (nulls stay null)."""
    return text_series(pseudonymise_arrow(key, arrow_text(series)), index=series.index)


def pseudonymise_frame(kind: str, frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """A copy of ``frame`` with the kind's identifier columns pseudonymised.

    Only the identifier columns are new; the others share the reader's Arrow buffers.
    """
    cols = IDENTIFIER_COLUMNS.get(kind, ())
    if not cols:
        return frame
    out = frame.copy(deep=False)
    for col in cols:
        out[col] = text_series(pseudonymise_arrow(key, arrow_text(out[col])), index=out.index)
    return out
