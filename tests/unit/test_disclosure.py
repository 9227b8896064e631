"""Disclosure rules: the SQL rule and its Python twin agree, thresholds come from settings."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.metrics import disclosure

CASES = [
    # stat, numerator, denominator, value, expected reason (count_max 4, base_min 10)
    ("count", 0, None, 0, None),
    ("count", 1, None, 1, "small_count"),
    ("count", 4, None, 4, "small_count"),
    ("count", 5, None, 5, None),
    ("rate", 0, 9, 0.0, "small_base"),
    ("rate", 0, 10, 0.0, None),
    ("rate", 3, 100, 3.0, "small_count"),
    ("rate", 5, 10, 50.0, None),
    ("rate", 0, 0, None, None),
    ("mean", None, 9, 12.0, "small_base"),
    ("median", None, 10, 12.0, None),
]


@pytest.mark.parametrize(("stat", "num", "den", "value", "expected"), CASES)
def test_rule(stat, num, den, value, expected) -> None:
    assert disclosure.reason(stat, num, den, value, count_max=4, base_min=10) == expected
    sql = f"SELECT {disclosure.REASON_SQL} FROM (SELECT ? AS stat, ? AS numerator, " \
          "? AS denominator, ? AS value)"  # fmt: skip
    params = {"count_max": 4, "base_min": 10}
    con = duckdb.connect()
    got = con.execute(
        sql.replace("?", "$p_stat", 1).replace("?", "$p_num", 1).replace("?", "$p_den", 1)
        .replace("?", "$p_val", 1),
        {**params, "p_stat": stat, "p_num": num, "p_den": den, "p_val": value},
    ).fetchone()[0]  # fmt: skip
    assert got == expected


def test_thresholds_are_parameters() -> None:
    assert disclosure.reason("count", 6, None, 6, count_max=9, base_min=10) == "small_count"
    assert disclosure.reason("rate", 5, 12, 41.0, count_max=4, base_min=20) == "small_base"
