"""The run ledger's read model (warehouse.status) reads back what the pipeline's ledger writes:
the data page and ``scorecard etl status`` show it without importing the pipeline."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pipelines import ledger
from warehouse import db
from warehouse.migrate import migrate
from warehouse.status import freshness, recent_runs, rejected_files


def test_status_reads_back_the_ledger(tmp_path: Path) -> None:
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    t0, t1 = datetime(2026, 4, 1, 2, 30), datetime(2026, 4, 1, 2, 31)
    ledger.start_run(con, "run-1", ["landing"], None)
    ledger.record_file(
        con,
        "run-1",
        ledger.FileRecord(
            "landing", "workforce__kent__2026-03-31.csv", "rejected", t0, t1, checksum="c1",
            kind="workforce", org_code="kent", as_at=date(2026, 3, 31),
            rules_failed=("workforce.org_code.matches_file",), report_path="r.txt",
        ),
    )  # fmt: skip
    ledger.finish_run(con, "run-1", status="partial")

    (fresh,) = freshness(con, today=date(2026, 4, 10))
    assert (fresh.org_code, fresh.kind, fresh.last_as_at) == ("kent", "workforce", None)
    assert (fresh.last_outcome, fresh.last_file) == ("rejected", "workforce__kent__2026-03-31.csv")
    (run,) = recent_runs(con)
    assert (run.run_id, run.status, run.files_new, run.files_rejected) == ("run-1", "partial", 1, 1)
    (rej,) = rejected_files(con)
    assert (rej.run_id, rej.org_code, rej.as_at) == ("run-1", "kent", date(2026, 3, 31))
    assert rej.rules_failed == "workforce.org_code.matches_file"
    con.close()


def test_freshness_flags_senders_past_their_expected_cadence(tmp_path: Path) -> None:
    from warehouse.status import expected_cadence

    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    for n, (kind, org, as_at) in enumerate(
        [
            ("police_cases", "kent", date(2026, 3, 31)),
            ("workforce", "kent", date(2026, 3, 31)),
            ("police_cases", "surrey", date(2026, 2, 28)),
        ],
        1,
    ):
        con.execute(
            "INSERT INTO raw.extracts (extract_id, kind, org_code, as_at, file_name, source, "
            "checksum, row_count, run_id, loaded_at, is_current) "
            "VALUES (?, ?, ?, ?, ?, 'landing', ?, 1, 'r', ?, true)",
            [n, kind, org, as_at, f"{kind}__{org}__{as_at}.csv", f"c{n}", datetime(2026, 4, 1)],
        )
    cadence = expected_cadence("workforce=quarterly")
    got = {(f.org_code, f.kind): f for f in freshness(con, date(2026, 5, 10), cadence)}
    kent = got[("kent", "police_cases")]  # 40 days since 31 Mar; monthly = 31 days
    assert (kent.expected, kent.days_since, kent.overdue_days, kent.overdue) == (
        "monthly", 40, 9, True,
    )  # fmt: skip
    wf = got[("kent", "workforce")]  # quarterly = 92 days: not yet due
    assert (wf.expected, wf.overdue) == ("quarterly", False)
    assert got[("surrey", "police_cases")].overdue_days == 40
    con.close()


def test_the_cadence_setting_is_checked() -> None:
    import pytest

    from warehouse.status import expected_cadence

    assert expected_cadence("") == {}
    assert expected_cadence(" workforce = Quarterly , cps_cases=weekly") == {
        "workforce": "quarterly",
        "cps_cases": "weekly",
    }
    for bad in ("workforce", "workforce=fortnightly", "=monthly"):
        with pytest.raises(ValueError, match="SCORECARD_EXPECTED_CADENCE"):
            expected_cadence(bad)
