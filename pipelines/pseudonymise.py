"""Keyed pseudonyms for case identifiers (ARCHITECTURE decision 3).

Crime references and CPS URNs are replaced, as they are read, by HMAC-SHA256 under a
secret key from the environment. The same key on the police and CPS side keeps records
linkable; without the key the pseudonyms cannot be reversed or recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

import pandas as pd

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


def pseudonymise_series(key: bytes, series: pd.Series) -> pd.Series:
    """Replace each non-null value by its pseudonym (nulls stay null)."""
    base = hmac.new(key, digestmod=hashlib.sha256)
    cache: dict[str, str] = {}

    def one(value: str) -> str:
        out = cache.get(value)
        if out is None:
            h = base.copy()
            h.update(value.encode("utf-8"))
            out = cache[value] = h.hexdigest()
        return out

    return series.map(one, na_action="ignore")


def pseudonymise_frame(kind: str, frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """A copy of ``frame`` with the kind's identifier columns pseudonymised."""
    cols = IDENTIFIER_COLUMNS.get(kind, ())
    if not cols:
        return frame
    out = frame.copy()
    for col in cols:
        out[col] = pseudonymise_series(key, out[col]).astype(object)
        out[col] = out[col].where(out[col].notna(), None)
    return out
