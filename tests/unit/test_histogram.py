"""Exact means and medians from histogram bars (warehouse.metrics.histogram) and the dist
cells built from them (warehouse.cells), against hand-worked values and DuckDB itself."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from warehouse import cells
from warehouse.metrics.histogram import cell_stats


def test_hand_worked_cells() -> None:
    # cell 7: 3, 1, 2 once each -> median 2, mean 2
    # cell 2: 1 once, 10 three times -> 1, 10, 10, 10: median 10, mean 31 / 4
    # cell 5: 4 twice, 1 once, 2 once -> 1, 2, 4, 4: median (2 + 4) / 2 = 3, mean 11 / 4
    cell = np.array([7, 2, 7, 5, 2, 7, 5, 5])
    v = np.array([3.0, 10.0, 1.0, 4.0, 1.0, 2.0, 1.0, 2.0])
    n = np.array([1, 3, 1, 2, 1, 1, 1, 1])
    out = cell_stats(cell, v, n)
    assert out.cell.tolist() == [2, 5, 7]
    assert out.total.tolist() == [4, 4, 3]
    assert out.median.tolist() == [10.0, 3.0, 2.0]
    assert out.mean.tolist() == [31 / 4, 11 / 4, 2.0]


def test_repeated_bars_of_one_value_add_up() -> None:
    out = cell_stats(np.array([1, 1, 1]), np.array([5.0, 5.0, 9.0]), np.array([1, 1, 1]))
    assert out.total.tolist() == [3]
    assert out.median.tolist() == [5.0]


@pytest.mark.parametrize("values_sorted", [False, True])
def test_equals_duckdb_median_and_avg_over_the_facts(values_sorted: bool) -> None:
    rng = np.random.default_rng(7)
    bars = 5000
    cell = rng.integers(0, 300, bars)
    v = rng.integers(-5, 400, bars).astype(float)
    n = rng.integers(1, 6, bars)
    if values_sorted:
        order = np.argsort(v, kind="stable")
        cell, v, n = cell[order], v[order], n[order]
    out = cell_stats(cell, v, n, values_sorted=values_sorted)

    con = duckdb.connect()
    con.register("facts", pa.table({"cell": np.repeat(cell, n), "v": np.repeat(v, n)}))
    ref = con.execute(
        "SELECT cell, count(*), median(v), avg(v) FROM facts GROUP BY cell ORDER BY cell"
    ).fetchnumpy()
    assert out.cell.tolist() == ref["cell"].tolist()
    assert out.total.tolist() == ref["count_star()"].tolist()
    assert out.median.tolist() == ref["median(v)"].tolist()  # exactly, not approximately
    assert out.mean.tolist() == ref["avg(v)"].tolist()


def test_large_cell_ids_with_sorted_values() -> None:
    cell = np.array([2**40, 3, 2**40, 3])
    v = np.array([1.0, 2.0, 3.0, 4.0])
    out = cell_stats(cell, v, np.ones(4, dtype=np.int64), values_sorted=True)
    assert out.cell.tolist() == [3, 2**40]
    assert out.median.tolist() == [3.0, 2.0]


def test_empty_input() -> None:
    out = cell_stats(np.array([], dtype=np.int64), np.array([]), np.array([], dtype=np.int64))
    assert len(out.cell) == len(out.median) == 0


@pytest.mark.parametrize(
    ("v", "n", "message"),
    [
        ([1.0, np.nan], [1, 1], "NaN"),
        ([1.0, 2.0], [1, 0], "positive"),
        ([1.0], [1, 1], "same length"),
    ],
)
def test_bad_input_is_refused(v: list[float], n: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cell_stats(np.array([1, 1]), np.array(v), np.array(n))


def test_cell_ids_match_the_sql_formula() -> None:
    ids = cells.cell_ids(3, np.array([5]), np.array([70000]), np.array([12]))
    assert ids.tolist() == [((3 * 65536 + 5) * 16777216 + 70000) * 65536 + 12]


def test_dist_stats_per_level_and_period() -> None:
    # One key (k=4), national o=1; two forces (o=2, 3) in one region (o=9); no cps_area level.
    # Quarters p=10, 11 in financial year p=20. Bars ordered by value, as the SQL gives them.
    bars = {
        "k": np.array([4, 4, 4, 4], dtype=np.int32),
        "q_p": np.array([10, 11, 10, 11], dtype=np.int32),
        "fy_p": np.array([20, 20, 20, 20], dtype=np.int32),
        "force_o": np.array([2, 3, 3, 2], dtype=np.int32),
        "area_o": np.zeros(4, dtype=np.int32),
        "region_o": np.array([9, 9, 9, 9], dtype=np.int32),
        "v": np.array([1.0, 2.0, 5.0, 8.0]),
        "n": np.array([1, 2, 1, 1], dtype=np.int64),
    }
    got = cells.dist_stats(bars, national_o=1).to_pydict()
    table = dict(zip(got["cell"], zip(got["mean_v"], got["median_v"], strict=True), strict=True))

    def stats(lv: int, o: int, p: int) -> tuple[float, float]:
        return table[int(cells.cell_ids(lv, np.array([o]), np.array([4]), np.array([p]))[0])]

    assert stats(1, 1, 20) == ((1 + 2 * 2 + 5 + 8) / 5, 2.0)  # 1 2 2 5 8
    assert stats(1, 1, 10) == (3.0, 3.0)  # 1 5
    assert stats(2, 2, 20) == (4.5, 4.5)  # force 2: 1 8
    assert stats(2, 3, 11) == (2.0, 2.0)  # force 3, second quarter: 2 2
    assert stats(4, 9, 20) == stats(1, 1, 20)  # the region holds every bar
    # national, region 9, force 2 and force 3: two quarters and the year each; no cps_area
    assert len(table) == 4 * 3


def test_stream_batches_hold_whole_keys() -> None:
    keys = [1, 1, 2, 2, 2, 3, 4, 4, 4, 4, 5]
    batches = [pa.record_batch({"k": pa.array(keys[i : i + 2], pa.int32())})
               for i in range(0, len(keys), 2)]  # fmt: skip
    reader = pa.RecordBatchReader.from_batches(batches[0].schema, batches)
    out = [t.column("k").to_pylist() for t in cells._key_complete_batches(reader, 3)]
    assert [k for t in out for k in t] == keys
    for i, t in enumerate(out):  # no key is split between two tables
        assert not set(t) & {k for other in out[i + 1 :] for k in other}
    assert len(out) > 1  # it does not wait for the end of the stream
