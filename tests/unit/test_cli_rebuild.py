"""`scorecard etl run --rebuild` drops the incremental build's kept state before the refresh,
so its build (or the next) recomputes every metric fact (warehouse/scope.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from scorecard.settings import load_settings
from warehouse import scope


def _state(path: Path) -> list[str]:
    con = duckdb.connect(str(path))
    try:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'core' "
            "ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def test_rebuild_forgets_the_kept_facts_state(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from scorecard_app.cli import app

    path = load_settings().warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core")
    for name in scope.STATE_TABLES:
        con.execute(f"CREATE TABLE core.{name} (x INTEGER)")
    con.close()
    monkeypatch.delenv("SCORECARD_PSEUDONYM_KEY")  # the refresh itself stops early
    got = CliRunner().invoke(app, ["etl", "run", "--rebuild"])
    assert got.exit_code == 1
    assert _state(path) == []
