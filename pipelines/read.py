"""Read one extract file (CSV, Parquet or XLSX) into a normalised frame of strings.

Validation (Great Expectations) runs on this frame before anything is written, so the
reader never drops or coerces a bad value: it only trims whitespace, turns empty cells
into nulls, lower-cases enumerations and flags (the contract makes them case-insensitive),
and renders dates and numbers from typed formats (Parquet, XLSX) in the contract's text
form. ``row_no`` is the data row number (1 = first row after the header), which is what
rejection reports cite instead of identifiers.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from scorecard.contract import KINDS, ContractError, ExtractKind

log = logging.getLogger(__name__)

ROW_NO = "row_no"
_LOWER_TYPES = {"enum", "flag", "org_code"}
_EXCEL_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$")
_WHOLE_FLOAT = re.compile(r"^(-?\d+)\.0+$")


# Parser messages may echo a line of the file ("Expected 7 columns, got 3: a,b,c"); a line
# can hold identifiers, so everything after the column counts is dropped.
_ECHOED_LINE = re.compile(r"(Expected \d+ columns?, got \d+)\s*:.*", re.DOTALL)


def _safe(exc: Exception) -> str:
    return _ECHOED_LINE.sub(r"\1", str(exc)).replace("\n", " ")[:300]


def _read_csv_bytes(data: bytes, kind: ExtractKind) -> pa.Table:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError(
            "file.readable", f"not valid UTF-8 at byte {exc.start} (save the file as UTF-8)"
        ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header_line = data.split(b"\n", 1)[0].decode("utf-8").strip("\r")
    if not header_line.strip():
        raise ContractError("file.header", "the file has no header row")
    try:
        names = list(pd.read_csv(io.StringIO(header_line + "\n"), dtype=str, nrows=0).columns)
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pd.errors.ParserError) as exc:
        raise ContractError("file.readable", f"not a readable CSV file: {_safe(exc)}") from None
    return table


def _read_table(path: Path, data: bytes, kind: ExtractKind) -> pa.Table:
    ext = path.suffix.lower().lstrip(".")
    if ext == "csv":
        return _read_csv_bytes(data, kind)
    if ext == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(io.BytesIO(data))
        except (pa.ArrowInvalid, OSError) as exc:
            raise ContractError(
                "file.readable", f"not a readable Parquet file: {_safe(exc)}"
            ) from None
    if ext == "xlsx":
        try:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a corrupt workbook
            raise ContractError(
                "file.readable", f"not a readable XLSX file: {type(exc).__name__}"
            ) from None
        return pa.Table.from_pandas(
            frame.astype(object).where(frame.notna(), None), preserve_index=False
        )
    raise ContractError("file.name", f"extension {ext!r} is not csv, parquet or xlsx")


def _as_text(value: Any) -> str | None:
    """Render a cell in the contract's text form (dates ISO, whole numbers without .0)."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = value.isoformat()
        m = _EXCEL_MIDNIGHT.match(text)
        return m[1] if m else text
    text = str(value).strip()
    if text == "":
        return None
    m = _EXCEL_MIDNIGHT.match(text)
    return m[1] if m else text


def normalise(table: pa.Table, kind: ExtractKind) -> pd.DataFrame:
    """Contract columns as object-dtype strings (None for empty) plus ``row_no``."""
    present = {name.strip().lower(): name for name in table.column_names}
    missing = [c for c in kind.column_names if c not in present]
    if missing:
        raise ContractError("file.header", f"header lacks contract column(s): {', '.join(missing)}")
    if table.num_rows == 0:
        raise ContractError("file.not_empty", "the file has a header but no rows")
    out: dict[str, Any] = {ROW_NO: range(1, table.num_rows + 1)}
    for col in kind.columns:
        arr = table.column(present[col.name])
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            series = pd.Series(arr.to_pylist(), dtype=object)
            series = series.str.strip()
            series = series.where(series != "", None)
        else:
            series = pd.Series([_as_text(v) for v in arr.to_pylist()], dtype=object)
        if col.type in _LOWER_TYPES:
            series = series.str.lower()
        if col.type in {"integer", "number", "date"}:
            series = series.map(_as_text, na_action="ignore")
        out[col.name] = series.astype(object).where(series.notna(), None)
    return pd.DataFrame(out)


def read_extract(path: str | Path, kind: str, data: bytes | None = None) -> pd.DataFrame:
    """Read ``path`` (or the given bytes) as an extract of ``kind``; raise ContractError."""
    p = Path(path)
    spec = KINDS[kind]
    raw = p.read_bytes() if data is None else data
    frame = normalise(_read_table(p, raw, spec), spec)
    log.debug("read %s: %d rows", p.name, len(frame))
    return frame
