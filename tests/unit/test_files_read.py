"""The reader skips a normalising step only where it would change nothing.

``_text_column`` looks at a column's bytes before trimming, nulling empty cells, rewriting
Excel's midnight and lower-casing; these tests compare it with doing every step every time
(the reader before that change) on columns with and without each kind of cell, and check
that a clean column keeps the CSV reader's buffers.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from pipelines import read
from pipelines.read import read_extract


def _always(arr: pa.ChunkedArray, col_type: str, ascii_only: bool) -> pa.ChunkedArray:
    """Every step on every column, as the reader did before it looked first."""
    if ascii_only:
        text = pc.ascii_trim(arr, characters=read._ASCII_SPACE)
    else:
        text = pc.utf8_trim_whitespace(arr)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
    if col_type in {"integer", "number", "date"}:
        text = pc.replace_substring_regex(text, read._EXCEL_MIDNIGHT_RE2, r"\1")
    if col_type in read._LOWER_TYPES:
        text = pc.ascii_lower(text) if ascii_only else pc.utf8_lower(text)
    return text


CELLS = {
    "clean": ["a1", "b2", None, "c3"],
    "padded": [" a1", "b2\t", None, "c3"],
    "blank": ["a1", "   ", None, "c3"],
    "upper": ["A1", "b2", None, "C3"],
    "midnight": ["2020-01-02 00:00:00", "2020-01-03", None, "2020-01-04T00:00:00"],
    "control": ["a1", "\x1fb2", None, "c3\x0b"],
    "empty": ["a1", "", None, "c3"],
}


def _chunked(cells: list[str | None]) -> pa.ChunkedArray:
    arr = pa.array(cells * 50, pa.large_string())
    return pa.chunked_array([arr.slice(0, 70), arr.slice(70, 60), arr.slice(130)])


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("col_type", ["text", "enum", "flag", "date", "integer", "org_code"])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_skipping_changes_nothing(name: str, col_type: str, ascii_only: bool) -> None:
    arr = _chunked(CELLS[name])
    # csv=True only where the CSV reader's promise holds (no empty strings in its output)
    csv = name != "empty"
    got = read._text_column(arr, col_type, ascii_only, csv)
    assert got.type == pa.large_string()
    assert got.to_pylist() == _always(arr, col_type, ascii_only).to_pylist()


def test_csv_reader_leaves_no_empty_strings() -> None:
    """What ``csv=True`` relies on: Arrow's CSV reader (as configured) nulls empty cells."""
    data = b'a,b\n"",x\n,""\n" ",y\n'
    table = read._read_csv_bytes(data, read.KINDS["workforce"])
    for name in table.column_names:
        assert "" not in table.column(name).to_pylist()
    plain = pacsv.read_csv(io.BytesIO(data))
    assert plain.num_rows == table.num_rows


def test_a_clean_column_keeps_the_readers_buffers(tmp_path: Path) -> None:
    header = "urn,plan_no,issued_date,target_date,response_date,items,escalated"
    rows = [f"U{i},{i},2020-01-02,,2020-02-01,3,y" for i in range(1, 2001)]
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    table = read._read_csv_bytes(path.read_bytes(), read.KINDS["cps_action_plans"])
    col = table.column("issued_date")
    out = read._text_column(col, "date", True, True)
    assert out is col  # no trim, no null-ing, no rewrite: the same Arrow array
    frame = read_extract(path, "cps_action_plans")
    assert frame["escalated"].tolist() == ["y"] * 2000
    assert frame["urn"].iloc[-1] == "U2000"


def test_byte_checks_see_only_the_cells_of_a_slice() -> None:
    arr = pa.array(["  x", "ab", "CD", "ef"], pa.large_string())
    tail = pa.chunked_array([arr.slice(1, 1), arr.slice(3, 1)])  # "ab", "ef"
    assert not read._may_need_trim(tail)
    assert not read._may_have(tail, 0x41, 0x5A)
    assert read._may_need_trim(pa.chunked_array([arr.slice(0, 1)]))
    assert read._may_have(pa.chunked_array([arr.slice(2, 1)]), 0x41, 0x5A)
    empty = pa.chunked_array([pa.array([None, None], pa.large_string())])
    assert not read._may_need_trim(empty)
    assert read._text_column(empty, "enum", True, True).to_pylist() == [None, None]


def test_non_ascii_file_is_checked_and_read(tmp_path: Path) -> None:
    header = "urn,plan_no,issued_date,target_date,response_date,items,escalated"
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    path.write_bytes(f"{header}\n Ä1 ,1,2020-01-02,,,3,Y\u00a0\n".encode())
    frame = read_extract(path, "cps_action_plans")
    assert frame["urn"].tolist() == ["Ä1"]
    assert frame["escalated"].tolist() == ["y"]
    bad = tmp_path / "cps_action_plans__cps_london_north__2024-03-31.csv"
    bad.write_bytes(f"{header}\nA1,1,2020-01-02,,,3,Y\n".encode() + b"\xff\n")
    with pytest.raises(read.ContractError) as err:
        read_extract(bad, "cps_action_plans")
    assert err.value.rule_id == "file.readable"
    assert f"byte {len(header) + 1 + 22}" in err.value.detail


def test_random_columns_match_every_step() -> None:
    rng = np.random.default_rng(3)
    pool = ["a", "B", " c", "d ", "\t", "", "2021-02-03 00:00:00", "X y", "\x1c", "é"]
    for _ in range(20):
        cells = [None if rng.random() < 0.2 else str(rng.choice(pool)) for _ in range(300)]
        ascii_only = all(c is None or c.isascii() for c in cells)
        arr = _chunked(cells)
        for col_type in ("text", "enum", "date"):
            got = read._text_column(arr, col_type, ascii_only, False)
            assert got.to_pylist() == _always(arr, col_type, ascii_only).to_pylist()
