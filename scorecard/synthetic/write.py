"""Write one extract file atomically, in the contract's column order.

A crash mid-write leaves only a hidden temporary file, never a half-written extract under
a valid name: the file is written beside its final name and renamed into place.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from scorecard.contract import KINDS, ExtractName


def extract_path(out: Path, kind: str, org: str, as_at: date, fmt: str) -> Path:
    return out / ExtractName(kind, org, as_at, fmt).filename


def write_extract(table: pa.Table, kind: str, org: str, as_at: date, out: Path, fmt: str) -> Path:
    """Write ``table`` as ``<kind>__<org>__<as_at>.<fmt>``; columns exactly the contract's."""
    columns = KINDS[kind].column_names
    if set(table.column_names) != set(columns):
        raise ValueError(
            f"{kind} table columns {sorted(table.column_names)} differ from the contract's"
        )
    table = table.select(list(columns))
    path = extract_path(out, kind, org, as_at, fmt)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "csv":
            # Dates as ISO text, cast once here so the file shows exactly YYYY-MM-DD.
            table = pa.table(
                {
                    name: col.cast(pa.string()) if pa.types.is_date(col.type) else col
                    for name, col in zip(table.column_names, table.columns, strict=True)
                }
            )
            _write_csv(table, tmp)
        elif fmt == "parquet":
            pq.write_table(table, tmp)
        else:
            raise ValueError(f"format must be csv or parquet, not {fmt!r}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_csv(table: pa.Table, path: Path) -> None:
    """Plain CSV: bare header, values unquoted unless one holds a comma, quote or newline.

    Arrow quotes every string (and the header) even in its "needed" style, which is noisier
    than what forces send; its "none" style refuses a value that would need quotes, and then
    the file is rewritten with RFC 4180 quoting.
    """
    header = (",".join(table.column_names) + "\n").encode("utf-8")
    for style in ("none", "needed"):
        try:
            with path.open("wb") as fh:
                fh.write(header)
                opts = pacsv.WriteOptions(include_header=False, quoting_style=style)
                pacsv.write_csv(table, fh, write_options=opts)
            return
        except pa.ArrowInvalid:
            if style == "needed":
                raise
