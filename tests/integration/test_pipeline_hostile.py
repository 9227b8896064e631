"""The refresh against hostile or careless landing folders (issue 13, findings 2, 5, 6, 13).

Small hand-made landing folders of one-row workforce files, so each run is quick: what
matters is what the flow does with each entry, not the national data.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.runtime import close_all
from scorecard_app.cli import app
from tests.helpers.files import zip_bomb_xlsx
from tests.helpers.pipeline import run
from tests.helpers.settings import TEST_KEY

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

HEADER = (
    "org_code,financial_year,rasso_investigators_qualified,ssaidp_attendance,"
    "detective_vacancies,rasso_prosecutors_fte,rasso_prosecutor_vacancies,"
    "joint_trauma_training_staff\n"
)


def workforce(org: str, years: int = 1) -> str:
    return HEADER + "".join(f"{org},{2023 - i}-{24 - i},1,1,1,,,1\n" for i in range(years))


@pytest.fixture(autouse=True)
def _fresh_connections() -> None:
    close_all()
    yield
    close_all()


def _run_files(home: Path, run_id: str) -> dict[str, tuple]:
    close_all()
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT file_name, outcome, rules_failed, report_path, checksum FROM meta.run_files "
            "WHERE run_id = ?",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


@pytest.mark.timeout(300)
def test_links_devices_fifos_and_oversized_files_are_rejections_not_crashes(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 5: each hostile entry is one rejection with a report; the rest still loads."""
    monkeypatch.setenv("SCORECARD_MAX_FILE_MB", "1")
    monkeypatch.setenv("SCORECARD_MAX_UNCOMPRESSED_MB", "1")
    landing = home / "landing"
    landing.mkdir()
    (landing / "workforce__kent__2024-09-30.csv").write_text(workforce("kent"))
    outside = tmp_path / "elsewhere" / "workforce__surrey__2024-09-30.csv"
    outside.parent.mkdir()
    outside.write_text(workforce("surrey"))
    (landing / outside.name).symlink_to(outside)
    (landing / "workforce__essex__2024-09-30.csv").symlink_to("/dev/zero")
    os.mkfifo(landing / "workforce__sussex__2024-09-30.csv")
    (landing / "workforce__hampshire__2024-09-30.csv").write_text(
        workforce("hampshire") + "#" * (1 << 20) + "\n"
    )
    (landing / "workforce__dorset__2024-09-30.xlsx").write_bytes(
        zip_bomb_xlsx(3 << 20, org="dorset", member="xl/worksheets/sheet2.xml", fill=b" ")
    )

    result = run(home)

    assert result.status == "partial", result.message
    assert (result.loaded, result.rejected) == (1, 5)
    files = _run_files(home, result.run_id)
    expected = {
        "workforce__kent__2024-09-30.csv": ("loaded", None),
        "workforce__surrey__2024-09-30.csv": ("rejected", "file.type"),
        "workforce__essex__2024-09-30.csv": ("rejected", "file.type"),
        "workforce__sussex__2024-09-30.csv": ("rejected", "file.type"),
        "workforce__hampshire__2024-09-30.csv": ("rejected", "file.size"),
        "workforce__dorset__2024-09-30.xlsx": ("rejected", "file.uncompressed"),
    }
    assert {n: f[:2] for n, f in files.items()} == expected
    for name, (outcome, _, report, _) in files.items():
        if outcome == "rejected":
            text = Path(report).with_suffix(".txt").read_text(encoding="utf-8")
            assert "REJECTED" in text and name in text
    # Nothing was read through the link: the target is untouched and surrey has no workforce.
    assert outside.read_text() == workforce("surrey")
    assert [p.name for p in (landing / "quarantine").glob("*/*")]  # moved aside, links and all
    assert not (landing / "workforce__sussex__2024-09-30.csv").exists()


def test_every_file_is_loaded_or_reported_and_hidden_files_once(home: Path) -> None:
    """Finding 13: odd names get a report (at a routable id); hidden files are reported once
    as ignored and left where they are."""
    from dashboard.app import _REPORT

    landing = home / "landing"
    landing.mkdir()
    (landing / "workforce__kent__2024-09-30.csv").write_text(workforce("kent"))
    odd = [
        "workforce__surrey__2024-09-30.csv.txt",
        "workforce__essex__2024-09-30.csv ",
        "workforce 100% sussex\\2024.csv",
    ]
    for i, name in enumerate(odd, 1):  # different bytes: the same bytes again are a no-op
        (landing / name).write_text(workforce("surrey", i))
    hidden = ".~lock.workforce__kent__2024-09-30.csv#"
    (landing / hidden).write_text("lock")

    first = run(home)

    assert first.status == "partial", first.message
    assert (first.new, first.loaded, first.rejected) == (4, 1, 3)
    files = _run_files(home, first.run_id)
    assert set(files) == {"workforce__kent__2024-09-30.csv", hidden, *odd}
    for name in odd:
        outcome, rules, report, _ = files[name]
        assert (outcome, rules) == ("rejected", "file.name")
        assert _REPORT.match(Path(report).name), report
        assert Path(report).with_suffix(".txt").exists()
    outcome, rules, report, _ = files[hidden]
    assert (outcome, rules) == ("ignored", "file.hidden")
    assert "IGNORED" in Path(report).with_suffix(".txt").read_text(encoding="utf-8")
    assert (landing / hidden).read_text() == "lock", "a hidden file is never moved"

    second = run(home)
    assert second.status == "succeeded" and second.new == 0
    assert _run_files(home, second.run_id) == {}, "reported once, not on every run"


def test_a_file_changed_while_being_read_is_loaded_as_hashed(home: Path) -> None:
    """Finding 6: the ledger's checksum is of the bytes that were loaded, so the next run
    sees nothing new (it used to quarantine the file as an older snapshot)."""
    from pipelines import ledger
    from pipelines.flow import process_extract, pull
    from pipelines.runtime import settings_for, warehouse

    landing = home / "landing"
    landing.mkdir()
    path = landing / "workforce__kent__2024-09-30.csv"
    path.write_text(workforce("kent", 1))
    url = str(path)
    ledger.start_run(warehouse(settings_for(str(home))), "r" * 32, ["landing"], None)
    staged = pull.fn(str(home), "r" * 32, "landing", url, path.name)
    version_b = workforce("kent", 3)
    path.write_text(version_b)  # the sender rewrites it between listing and reading
    out = process_extract.fn(
        str(home), "r" * 32, "landing", path.name, url, staged["path"], staged["checksum"]
    )
    assert out["outcome"] == "loaded" and out["rows"] == 3
    loaded = hashlib.sha256(version_b.encode()).hexdigest()
    files = _run_files(home, "r" * 32)
    assert files[path.name][3] == loaded
    close_all()
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT checksum, row_count FROM raw.extracts").fetchall() == [
            (loaded, 3)
        ]
    finally:
        con.close()

    again = run(home)
    assert again.status == "succeeded" and again.new == 0, again.files
    assert path.exists() and not (landing / "quarantine").exists()


def test_a_run_under_another_pseudonym_key_is_refused_before_reading(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 2: key A loads; key B is refused with a clear message and a non-zero exit,
    and the new file is not read (it stays, unrecorded, for a run under the right key)."""
    landing = home / "landing"
    landing.mkdir()
    (landing / "workforce__kent__2024-09-30.csv").write_text(workforce("kent"))
    runner = CliRunner()
    first = runner.invoke(app, ["etl", "run"])
    assert first.exit_code == 0, first.output
    close_all()

    new = landing / "workforce__surrey__2024-09-30.csv"
    new.write_text(workforce("surrey"))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", "a-different-key-9876543210")
    refused = runner.invoke(app, ["etl", "run"])
    assert refused.exit_code == 1, refused.output
    assert "SCORECARD_PSEUDONYM_KEY is not the key this warehouse was loaded with" in (
        refused.output
    )
    assert "loaded" not in refused.output.split("error:")[0]
    close_all()
    # A scheduled run (the flow without the CLI) refuses too, and records why.
    result = run(home)
    assert result.status == "failed" and result.exit_code == 1
    assert "SCORECARD_PSEUDONYM_KEY is not the key" in (result.message or "")
    assert _run_files(home, result.run_id) == {} and new.exists()

    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    back = run(home)
    assert back.status == "succeeded" and back.loaded == 1, back.files
