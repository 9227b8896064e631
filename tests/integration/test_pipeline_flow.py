"""The refresh flow end to end on generated extracts (Prefect test server, real DuckDB).

The full run is the session's one (``loaded_home``); a second run works on a copy of it,
and the one extra full run is the demo's, in a fresh home, which also proves determinism.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.publish import current_snapshot
from pipelines.runtime import close_all
from scorecard import reference
from scorecard.settings import load_settings
from tests.helpers.demo import assert_ends_with_the_sign_in_box
from tests.helpers.pipeline import (
    AS_AT,
    SMALL_SCALE,
    LoadedHome,
    generated,
    mart_digest,
    run,
)
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
    assert per_kind["cps_court_outcomes"] == N_AREAS  # contract v1.1: stage three
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

    # `etl run --rebuild` with nothing new still builds and publishes: the same marts.
    rebuilt = run(loaded_copy, rebuild=True)
    assert (rebuilt.new, rebuilt.status) == (0, "succeeded"), rebuilt.message
    assert rebuilt.snapshot and Path(rebuilt.snapshot).name != snap.name
    close_all()
    assert current_snapshot(copy_snaps) == Path(rebuilt.snapshot)
    assert mart_digest(Path(rebuilt.snapshot)) == before


def test_the_demo_in_a_fresh_home_gives_the_marts_of_the_session_run(
    loaded_home: LoadedHome,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two claims, one full run (the one extra full run the integration tests make):
    `scorecard demo` without serving takes an empty home to a published snapshot, generating
    the nation and using the demo key; and the same inputs in a fresh home give identical
    marts. The demo generates with the session's seed, scale and date, so its extracts are
    the session run's byte for byte, and its marts must equal that run's: determinism across
    homes, and marts that do not depend on the pseudonym key. What it prints is a line per
    stage and, last, the sign-ins in a box."""
    from scorecard_app.demo import run_demo

    monkeypatch.delenv("SCORECARD_PSEUDONYM_KEY")
    monkeypatch.setenv("SCORECARD_DEMO", "")  # run_demo sets it; undone after the test
    assert run_demo(scale=SMALL_SCALE, as_at=AS_AT, serve=False) == 0
    close_all()
    out = capsys.readouterr().out
    assert_ends_with_the_sign_in_box(out, "http://127.0.0.1:8050/")
    assert len(out.splitlines()) < 40, out  # a line per stage, not per file or log record
    assert "files 0 of" in out and "succeeded:" in out
    landing = load_settings().landing_dir
    made = {p.name: p.read_bytes() for p in landing.iterdir()}
    assert made == {p.name: p.read_bytes() for p in loaded_home.files.iterdir()}
    assert len([n for n in made if n.startswith("police_cases__")]) == N_FORCES
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


def test_data_docs_are_built_after_the_snapshot_is_live_and_never_fail_it(
    home: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data Docs are off the critical path: built once the snapshot is published; a failure
    then changes neither the result, its exit code nor the published snapshot."""
    from pipelines import flow

    files = generated(tmp_path_factory.getbasetemp())
    landing = home / "landing"
    landing.mkdir()
    first_file = sorted(files.glob("police_cases__*"))[0]
    (landing / first_file.name).write_bytes(first_file.read_bytes())
    snapshots = load_settings(home).snapshots_dir
    live_at_docs: list[Path | None] = []
    real_docs = flow.data_docs

    def recording_docs(home_: str, run_id: str) -> str | None:
        live_at_docs.append(current_snapshot(snapshots))
        return real_docs(home_, run_id)

    monkeypatch.setattr(flow, "data_docs", recording_docs)
    first = run(home)
    assert first.status == "succeeded" and first.exit_code == 0
    assert live_at_docs == [Path(first.snapshot or "")], "docs ran before the snapshot was live"
    assert first.data_docs and Path(first.data_docs).is_file()

    def failing_docs(home_: str, run_id: str) -> str | None:
        live_at_docs.append(current_snapshot(snapshots))
        raise RuntimeError("no Data Docs today")

    monkeypatch.setattr(flow, "data_docs", failing_docs)
    extra = sorted(files.glob("workforce__*"))[0]
    (landing / extra.name).write_bytes(extra.read_bytes())
    second = run(home)
    assert second.status == "succeeded" and second.exit_code == 0, second.message
    assert (second.new, second.loaded) == (1, 1)
    assert second.data_docs is None and second.message is None
    assert second.snapshot and current_snapshot(snapshots) == Path(second.snapshot)
    assert live_at_docs[-1] == Path(second.snapshot)


def test_org_codes_in_reference_match_generated_senders(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    senders = {p.name.split("__")[1] for p in files.glob("police_cases__*")}
    assert senders == {f.code for f in reference.forces()}
