"""Exact mean and median per cell from histogram bars (value ``v`` seen ``n`` times).

The warehouse keeps ``dist`` facts as histogram bars (a grain: one value and how many facts
had it), so a cell's mean and median can be computed from its bars without the facts. This
module does that for many cells at once with one sort, giving exactly what DuckDB's
``avg()`` and ``median()`` would give over the facts themselves:

* median: the middle value, or for an even count ``lo + (hi - lo) * 0.5`` of the two middle
  values (DuckDB's interpolation for DOUBLE);
* mean: ``sum(v * n) / sum(n)``. Dist values are whole numbers (days, counts), so the sums are
  exact in any order and equal ``avg()``.

It replaced a SQL window over every bar of every cell (about 32M rows at 10x national volume,
60 s in DuckDB); sorting the bars here takes a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CellStats:
    """One entry per distinct cell, in ascending cell order."""

    cell: np.ndarray  # int64
    total: np.ndarray  # int64: facts in the cell
    mean: np.ndarray  # float64
    median: np.ndarray  # float64


def cell_stats(
    cell: np.ndarray, v: np.ndarray, n: np.ndarray, *, values_sorted: bool = False
) -> CellStats:
    """Mean and median of each cell's values, ``v[i]`` counted ``n[i]`` times.

    ``cell``: integer cell ids (any order, repeated per bar); ``n``: positive counts. Bars of
    the same cell and value may repeat (they are simply adjacent after sorting).
    ``values_sorted``: ``v`` is already ascending, so a stable sort by cell alone orders the
    bars (a linear-time radix sort when the cell ids are below 2**16).
    """
    cell = np.asarray(cell, dtype=np.int64)
    v = np.asarray(v, dtype=np.float64)
    n = np.asarray(n, dtype=np.int64)
    if not (len(cell) == len(v) == len(n)):
        raise ValueError("cell, v and n must have the same length")
    if len(cell) == 0:
        empty_i, empty_f = np.empty(0, np.int64), np.empty(0, np.float64)
        return CellStats(empty_i, empty_i, empty_f, empty_f)
    if np.isnan(v).any():
        raise ValueError("histogram values must not be NaN (NULL values are left out)")
    if (n <= 0).any():
        raise ValueError("histogram counts must be positive")
    if values_sorted:
        small = cell.min() >= 0 and cell.max() < 65536
        order = np.argsort(cell.astype(np.uint16) if small else cell, kind="stable")
    else:
        order = np.lexsort((v, cell))
    cs, vs, ns = cell[order], v[order], n[order]
    starts = np.flatnonzero(np.concatenate(([True], cs[1:] != cs[:-1])))
    cum = np.cumsum(ns)
    total = np.add.reduceat(ns, starts)
    before = cum[starts] - ns[starts]
    # The fact at 0-based position p of the cell's sorted values lies in the first bar whose
    # running count exceeds before + p.
    lo = vs[np.searchsorted(cum, before + (total - 1) // 2, side="right")]
    hi = vs[np.searchsorted(cum, before + total // 2, side="right")]
    median = np.where(total % 2 == 1, lo, lo + (hi - lo) * 0.5)
    mean = np.add.reduceat(vs * ns, starts) / total
    return CellStats(cs[starts], total, mean, median)
