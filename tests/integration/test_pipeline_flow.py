"""The refresh flow end to end on generated extracts (Prefect test server, real DuckDB).

The full run is the session's one (``loaded_home``); a second run works on a copy of it,
and determinism is the one justified extra full run, in a fresh home.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.publish import current_snapshot
from pipelines.runtime import close_all
from scorecard import reference
from scorecard.settings import load_settings
from tests.helpers.pipeline import LoadedHome, fill_landing, generated, mart_digest, run
from warehouse.metrics.export import rows as export_rows

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

N_FORCES, N_AREAS = 43, 14


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    close_all()


def _expected_files(landing: Path) -> int:
    return len([p for p in landing.iterdir() if p.is_file()])


def test_full_run_loads_everything_and_second_run_does_nothing(
    loaded_home: LoadedHome, loaded_copy: Path
) -> None:
    first = loaded_home.result  # the session's full run over the generated nation
    n_files = _expected_files(loaded_home.files)
    assert first.status == "succeeded", first.files[:3]
    assert first.exit_code == 0
    assert first.loaded == n_files and first.rejected == 0
    snap = current_snapshot(load_settings(loaded_home.path).snapshots_dir)
    assert snap is not None and Path(first.snapshot or "") == snap
    assert first.data_docs and Path(first.data_docs).is_file()
    assert "police_cases" in Path(first.data_docs).read_text()

    import duckdb

    con = duckdb.connect(str(snap), read_only=True)
    per_kind = dict(
        con.execute(
            "SELECT kind, count(DISTINCT org_code) FROM raw.extracts WHERE is_current GROUP BY 1"
        ).fetchall()
    )
    exported = export_rows(con)
    con.close()
    assert per_kind["police_cases"] == N_FORCES
    assert per_kind["cps_cases"] == N_AREAS
    assert per_kind["cps_action_plans"] == N_AREAS
    assert per_kind["workforce"] == N_FORCES + N_AREAS
    # Disclosure control across the whole export of a generated nation.
    assert len(exported) > 10_000
    small = [
        r for r in exported
        if r["stat"] == "count" and not r["suppressed"] and r["value"] is not None
        and 1 <= r["value"] <= 4
    ]  # fmt: skip
    assert small == []
    assert any(r["suppressed"] for r in exported)
    before = mart_digest(snap)

    # The second run, on a copy of that home: nothing new, nothing rebuilt or published.
    copy_snaps = load_settings(loaded_copy).snapshots_dir
    copied = current_snapshot(copy_snaps)
    assert copied is not None and copied.name == snap.name
    second = run(loaded_copy)
    assert (second.new, second.loaded, second.rejected) == (0, 0, 0)
    assert second.status == "succeeded" and second.snapshot is None
    assert current_snapshot(copy_snaps) == copied
    assert sorted(p.name for p in copy_snaps.iterdir()) == ["current.duckdb", snap.name]
    close_all()
    assert mart_digest(copied) == before


def test_same_inputs_in_fresh_homes_give_identical_marts(
    loaded_home: LoadedHome, home: Path
) -> None:
    """The session's full run and a second full run in a fresh home (the one extra full run
    the integration tests make: determinism needs two independent runs)."""
    fill_landing(home, loaded_home.files)
    result = run(home)
    assert result.status == "succeeded"
    close_all()
    digests = [
        mart_digest(current_snapshot(load_settings(h).snapshots_dir))  # type: ignore[arg-type]
        for h in (loaded_home.path, home)
    ]
    assert digests[0] == digests[1]
    assert digests[0], "no mart tables were built"


def test_only_new_files_are_pulled(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    landing = home / "landing"
    landing.mkdir()
    police = sorted(files.glob("police_cases__*"))[:2]
    for f in police:
        (landing / f.name).write_bytes(f.read_bytes())
    first = run(home)
    assert first.loaded == 2
    extra = sorted(files.glob("workforce__*"))[0]
    (landing / extra.name).write_bytes(extra.read_bytes())
    second = run(home)
    assert second.new == 1 and second.loaded == 1
    assert [f["file"] for f in second.files] == [extra.name]


def test_org_codes_in_reference_match_generated_senders(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    senders = {p.name.split("__")[1] for p in files.glob("police_cases__*")}
    assert senders == {f.code for f in reference.forces()}
