"""Warehouse schema: migrations run once, in order; transactions are all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from scorecard.contract import KINDS
from scorecard.settings import load_settings
from warehouse import db
from warehouse.migrate import MigrationError, available, migrate
from warehouse.reference_load import add_months, load_reference


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = db.read_write(tmp_path / "w.duckdb")
    migrate(c)
    return c


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    c = db.read_write(tmp_path / "w.duckdb")
    first = migrate(c)
    assert first == sorted(first) == [m.version for m in available()]
    assert migrate(c) == []
    rows = c.execute("SELECT count(*) FROM meta.schema_migrations").fetchone()
    assert rows[0] == len(first)


def test_schemas_exist(con: duckdb.DuckDBPyConnection) -> None:
    names = {
        r[0] for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    }
    assert {"raw", "core", "mart", "ref", "meta"} <= names


def test_edited_migration_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE meta.schema_migrations SET checksum = 'x' WHERE version = 1")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(con)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_raw_tables_follow_the_contract(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    cols = db.columns_of(con, "raw", kind)
    assert cols == ["extract_id", "row_no", *KINDS[kind].column_names]


def test_transaction_rolls_back_on_error(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE core.t (x INTEGER)")
    with pytest.raises(RuntimeError), db.transaction(con):
        con.execute("INSERT INTO core.t VALUES (?)", [1])
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM core.t").fetchone()[0] == 0
    with db.transaction(con):
        con.execute("INSERT INTO core.t VALUES (?)", [2])
    assert con.execute("SELECT count(*) FROM core.t").fetchone()[0] == 1


def test_read_only_connection_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    c = db.read_write(path)
    migrate(c)
    c.close()
    ro = db.read_only(path)
    with pytest.raises(duckdb.Error):
        ro.execute("CREATE TABLE core.nope (x INTEGER)")
    with pytest.raises(FileNotFoundError, match="run the pipeline"):
        db.read_only(tmp_path / "missing.duckdb")


def test_reference_load_is_idempotent(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    first = load_reference(con, settings)
    second = load_reference(con, settings)
    assert first == second
    assert first["forces"] == 43 and first["cps_areas"] == 14
    met = con.execute(
        "SELECT count(*) FROM ref.force_area_map WHERE force_code = ?", ["metropolitan"]
    ).fetchone()[0]
    assert met == 2
    due = dict(con.execute("SELECT rec_no, default_due_date FROM ref.recommendations").fetchall())
    assert str(due[1]) == "2021-10-16" and str(due[2]) == "2022-07-16"


def test_add_months_clamps_to_month_end() -> None:
    from datetime import date

    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2021, 7, 16), 12) == date(2022, 7, 16)


def test_quote_ident_escapes_quotes() -> None:
    assert db.quote_ident('a"b') == '"a""b"'
