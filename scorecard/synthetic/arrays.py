"""Small vectorised helpers: draw coded values with numpy, turn them into Arrow columns.

Generators work in integer codes (category index, -1 = empty) and integer days since
1970-01-01 (-1 = empty); only at the end are they turned into Arrow strings and dates,
which keeps a million-row force cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NONE = -1
FLAG = ("Y", "N")
YES, NO = 0, 1


def choice(rng: np.random.Generator, n: int, probs: Mapping[str, float]) -> np.ndarray:
    """Category indices drawn with the given (normalised) probabilities."""
    p = np.fromiter(probs.values(), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int16)


def flag(
    rng: np.random.Generator,
    n: int,
    p_yes: np.ndarray | float,
    p_recorded: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Y (0) with probability p_yes among recorded values, N (1), empty (-1) otherwise."""
    u = rng.random(n)
    out = np.where(rng.random(n) < p_yes, YES, NO).astype(np.int16)
    out[u >= p_recorded] = NONE
    return out


def gamma_days(
    rng: np.random.Generator, mean: np.ndarray | float, shape: float, n: int
) -> np.ndarray:
    """Whole days >= 0 from a gamma with the given mean (long right tail)."""
    return np.floor(rng.gamma(shape, np.asarray(mean) / shape, size=n)).astype(np.int64)


def enum_array(codes: np.ndarray, values: Sequence[str]) -> pa.Array:
    """Strings from category codes; -1 becomes null."""
    codes = np.asarray(codes)
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.array(list(values), type=pa.string()).take(idx)


def date_array(days: np.ndarray) -> pa.Array:
    """Arrow date32 from days since 1970-01-01; -1 becomes null."""
    days = np.asarray(days)
    return pa.array(days.astype(np.int32), mask=days < 0).cast(pa.date32())


def int_array(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int64), mask=mask)


def padded(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal strings."""
    return pc.utf8_lpad(
        pa.array(np.asarray(values).astype(np.int64)).cast(pa.string()), width=width, padding="0"
    )


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation of arrays and literals."""
    return pc.binary_join_element_wise(*parts, "")


def group_rank(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal (sorted) group values."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run_start


def group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each new (sorted) group value."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    before = np.r_[0, total[:-1]][starts]
    return total - np.repeat(before, np.diff(np.r_[starts, n]))
