"""Rows of the disclosure-controlled ``mart.metric_values`` for the CLI export and the
dashboard's /api/metrics: one function, one column order, so every consumer sees the same
figures."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb

from scorecard import periods
from scorecard.csvsafe import rows_to_csv
from warehouse.metrics import catalogue

COLUMNS = ("level", "org_code", "period", "basis", "metric_id", "stat", "breakdown",
           "numerator", "denominator", "value", "suppressed", "lower_95", "upper_95",
           "lower_998", "upper_998", "position")  # fmt: skip
FORMATS = ("csv", "json")


class ExportError(ValueError):
    """A bad request (unknown level, malformed period, no warehouse)."""


def validate(level: str | None, period: str | None) -> None:
    if level is not None and level not in catalogue.LEVELS:
        raise ExportError(f"unknown level {level!r}; choose one of {', '.join(catalogue.LEVELS)}")
    if period is not None and not periods.is_valid(period):
        raise ExportError(
            f"period {period!r} is not a financial year (e.g. 2023-24) or quarter (2023-24-Q1)"
        )


def rows(
    con: duckdb.DuckDBPyConnection, level: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """Every metric value (optionally one level and/or period), in a stable order."""
    validate(level, period)
    cols = ", ".join(COLUMNS)
    cur = con.execute(
        f"SELECT {cols} FROM mart.metric_values "
        "WHERE (CAST(? AS VARCHAR) IS NULL OR level = ?) "
        "AND (CAST(? AS VARCHAR) IS NULL OR period = ?) "
        "ORDER BY level, org_code, period, basis, metric_id, stat, breakdown",
        [level, level, period, period],
    )
    return [dict(zip(COLUMNS, r, strict=True)) for r in cur.fetchall()]


def known_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT period FROM mart.metric_values ORDER BY period").fetchall()]  # fmt: skip


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def to_csv(data: list[dict[str, Any]]) -> str:
    """CSV through the product's one safe writer (text cells cannot become formulas)."""
    return rows_to_csv(
        COLUMNS, (["" if r[c] is None else _clean(r[c]) for c in COLUMNS] for r in data)
    )


def to_json(data: list[dict[str, Any]]) -> str:
    return json.dumps([{c: _clean(r[c]) for c in COLUMNS} for r in data], indent=1)


def render(data: list[dict[str, Any]], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose csv or json")
    return to_csv(data) if fmt == "csv" else to_json(data)


def source_path(snapshots_dir: Path, warehouse_path: Path, explicit: Path | None) -> Path:
    """The DuckDB file to read: --db, else the published snapshot, else the warehouse."""
    if explicit is not None:
        if not explicit.is_file():
            raise ExportError(f"no DuckDB file at {explicit}")
        return explicit
    snap = snapshots_dir / "current.duckdb"
    if snap.exists():
        return snap
    if warehouse_path.exists():
        return warehouse_path
    raise ExportError(
        f"no serving snapshot ({snap}) or warehouse ({warehouse_path}); run the pipeline first"
    )
