"""A snapshot published while the app runs is picked up without a restart."""

from __future__ import annotations

from pathlib import Path

from dashboard.data.snapshot import SnapshotReader
from pipelines.publish import current_snapshot, publish_snapshot
from scorecard.settings import load_settings
from warehouse import db
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference


def test_reader_follows_each_new_snapshot(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    con = db.read_write(settings.warehouse_path)
    migrate(con)
    load_reference(con, settings)
    con.execute("CREATE TABLE mart.probe (value INTEGER)")
    con.execute("INSERT INTO mart.probe VALUES (?)", [1])
    first = publish_snapshot(con, settings.snapshots_dir, "a" * 32)

    reader = SnapshotReader(settings)
    assert reader.query("SELECT value FROM mart.probe")["value"].tolist() == [1]
    assert reader.current_file == first

    con.execute("UPDATE mart.probe SET value = ?", [2])
    second = publish_snapshot(con, settings.snapshots_dir, "b" * 32)
    assert current_snapshot(settings.snapshots_dir) == second != first
    # The same reader, no restart: the next query sees the new snapshot.
    assert reader.query("SELECT value FROM mart.probe")["value"].tolist() == [2]
    assert reader.current_file == second
    # The writer's file is never what the reader opened.
    assert reader.current_file != settings.warehouse_path
    # Old snapshots are pruned down to the newest few.
    for n in range(5):
        publish_snapshot(con, settings.snapshots_dir, f"{n}" * 32)
    assert len(list(settings.snapshots_dir.glob("snapshot-*.duckdb"))) == 3
    assert reader.query("SELECT value FROM mart.probe")["value"].tolist() == [2]
