"""Read one extract file (CSV, Parquet or XLSX) into a normalised frame of strings.

Validation (Great Expectations) runs on this frame before anything is written, so the
reader never drops or coerces a bad value: it only trims whitespace, turns empty cells
into nulls, lower-cases enumerations and flags (the contract makes them case-insensitive),
and renders dates and numbers from typed formats (Parquet, XLSX) in the contract's text
form. ``row_no`` is the data row number (1 = first row after the header), which is what
rejection reports cite instead of identifiers.

The text columns stay in Arrow memory (pandas' pyarrow-backed ``str`` dtype, missing =
NaN) and are normalised with Arrow compute kernels: a national extract of a million rows
as Python string objects took seconds to build and gigabytes to hold.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from scorecard.contract import KINDS, ContractError, ExtractKind

if TYPE_CHECKING:
    from pipelines.sources import Limits

log = logging.getLogger(__name__)


def _use_jemalloc() -> None:
    """Make jemalloc Arrow's allocator for this process (unless ARROW_DEFAULT_MEMORY_POOL says).

    pyarrow's default, mimalloc, spent 9 s of system time page-faulting while reading one
    146 MB extract (2 s of CPU in all with jemalloc) and left a higher peak RSS; jemalloc
    also hands freed pages back to the OS after a short decay, which keeps memory bounded
    between files.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError):
        log.debug("pyarrow has no jemalloc; keeping %s", pa.default_memory_pool().backend_name)


_use_jemalloc()

ROW_NO = "row_no"
# pandas' Arrow-backed string dtype with NaN for missing (pandas 3's default ``str``): masks
# built from it are plain numpy booleans, which GX's row conditions need.
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
_LOWER_TYPES = {"enum", "flag", "org_code"}
_EXCEL_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$")
_EXCEL_MIDNIGHT_RE2 = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$"
# What Python's str.strip() removes from ASCII text (str.isspace), for Arrow's ascii_trim.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


# Parser messages may echo a line of the file ("Expected 7 columns, got 3: a,b,c"); a line
# can hold identifiers, so everything after the column counts is dropped.
_ECHOED_LINE = re.compile(r"(Expected \d+ columns?, got \d+)\s*:.*", re.DOTALL)


def _safe(exc: Exception) -> str:
    return _ECHOED_LINE.sub(r"\1", str(exc)).replace("\n", " ")[:300]


def _check_utf8(data: bytes, ascii_only: bool | None = None) -> None:
    """Raise file.readable naming the first bad byte; validated in C, decoded only on error.

    Arrow validates the bytes in place (no copy of the file); ASCII, the usual case, is
    valid UTF-8 and needs no check at all.
    """
    if data.isascii() if ascii_only is None else ascii_only:
        return
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError(
                "file.readable", f"not valid UTF-8 at byte {exc.start} (save the file as UTF-8)"
            ) from None


def _read_csv_bytes(data: bytes, kind: ExtractKind, ascii_only: bool | None = None) -> pa.Table:
    _check_utf8(data, ascii_only)
    # Only the header line is copied out; the CSV reader reads the file's bytes in place.
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    header_line = data[start : len(data) if end < 0 else end].decode("utf-8").strip("\r")
    buffer = pa.py_buffer(data).slice(start)
    if not header_line.strip():
        raise ContractError("file.header", "the file has no header row")
    try:
        names = list(pd.read_csv(io.StringIO(header_line + "\n"), dtype=str, nrows=0).columns)
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pd.errors.ParserError) as exc:
        raise ContractError("file.readable", f"not a readable CSV file: {_safe(exc)}") from None
    return table


def _too_many_rows(rows: int, limits: Limits) -> ContractError:
    return ContractError(
        "file.rows",
        f"{rows:,} rows is more than the limit of {limits.max_rows:,} (SCORECARD_MAX_ROWS)",
    )


def _too_big_unpacked(size: int, limits: Limits) -> ContractError:
    mb = limits.max_uncompressed // (1024 * 1024)
    return ContractError(
        "file.uncompressed",
        f"the content unpacks to {size / 1024 / 1024:,.0f} MB, more than {mb} MB "
        "(SCORECARD_MAX_UNCOMPRESSED_MB)",
    )


def _check_xlsx_size(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose members unpack past the limit, before openpyxl inflates it.

    A 10 MB .xlsx can hold a 1 GB sheet (a zip bomb); the zip directory states each
    member's size, and zipfile never inflates a member past its stated size.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ContractError(
            "file.readable", f"not a readable XLSX file: {type(exc).__name__}"
        ) from None
    if total > limits.max_uncompressed:
        raise _too_big_unpacked(total, limits)


def _check_parquet_size(data: bytes, limits: Limits) -> None:
    """Refuse a Parquet file whose footer says it holds too many rows or unpacks too big."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except (pa.ArrowInvalid, OSError) as exc:
        raise ContractError("file.readable", f"not a readable Parquet file: {_safe(exc)}") from None
    if meta.num_rows > limits.max_rows:
        raise _too_many_rows(meta.num_rows, limits)
    total = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if total > limits.max_uncompressed:
        raise _too_big_unpacked(total, limits)


def _read_table(
    path: Path,
    data: bytes,
    kind: ExtractKind,
    ascii_only: bool | None = None,
    limits: Limits | None = None,
) -> pa.Table:
    ext = path.suffix.lower().lstrip(".")
    if ext == "csv":
        return _read_csv_bytes(data, kind, ascii_only)
    if ext == "parquet":
        import pyarrow.parquet as pq

        if limits is not None:
            _check_parquet_size(data, limits)
        try:
            return pq.read_table(io.BytesIO(data))
        except (pa.ArrowInvalid, OSError) as exc:
            raise ContractError(
                "file.readable", f"not a readable Parquet file: {_safe(exc)}"
            ) from None
    if ext == "xlsx":
        if limits is not None:
            _check_xlsx_size(data, limits)
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


def _char_bytes(arr: pa.ChunkedArray) -> list[np.ndarray]:
    """Each chunk's character bytes (its cells end to end) as views: nothing is copied."""
    out = []
    for chunk in arr.chunks:
        offsets_buf, data = chunk.buffers()[1:3]
        if len(chunk) == 0 or data is None:
            continue
        offsets = np.frombuffer(offsets_buf, dtype=np.int64)
        first, last = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        out.append(np.frombuffer(data, dtype=np.uint8)[first:last])
    return out


def _may_need_trim(arr: pa.ChunkedArray) -> bool:
    """False when no cell of a large_string column holds a byte <= 0x20.

    Every character ``_ASCII_SPACE`` lists is such a byte, so a column without one (most
    codes, enumerations and dates) is already trimmed; finding the smallest byte reads
    the column in place instead of writing a trimmed copy of it.
    """
    return any(int(b.min()) <= 0x20 for b in _char_bytes(arr) if len(b))


def _may_have(arr: pa.ChunkedArray, low: int, high: int) -> bool:
    """False when no cell of a large_string column holds a byte in [low, high]."""
    return any(bool(((b >= low) & (b <= high)).any()) for b in _char_bytes(arr))


def _text_column(
    arr: pa.ChunkedArray, col_type: str, ascii_only: bool, csv: bool = False
) -> pa.ChunkedArray:
    """One column in the contract's text form, computed in Arrow (no Python objects).

    ``ascii_only`` (the whole file is ASCII, the usual case) picks Arrow's ASCII kernels,
    several times faster than the UTF-8 ones and equal to them on ASCII text. A step that
    a look at the column's bytes shows would change nothing (trim, empty cells to null,
    Excel's midnight, lower case) is skipped, so such columns keep the reader's buffers
    instead of one copy per step. ``csv``: Arrow's CSV reader already made empty cells null.
    """
    # large_string throughout: pandas' Arrow string array holds large_string, so a column
    # built as string would be copied once more to get there.
    if pa.types.is_string(arr.type):
        arr = arr.cast(pa.large_string())
    if pa.types.is_large_string(arr.type):
        text = arr
        trimmed = not ascii_only or _may_need_trim(text)
        if not ascii_only:
            text = pc.utf8_trim_whitespace(text)
        elif trimmed:
            text = pc.ascii_trim(text, characters=_ASCII_SPACE)
        if trimmed or not csv:
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
        # Only a "YYYY-MM-DD 00:00:00" cell needs rewriting; most files have none (no ':').
        if col_type in {"integer", "number", "date"} and _may_have(text, 0x3A, 0x3A):
            text = pc.replace_substring_regex(text, _EXCEL_MIDNIGHT_RE2, r"\1")
    elif pa.types.is_null(arr.type):
        text = pa.chunked_array([pa.nulls(len(arr), pa.large_string())])
    else:  # typed Parquet/XLSX cells: rare and small, rendered one by one
        cells = [_as_text(v) for v in arr.to_pylist()]
        text = pa.chunked_array([pa.array(cells, pa.large_string())])
    if col_type in _LOWER_TYPES:
        if not ascii_only:
            text = pc.utf8_lower(text)
        elif _may_have(text, 0x41, 0x5A):  # A-Z
            text = pc.ascii_lower(text)
    return text


def text_series(values: pa.ChunkedArray | pa.Array, index: pd.Index | None = None) -> pd.Series:
    """An Arrow string array as a pandas ``str`` series, sharing the Arrow buffers."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if not pa.types.is_large_string(values.type):
        values = values.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(values, dtype=TEXT_DTYPE), index=index, copy=False)


def arrow_text(series: pd.Series) -> pa.ChunkedArray:
    """A text series as an Arrow (large_)string array: the same buffers when Arrow-backed."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        values = pa.array(series.array)  # __arrow_array__: no copy
    else:  # object columns (tests, callers outside the reader)
        values = pa.array(series.astype(object).where(series.notna(), None), from_pandas=True)
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return values
    return values.cast(pa.string())


def large_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """As ``large_string`` (the reader's type already: then unchanged), so the chunks of many
    files share one type and can be put end to end."""
    return values if pa.types.is_large_string(values.type) else values.cast(pa.large_string())


def normalise(
    table: pa.Table, kind: ExtractKind, ascii_only: bool = False, csv: bool = False
) -> pd.DataFrame:
    """Contract columns as Arrow-backed strings (NaN for empty) plus ``row_no``.

    ``ascii_only`` says every text cell is ASCII (checked by the caller on the raw bytes);
    ``csv`` that the table comes from Arrow's CSV reader (empty cells already null).
    """
    present = {name.strip().lower(): name for name in table.column_names}
    missing = [c for c in kind.column_names if c not in present]
    if missing:
        raise ContractError("file.header", f"header lacks contract column(s): {', '.join(missing)}")
    if table.num_rows == 0:
        raise ContractError("file.not_empty", "the file has a header but no rows")
    index = pd.RangeIndex(table.num_rows)
    out: dict[str, Any] = {ROW_NO: np.arange(1, table.num_rows + 1, dtype=np.int64)}
    for col in kind.columns:
        column = _text_column(table.column(present[col.name]), col.type, ascii_only, csv)
        out[col.name] = text_series(column, index)
    return pd.DataFrame(out, index=index, copy=False)


def read_extract(
    path: str | Path, kind: str, data: bytes | None = None, limits: Limits | None = None
) -> pd.DataFrame:
    """Read ``path`` (or the given bytes) as an extract of ``kind``; raise ContractError.

    The pipeline passes the bytes it hashed, so what is validated and loaded is exactly
    what the ledger's checksum names, and ``limits`` (rows, unpacked size) from settings.
    """
    p = Path(path)
    spec = KINDS[kind]
    raw = p.read_bytes() if data is None else data
    csv = p.suffix.lower() == ".csv"
    ascii_only = csv and raw.isascii()
    table = _read_table(p, raw, spec, ascii_only if csv else None, limits)
    del raw
    if limits is not None and table.num_rows > limits.max_rows:
        raise _too_many_rows(table.num_rows, limits)
    frame = normalise(table, spec, ascii_only, csv)
    log.debug("read %s: %d rows", p.name, len(frame))
    return frame
