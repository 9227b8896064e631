"""The Arrow path of the ETL: reader dtypes and trimming, SQL HMAC, zero-copy load.

The reader keeps text in Arrow, identifiers are hashed in an in-memory DuckDB and rows
are loaded from Arrow. Each shortcut must give exactly what the plain Python version gave.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import string
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipelines import pseudonymise as ps
from pipelines import read
from pipelines.load import arrow_rows, load_extract
from warehouse import db
from warehouse.migrate import migrate

HEADER = "urn,plan_no,issued_date,target_date,response_date,items,escalated"


def _reference(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("key", [b"k" * 16, b"x" * 64, b"long-" * 20, "clé-ünïcode-key!".encode()])
def test_sql_hmac_equals_python_hmac(key: bytes) -> None:
    values = ["KEN/1", "", "é∂ƒ/2024", " padded ", "52AB0000123", "x" * 200, None]
    got = ps.pseudonymise_series(key, pd.Series(values, dtype=object))
    for value, out in zip(values, got, strict=True):
        if value is None:
            assert pd.isna(out)
        else:
            assert out == _reference(key, value) == ps.pseudonym(key, value)


def test_sql_hmac_keeps_row_order_on_a_large_column() -> None:
    """Enough rows for DuckDB to use several threads; every row keeps its own hash."""
    rng = random.Random(7)
    values = ["".join(rng.choices(string.ascii_uppercase + "/0123456789", k=12)) for _ in range(1)]
    values = [f"{values[0]}-{i}" for i in range(300_000)]
    out = ps.pseudonymise_arrow(b"k" * 16, pa.chunked_array([pa.array(values, pa.large_string())]))
    assert len(out) == len(values)
    for i in [0, 1, 2047, 2048, 122_880, 150_001, 299_999, *rng.sample(range(300_000), 50)]:
        assert out[i].as_py() == _reference(b"k" * 16, values[i]), i


def test_hasher_is_in_memory_and_cannot_spill() -> None:
    ps.pseudonymise_series(b"k" * 16, pd.Series(["a"], dtype=object))
    con = ps._hasher()
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == ""
    assert con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall() in (
        [(None,)],
        [("",)],
    )
    # Nothing of the key or the values is left registered after a call.
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 0
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert views == []


def test_pseudonymised_frame_shares_the_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    path.write_text(HEADER + "\nA1,1,2020-01-02,,2020-02-01,3,Y\n", encoding="utf-8")
    sent = read.read_extract(path, "cps_action_plans")
    out = ps.pseudonymise_frame("cps_action_plans", sent, b"k" * 16)
    assert out["urn"][0] == _reference(b"k" * 16, "A1")
    assert sent["urn"][0] == "A1", "the frame as sent is not changed"
    shared = pa.array(out["issued_date"].array).buffers()[2].address
    assert shared == pa.array(sent["issued_date"].array).buffers()[2].address


def test_reader_gives_arrow_backed_text(tmp_path: Path) -> None:
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    path.write_text(HEADER + "\nA1,1,2020-01-02,,2020-02-01,3,Y\n", encoding="utf-8")
    frame = read.read_extract(path, "cps_action_plans")
    assert frame["row_no"].dtype == "int64"
    for col in frame.columns.drop("row_no"):
        assert frame[col].dtype == read.TEXT_DTYPE, col
        assert isinstance(frame[col].array, pd.arrays.ArrowStringArray)


@pytest.mark.parametrize("ascii_file", [True, False])
def test_trim_and_lower_match_python(tmp_path: Path, ascii_file: bool) -> None:
    """ASCII files take Arrow's ASCII kernels, others the UTF-8 ones; both act as str.strip."""
    extra = "" if ascii_file else "\u00a0"
    rows = [
        f"\x1c A1 \t,1,2020-01-02 00:00:00,,2020-02-01,3, Y{extra}",
        f"A2{extra},2,2020-01-02,2020-01-05,, 4 ,{extra}n ",
    ]
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    got = read.read_extract(path, "cps_action_plans")
    got = got.astype(object).where(got.notna(), None)
    assert got["urn"].tolist() == ["A1", "A2"]
    assert got["issued_date"].tolist() == ["2020-01-02", "2020-01-02"]
    assert got["items"].tolist() == ["3", "4"]
    assert got["escalated"].tolist() == ["y", "n"]
    assert got["target_date"].tolist() == [None, "2020-01-05"]


def test_arrow_memory_pool_is_jemalloc() -> None:
    assert pa.default_memory_pool().backend_name in {"jemalloc", "system"}


def test_load_from_arrow_is_zero_copy_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    lines = [f"U{i},{i % 3 + 1},2020-01-02,,2020-02-01,{i % 9 + 1},{'Y' if i % 2 else ''}"
             for i in range(1, 2001)]  # fmt: skip
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    frame = read.read_extract(path, "cps_action_plans")
    table = arrow_rows("cps_action_plans", frame)
    urn = pa.array(frame["urn"].array)
    assert table.column("urn").chunk(0).buffers()[2].address == urn.buffers()[2].address
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    extract_id = load_extract(
        con,
        kind="cps_action_plans",
        org_code="cps_wessex",
        as_at=date(2024, 3, 31),
        file_name=path.name,
        source="t",
        checksum="c",
        frame=frame,
        run_id="r",
    )
    rows = con.execute(
        "SELECT row_no, urn, items, escalated, issued_date FROM raw.cps_action_plans "
        "WHERE extract_id = ? ORDER BY row_no",
        [extract_id],
    ).fetchall()
    assert len(rows) == 2000
    assert rows[0] == (1, "U1", 2, True, date(2020, 1, 2))
    assert rows[1] == (2, "U2", 3, None, date(2020, 1, 2))
    assert rows[-1][:2] == (2000, "U2000")
