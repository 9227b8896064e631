"""core.metric_cells: the metric fact grains summed to cells, with exact dist means and medians.

Three steps, one job: ``010_cell_grains.sql`` gives every grain integer keys; the dist grains'
histogram bars are streamed in key order (``012_cell_dist_bars.sql``) and each dist
cell's mean and median computed by :func:`warehouse.metrics.histogram.cell_stats`; then
``015_cells.sql`` sums the grains to cells and joins those statistics. DuckDB did the medians
itself before, with a window over every bar of every cell (about 32M rows and 60 s at 10x
national volume); the bars arrive here a batch at a time, so memory stays bounded too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import pairwise

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike

from warehouse.metrics.histogram import cell_stats
from warehouse.sql import mart_sql

log = logging.getLogger(__name__)

# Bars read per batch: about 40 bytes each in numpy, plus the sort's working copies.
BATCH_ROWS = 1_500_000
# Cell levels as 015_cells.sql numbers them, and the bars' organisation column for each
# (national has one organisation for every bar).
LEVELS: tuple[tuple[int, str | None], ...] = (
    (1, None),
    (2, "force_o"),
    (3, "area_o"),
    (4, "region_o"),
)
PERIOD_COLUMNS = ("q_p", "fy_p")
DISTS_SCHEMA = pa.schema([("cell", pa.int64()), ("mean_v", pa.float64()),
                          ("median_v", pa.float64())])  # fmt: skip


def cell_ids(lv: int, o: ArrayLike, k: ArrayLike, p: ArrayLike) -> np.ndarray:
    """The BIGINT that names a cell in 015_cells.sql: ((lv*2^16 + o)*2^24 + k)*2^16 + p."""
    o64, k64, p64 = (np.asarray(a, dtype=np.int64) for a in (o, k, p))
    return ((lv * 65536 + o64) * 16777216 + k64) * 65536 + p64


def dist_stats(bars: dict[str, np.ndarray], national_o: int) -> pa.Table:
    """Mean and median of every dist cell the bars reach, at each level and period kind.

    ``bars``: columns of 012_cell_dist_bars.sql, ordered by k then v, holding every bar of
    each key present (an organisation key of 0: no such level)."""
    k = np.asarray(bars["k"])
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    bounds = [*starts.tolist(), len(k)]
    n_periods = int(max(bars["q_p"].max(initial=0), bars["fy_p"].max(initial=0))) + 1
    parts: list[pa.Table] = []
    for a, b in pairwise(bounds):
        v, n = bars["v"][a:b], bars["n"][a:b]
        for lv, column in LEVELS:
            if column is None:
                o = np.full(b - a, national_o, dtype=np.int64)
            else:
                o = np.asarray(bars[column][a:b], dtype=np.int64)
            has = o > 0
            if not has.any():
                continue
            for p_column in PERIOD_COLUMNS:
                p = np.asarray(bars[p_column][a:b], dtype=np.int64)
                # Within one key a cell is (o, p): a small id, so the sort is a radix sort.
                local = (o * n_periods + p)[has]
                stats = cell_stats(local, v[has], n[has], values_sorted=True)
                cell = cell_ids(lv, stats.cell // n_periods, int(k[a]), stats.cell % n_periods)
                parts.append(pa.table({"cell": cell, "mean_v": stats.mean,
                                       "median_v": stats.median}, schema=DISTS_SCHEMA))  # fmt: skip
    return pa.concat_tables(parts) if parts else DISTS_SCHEMA.empty_table()


def _key_complete_batches(reader: pa.RecordBatchReader, min_rows: int) -> Iterator[pa.Table]:
    """The stream (ordered by k) as tables, each holding every row of its keys: once
    ``min_rows`` rows are pending, all but the last key's rows (it may go on) are yielded."""
    pending: list[pa.RecordBatch] = []
    rows = 0
    for batch in reader:
        pending.append(batch)
        rows += batch.num_rows
        if rows < min_rows:
            continue
        table = pa.Table.from_batches(pending)
        k = table.column("k").to_numpy()
        cut = int(np.searchsorted(k, k[-1], side="left"))  # the last key may go on
        if cut > 0:
            yield table.slice(0, cut)
            rest = table.slice(cut)
            pending, rows = rest.to_batches(), rest.num_rows
    if rows:
        yield pa.Table.from_batches(pending)


def build_cells(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build core.metric_cells from core.metric_facts."""
    con.execute(mart_sql("010_cell_grains.sql"))
    row = con.execute("SELECT o FROM cell_orgs WHERE org = 'national'").fetchone()
    national_o = int(row[0]) if row else 0
    reader = con.execute(mart_sql("012_cell_dist_bars.sql")).to_arrow_reader(BATCH_ROWS // 4)
    parts = []
    for table in _key_complete_batches(reader, BATCH_ROWS):
        bars = {name: table.column(name).to_numpy() for name in table.column_names}
        parts.append(dist_stats(bars, national_o))
    dists = pa.concat_tables(parts) if parts else DISTS_SCHEMA.empty_table()
    log.debug("dist cells: %d", dists.num_rows)
    con.register("cell_dists", dists)
    try:
        con.execute(mart_sql("015_cells.sql"))
    finally:
        con.unregister("cell_dists")
