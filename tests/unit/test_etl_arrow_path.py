"""The Arrow path of the ETL: reader dtypes and trimming, HMAC from Arrow, zero-copy load.

The reader keeps text in Arrow, identifiers are hashed from Arrow with the key's HMAC
states computed once, and rows are loaded from Arrow. Each shortcut must give exactly what the
plain Python version gave.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
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


KEYS = [b"k" * 16, b"x" * 64, b"y" * 65, b"long-" * 20, "clé-ünïcode-key!".encode()]
VALUES = [
    "KEN/1",
    "",
    " ",
    "é∂ƒ/2024",
    " padded ",
    "52AB0000123",
    "x" * 200,
    "y" * 10_000,
    "\u0000nul",
    "日本語/😀",
    "a\nb\tc",
    None,
]


@pytest.mark.parametrize("key", KEYS)
def test_hmac_equals_python_hmac(key: bytes) -> None:
    got = ps.pseudonymise_series(key, pd.Series(VALUES, dtype=object))
    for value, out in zip(VALUES, got, strict=True):
        if value is None:
            assert pd.isna(out)
        else:
            assert out == _reference(key, value) == ps.pseudonym(key, value)


@pytest.mark.parametrize("key", KEYS)
def test_hmac_over_many_values_and_chunks_equals_python_hmac(key: bytes) -> None:
    """Random values of every length class, nulls, empty and unicode, over uneven chunks
    (an empty one too) and both Arrow string types: each equals Python's hmac, in place."""
    rng = random.Random(15)
    alphabet = string.ascii_letters + string.digits + "/-_ é∂ƒü日本😀\u0000"
    values: list[str | None] = []
    for i in range(5_000):
        if i % 37 == 0:
            values.append(None)
        elif i % 41 == 0:
            values.append("")
        else:
            n = rng.choice([1, 8, 12, 55, 56, 63, 64, 65, 119, 200, 1_000])
            values.append("".join(rng.choices(alphabet, k=n)))
    cuts = [0, 0, 1, 700, 701, 2_048, 4_999, 5_000]
    for typ in (pa.string(), pa.large_string()):
        chunks = [pa.array(values[a:b], typ) for a, b in itertools.pairwise(cuts)]
        out = ps.pseudonymise_arrow(key, pa.chunked_array(chunks, typ))
        assert len(out) == len(values) and out.null_count == values.count(None)
        for value, got in zip(values, out.to_pylist(), strict=True):
            assert got == (None if value is None else _reference(key, value))
    single = ps.pseudonymise_arrow(key, pa.array(values, pa.string()))  # a plain Array too
    assert single.to_pylist() == out.to_pylist()


def test_hmac_of_an_empty_or_all_null_column() -> None:
    assert len(ps.pseudonymise_arrow(b"k" * 16, pa.chunked_array([], pa.string()))) == 0
    nulls = ps.pseudonymise_arrow(b"k" * 16, pa.chunked_array([pa.nulls(3, pa.large_string())]))
    assert nulls.to_pylist() == [None, None, None]


def test_hmac_keeps_row_order_on_a_large_column() -> None:
    """Every row of a large column keeps its own hash."""
    rng = random.Random(7)
    values = ["".join(rng.choices(string.ascii_uppercase + "/0123456789", k=12)) for _ in range(1)]
    values = [f"{values[0]}-{i}" for i in range(300_000)]
    out = ps.pseudonymise_arrow(b"k" * 16, pa.chunked_array([pa.array(values, pa.large_string())]))
    assert len(out) == len(values)
    for i in [0, 1, 2047, 2048, 122_880, 150_001, 299_999, *rng.sample(range(300_000), 50)]:
        assert out[i].as_py() == _reference(b"k" * 16, values[i]), i


@pytest.mark.parametrize("key", KEYS[:3])
def test_a_batch_hashed_as_one_column_equals_each_file_alone(key: bytes) -> None:
    """Several files' identifier columns hashed in one pass (uneven chunks, an empty file, a
    file of nulls, a plain ``string`` column among ``large_string`` ones): each file gets back
    exactly the pseudonyms Python's hmac gives its own values, in its own row order."""
    rng = random.Random(2)

    def text(values: list[str | None], cuts: list[int], typ: pa.DataType) -> pd.Series:
        chunks = pa.chunked_array(
            [pa.array(values[a:b], typ) for a, b in itertools.pairwise(cuts)], typ
        )
        return pd.Series(pd.arrays.ArrowStringArray(chunks, dtype=read.TEXT_DTYPE))

    files: list[list[str | None]] = [
        [None if i % 9 == 0 else f"URN{rng.randrange(10**9)}" for i in range(1_000)],
        [],
        [None, None],
        list(VALUES),
        [f"CR/{i}" for i in range(3_001)],
    ]
    cuts = [[0, 1, 500, 1_000], [0], [0, 2], [0, 5, 5, len(VALUES)], [0, 3_001]]
    types = [pa.large_string(), pa.large_string(), pa.large_string(), pa.string(), pa.string()]
    frames = []
    for values, cut, typ in zip(files, cuts, types, strict=True):
        urn = text(values, cut, typ)
        frames.append(pd.DataFrame({"row_no": range(1, len(values) + 1), "urn": urn}))
    outs = ps.pseudonymise_frames("cps_action_plans", frames, key)
    assert len(outs) == len(frames)
    for values, frame, out in zip(files, frames, outs, strict=True):
        assert len(out) == len(values)
        got = _plain(out["urn"])
        assert got == [None if v is None else _reference(key, v) for v in values]
        assert _plain(ps.pseudonymise_frame("cps_action_plans", frame, key)["urn"]) == got
        assert _plain(frame["urn"]) == values, "the frames as sent are not changed"
    assert ps.pseudonymise_frames("cps_action_plans", [], key) == []


def _plain(series: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v for v in series]


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
