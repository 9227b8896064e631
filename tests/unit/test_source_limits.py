"""What a source may hold and what a read may cost (issue 13: findings 2, 5, 13).

Each test builds a few files by hand; none runs the flow.
"""

from __future__ import annotations

import io
import os
import socket
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.report import write_report
from pipelines import ledger, sources
from pipelines.config import Source
from pipelines.load import load_extract
from pipelines.read import read_extract
from scorecard.contract import ContractError
from scorecard.settings import load_settings
from tests.helpers.files import zip_bomb_xlsx
from warehouse import db
from warehouse.migrate import migrate

MB = 1024 * 1024


def limits(rows: int = 1000, unpacked: int = MB) -> sources.Limits:
    return sources.Limits(
        max_bytes=MB, max_rows=rows, max_uncompressed=unpacked, timeout_seconds=30
    )


WORKFORCE = (
    "org_code,financial_year,rasso_investigators_qualified,ssaidp_attendance,"
    "detective_vacancies,rasso_prosecutors_fte,rasso_prosecutor_vacancies,"
    "joint_trauma_training_staff\nkent,2023-24,1,1,1,,,1\n"
)


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing


# --- finding 13: every file is listed --------------------------------------------------------
def test_list_files_lists_every_file_and_marks_hidden_ones(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    names = [
        "workforce__kent__2024-09-30.csv",
        "workforce__kent__2024-09-30.csv.txt",
        "workforce__kent__2024-10-31.csv ",
        ".~lock.workforce__kent__2024-09-30.csv#",
        "notes 100% done\\x.csv",
    ]
    for n in names:
        (landing / n).write_text(WORKFORCE)
    (landing / "quarantine").mkdir()
    listed = sources.list_files(Source(name="landing", url=str(landing)))
    assert sorted(f.name for f in listed) == sorted(names)
    assert {f.name for f in listed if f.hidden} == {".~lock.workforce__kent__2024-09-30.csv#"}


# --- finding 5: only regular files inside the source, within limits ---------------------------
def _refusal(landing: Path, name: str, lim: sources.Limits | None = None) -> ContractError:
    with pytest.raises(sources.RefusedFile) as err:
        sources.read_local(landing, landing / name, lim or limits())
    return err.value


def test_links_devices_fifos_and_sockets_are_refused_unread(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    outside = tmp_path / "secret.csv"
    outside.write_text(WORKFORCE)
    (landing / "out.csv").symlink_to(outside)
    (landing / "zero.csv").symlink_to("/dev/zero")
    inside = landing / "real.csv"
    inside.write_text(WORKFORCE)
    (landing / "in.csv").symlink_to(inside)
    os.mkfifo(landing / "pipe.csv")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(landing / "sock.csv"))
        started = time.monotonic()
        for name, words in [
            ("out.csv", "symbolic link"),
            ("zero.csv", "symbolic link"),
            ("in.csv", "symbolic link"),
            ("pipe.csv", "FIFO"),
            ("sock.csv", "socket"),
        ]:
            err = _refusal(landing, name)
            assert err.rule_id == "file.type" and words in err.detail, (name, err.detail)
        assert time.monotonic() - started < 5, "a FIFO must not block"
    finally:
        sock.close()
    assert sources.read_local(landing, inside, limits()) == WORKFORCE.encode()


def test_a_file_outside_the_source_folder_is_refused(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    sub = landing / "sub"
    sub.mkdir()
    (sub / "x.csv").write_text(WORKFORCE)
    assert "not directly inside" in _refusal(landing, "sub/x.csv").detail


def test_size_limit_refuses_before_reading(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    (landing / "big.csv").write_bytes(b"x" * (MB + 1))
    err = _refusal(landing, "big.csv")
    assert err.rule_id == "file.size" and "SCORECARD_MAX_FILE_MB" in err.detail


def test_limits_come_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_MAX_FILE_MB", "3")
    monkeypatch.setenv("SCORECARD_MAX_ROWS", "7")
    monkeypatch.setenv("SCORECARD_MAX_UNCOMPRESSED_MB", "5")
    monkeypatch.setenv("SCORECARD_READ_TIMEOUT_SECONDS", "9")
    got = sources.Limits.from_settings(load_settings(tmp_path))
    assert got == sources.Limits(3 << 20, 7, 5 << 20, 9.0)
    monkeypatch.setenv("SCORECARD_MAX_ROWS", "0")
    with pytest.raises(ValueError, match="SCORECARD_MAX_ROWS must be a positive integer"):
        load_settings(tmp_path)


def test_xlsx_zip_bomb_is_refused_fast() -> None:
    data = zip_bomb_xlsx(3 * MB)
    assert len(data) < MB // 10
    started = time.monotonic()
    with pytest.raises(ContractError) as err:
        read_extract("workforce__kent__2024-09-30.xlsx", "workforce", data=data, limits=limits())
    assert err.value.rule_id == "file.uncompressed"
    assert "SCORECARD_MAX_UNCOMPRESSED_MB" in err.value.detail
    assert time.monotonic() - started < 2


def test_row_limits_for_csv_and_parquet() -> None:
    small = limits(rows=2)
    rows = WORKFORCE + "kent,2022-23,1,1,1,,,1\nkent,2021-22,1,1,1,,,1\n"
    with pytest.raises(ContractError) as err:
        read_extract("workforce__kent__2024-09-30.csv", "workforce", rows.encode(), small)
    assert err.value.rule_id == "file.rows"
    table = pa.Table.from_pandas(pd.read_csv(io.StringIO(rows), dtype=str))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    with pytest.raises(ContractError) as err:
        read_extract("workforce__kent__2024-09-30.parquet", "workforce", buf.getvalue(), small)
    assert err.value.rule_id == "file.rows"
    tiny = limits(unpacked=10)
    with pytest.raises(ContractError) as err:
        read_extract("workforce__kent__2024-09-30.parquet", "workforce", buf.getvalue(), tiny)
    assert err.value.rule_id == "file.uncompressed"
    # Within the limits the same bytes read as before.
    assert len(read_extract("w.csv", "workforce", rows.encode(), limits())) == 3


# --- finding 13: every report is reachable -------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "workforce__kent__2024-09-30.csv",
        "workforce kent 2024.csv",
        "100% done.csv",
        "a\\b.csv",
        ".~lock.x.csv#",
        "workforce__kent__2024-09-30.csv ",
        "dossier-é.csv",
        "..",
    ],
)
def test_report_for_any_name_is_stored_under_a_routable_id(tmp_path: Path, name: str) -> None:
    from dashboard.app import _REPORT
    from expectations.report_ids import report_id

    json_path, txt_path = write_report(
        ContractError("file.name", "bad name"),
        file_name=name,
        kind=None,
        org_code=None,
        as_at=None,
        out_dir=tmp_path,
    )
    assert txt_path.parent == tmp_path and txt_path.exists()
    assert txt_path.name == f"{report_id(name)}.report.txt"
    assert _REPORT.match(txt_path.name) and _REPORT.match(json_path.name)
    assert name in txt_path.read_text(encoding="utf-8")


def test_report_ids_are_unique_per_name() -> None:
    from expectations.report_ids import report_id

    names = ["a b.csv", "a_b.csv", "a%b.csv", "a\\b.csv", "a b.csv "]
    assert len({report_id(n) for n in names}) == len(names)
    assert report_id("police_cases__kent__2024-03-31.csv") == "police_cases__kent__2024-03-31.csv"


# --- finding 13: files_loaded as files load ---------------------------------------------------
def _workforce_frame() -> pd.DataFrame:
    return read_extract("workforce__kent__2024-09-30.csv", "workforce", WORKFORCE.encode())


def _load(con: duckdb.DuckDBPyConnection, as_at: date, run_id: str, **kw: object) -> int:
    return load_extract(
        con,
        kind="workforce",
        org_code="kent",
        as_at=as_at,
        file_name=f"workforce__kent__{as_at}.csv",
        source="landing",
        checksum=f"c{as_at}",
        frame=_workforce_frame(),
        run_id=run_id,
        **kw,  # type: ignore[arg-type]
    )


def test_a_killed_run_still_counts_the_files_it_loaded(tmp_path: Path) -> None:
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    ledger.start_run(con, "run1", ["landing"], None)
    for month in (3, 6, 9):
        _load(con, date(2024, month, 30), "run1")
    row = con.execute("SELECT files_loaded FROM meta.runs WHERE run_id = 'run1'").fetchone()
    assert row == (3,), "counted as each file loads, not only at the end"
    # The process dies here; the next run closes the abandoned one with its counts.
    assert ledger.close_abandoned(con) == 1
    row = con.execute(
        "SELECT status, files_new, files_loaded FROM meta.runs WHERE run_id = 'run1'"
    ).fetchone()
    assert row == ("abandoned", 3, 3)


# --- finding 2: the pseudonym key's fingerprint -------------------------------------------
def test_a_load_under_another_key_is_refused(tmp_path: Path) -> None:
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    key_a, key_b = b"first-key-0123456789", b"other-key-0123456789"
    fp_a = ledger.key_fingerprint(key_a)
    assert key_a.hex() not in fp_a and fp_a != ledger.key_fingerprint(key_b)
    ledger.check_key(con, fp_a)  # nothing recorded yet: anything goes until the first load
    _load(con, date(2024, 3, 31), "r", key_fingerprint=fp_a)
    stored = con.execute("SELECT fingerprint FROM meta.pseudonym_key").fetchall()
    assert stored == [(fp_a,)]
    ledger.check_key(con, fp_a)
    with pytest.raises(ledger.KeyMismatchError, match="SCORECARD_PSEUDONYM_KEY is not the key"):
        ledger.check_key(con, ledger.key_fingerprint(key_b))
    with pytest.raises(ledger.KeyMismatchError):
        _load(con, date(2024, 6, 30), "r", key_fingerprint=ledger.key_fingerprint(key_b))
    assert con.execute("SELECT count(*) FROM raw.extracts").fetchone() == (1,)
