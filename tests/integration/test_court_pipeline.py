"""Stage three through the real flow: court outcomes load pseudonymised and link through the
CPS charge to the police record; a v1.0 sender (no court file) loads with stage three "not
yet sent", and its first court file then loads and links.

The nation is the session's loaded home (no extra full run); the v1.0 sender is one CPS Area
(Cymru-Wales: its four forces' police records, its cases and action plans) in a fresh home,
two small runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.runtime import close_all
from scorecard import reference
from scorecard.settings import load_settings
from tests.helpers.pipeline import AS_AT, LoadedHome, generated, run

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

AREA = "cps_cymru_wales"


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    close_all()


def _warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    close_all()
    return duckdb.connect(str(load_settings(home).warehouse_path), read_only=True)


def test_the_nations_court_outcomes_are_pseudonymised_and_linked(
    loaded_home: LoadedHome,
) -> None:
    sent = pd.concat(
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted(loaded_home.files.glob("cps_court_outcomes__*.csv"))
    )
    with _warehouse(loaded_home.path) as con:
        stored = {r[0] for r in con.execute("SELECT urn FROM raw.cps_court_outcomes").fetchall()}
        assert len(stored) == len(sent), "every row loaded"
        assert not stored & set(sent["urn"]), "no URN is stored as sent"
        assert all(len(u) == 64 for u in stored), "HMAC-SHA256 pseudonyms"
        n, charge_linked, police_linked, successful = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE charge_linked),"
            " count(*) FILTER (WHERE police_linked), count(*) FILTER (WHERE successful)"
            " FROM core.court_outcomes"
        ).fetchone()
        assert n == len(sent) and charge_linked == n, "every row is an Area's charged case"
        # Through the charge's CPS case, on the pseudonymised URN (or crime reference).
        assert police_linked / n >= 0.9, police_linked / n
        expected = sent["outcome"].isin(reference.successful_court_outcomes()).sum()
        assert successful == expected
        covered = dict(con.execute("SELECT area_code, sent FROM core.court_coverage").fetchall())
        assert covered == {a.code: True for a in reference.cps_areas()}


def test_a_v1_0_sender_loads_not_yet_sent_then_its_court_file_links(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    landing = home / "landing"
    landing.mkdir()
    names = [f"police_cases__{f}__{AS_AT}.csv" for f in reference.forces_for_area(AREA)]
    names += [f"{k}__{AREA}__{AS_AT}.csv" for k in ("cps_cases", "cps_action_plans")]
    for name in names:
        (landing / name).write_bytes((files / name).read_bytes())

    first = run(home)
    assert first.status == "succeeded" and first.loaded == len(names), first.files
    with _warehouse(home) as con:
        assert con.execute("SELECT count(*) FROM core.court_outcomes").fetchone() == (0,)
        coverage = dict(con.execute("SELECT area_code, sent FROM core.court_coverage").fetchall())
        assert coverage[AREA] is False, "stage three not yet sent, not zero"

    court = f"cps_court_outcomes__{AREA}__{AS_AT}.csv"
    (landing / court).write_bytes((files / court).read_bytes())
    second = run(home)
    assert (second.status, second.new, second.loaded) == ("succeeded", 1, 1), second.files
    rows = len(pd.read_csv(files / court, dtype=str))
    with _warehouse(home) as con:
        n, linked, forces = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE police_linked),"
            " list(DISTINCT force_code ORDER BY force_code) FROM core.court_outcomes"
        ).fetchone()
        coverage = dict(con.execute("SELECT area_code, sent FROM core.court_coverage").fetchall())
    assert n == rows and linked >= 0.8 * n, (n, linked)
    assert set(forces) <= set(reference.forces_for_area(AREA))
    assert coverage[AREA] is True
