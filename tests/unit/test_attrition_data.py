"""The attrition view's data (flow.attrition, mart.court_coverage) over a hand-made snapshot:
two forces, one whose CPS Area has sent court outcomes and one whose has not; the court
stages of the second read "not yet sent", never zero, and national covers only the first."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest

from dashboard.data import attrition
from tests.helpers.serving import serving


def _snapshot() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA mart; CREATE SCHEMA ref")
    con.execute(
        "CREATE TABLE mart.metric_values (level VARCHAR, org_code VARCHAR, period VARCHAR, "
        "basis VARCHAR, metric_id VARCHAR, stat VARCHAR, breakdown VARCHAR, numerator DOUBLE, "
        "denominator DOUBLE, value DOUBLE, suppressed VARCHAR, lower_998 DOUBLE, "
        "upper_998 DOUBLE, position VARCHAR, sd DOUBLE)"
    )
    rows = []

    def add(level: str, org: str, period: str, stage: str, num: float, den: float) -> None:
        rows.append((level, org, period, "cohort", "flow.attrition", "rate",
                     f"reached={stage}", num, den, 100 * num / den, None))  # fmt: skip

    for period in ("2022-23", "2023-24"):
        # kent (sent): 200 recorded, 150 referred, 40 charged, 30 completed, 20 convicted
        for stage, n in (("referred", 150), ("charged", 40), ("completed", 30),
                         ("convicted", 20)):  # fmt: skip
            add("force", "kent", period, stage, n, 200)
        # surrey (not sent): referral and charge only
        add("force", "surrey", period, "referred", 50, 100)
        add("force", "surrey", period, "charged", 10, 100)
        add("national", "national", period, "referred", 200, 300)
        add("national", "national", period, "charged", 50, 300)
        add("national", "national", period, "completed", 30, 200)
        add("national", "national", period, "convicted", 20, 200)
        # sussex (not sent): referral and charge suppressed, so the cohort's size comes from
        # the year's recorded count
        for stage in ("referred", "charged"):
            rows.append(("force", "sussex", period, "cohort", "flow.attrition", "rate",
                         f"reached={stage}", None, None, None, "small_count"))  # fmt: skip
        rows.append(("force", "sussex", period, "period", "volume.recorded", "count", "",
                     40, None, 40, None))  # fmt: skip
    con.executemany(
        "INSERT INTO mart.metric_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, "
        "NULL, NULL)",
        rows,
    )
    con.execute(
        "CREATE TABLE mart.court_coverage AS SELECT * FROM (VALUES "
        "('cps_area', 'se', TRUE, DATE '2024-11-30'), ('cps_area', 'ss', FALSE, NULL), "
        "('force', 'kent', TRUE, DATE '2024-11-30'), ('force', 'surrey', FALSE, NULL), "
        "('force', 'sussex', FALSE, NULL)) "
        "t(level, org_code, sent, court_as_at)"
    )
    con.execute(
        "CREATE TABLE ref.cps_areas AS SELECT * FROM (VALUES ('se', 'CPS South East'), "
        "('ss', 'CPS South Surrey')) t(code, name)"
    )
    con.execute(
        "CREATE TABLE ref.force_area_map AS SELECT * FROM (VALUES ('kent', 'se'), "
        "('surrey', 'ss'), ('sussex', 'ss')) t(force_code, area_code)"
    )
    con.execute(
        "CREATE TABLE mart.build_info AS SELECT DATE '2024-12-01' AS data_as_at, "
        "'2023-24' AS current_fy"
    )
    return con


@pytest.fixture
def snap() -> Iterator[None]:
    with serving(_snapshot()):
        yield


def test_years_and_the_latest_complete_cohort(snap: None) -> None:
    from datetime import date

    assert attrition.cohort_years() == ("2023-24", "2022-23")
    assert attrition.default_year(("2024-25", "2023-24"), date(2024, 12, 1)) == "2023-24"
    assert attrition.cohort_for("2022-23", date(2024, 12, 1)) == ("2022-23", None)
    year, note = attrition.cohort_for("2023-24-Q2", date(2024, 12, 1))
    assert year == "2023-24" and note and "2023-24" in note


def test_force_beside_national_with_court_stages(snap: None) -> None:
    att = attrition.attrition("2023-24", "kent", "Kent")
    assert att.headline == (
        "Of 200 rape offences recorded in 2023-24 in Kent, 10.0% had led to a conviction "
        "by 30 Nov 2024."
    )
    kent = att.plot[att.plot["org"] == "Kent"]
    assert list(kent["label"]) == [s for _, s in attrition.STAGES]
    assert list(kent["value"]) == [100.0, 75.0, 20.0, 15.0, 10.0]
    frame = att.frame.set_index("Stage")
    assert frame.loc["Recorded", "Kent: offences"] == "200"
    assert frame.loc["Convicted", "Kent: % of recorded"] == "10.0%"
    assert frame.loc["Convicted", "England and Wales: % of recorded"] == "10.0%"
    assert frame.loc["Charged", "England and Wales: offences"] == "50"
    # national covers only the Areas that sent, and says so; Kent's own Area has sent
    assert not any("Court outcomes not yet sent by" in n for n in att.notes)
    assert any("1 of 2 Areas have not yet sent" in n for n in att.notes)


def test_force_not_yet_sent_never_zero(snap: None) -> None:
    att = attrition.attrition("2023-24", "surrey", "Surrey")
    surrey = att.plot[att.plot["org"] == "Surrey"].set_index("label")
    assert pd.isna(surrey.loc["Completed at court", "value"])
    assert surrey.loc["Convicted", "text"] == "not yet sent"
    frame = att.frame.set_index("Stage")
    assert frame.loc["Convicted", "Surrey: % of recorded"] == "not yet sent"
    assert frame.loc["Convicted", "Surrey: offences"] == ""
    assert frame.loc["Charged", "Surrey: % of recorded"] == "10.0%"
    assert att.headline == (
        "Of 100 rape offences recorded in 2023-24 in Surrey, 10.0% had been charged; "
        "court outcomes are not yet sent."
    )
    assert "Court outcomes not yet sent by CPS South Surrey: the court stages are not shown." in (
        att.notes
    )


def test_cohort_size_when_every_published_stage_is_suppressed(snap: None) -> None:
    """Sussex: referral and charge suppressed, court not yet sent: the cohort's size is the
    year's recorded count (volume.recorded, the same offences), not "no data"."""
    att = attrition.attrition("2023-24", "sussex", "Sussex")
    frame = att.frame.set_index("Stage")
    assert frame.loc["Recorded", "Sussex: % of recorded"] == "100%"
    assert frame.loc["Recorded", "Sussex: offences"] == "40"
    assert frame.loc["Convicted", "Sussex: % of recorded"] == "not yet sent"
    assert att.headline == (
        "Of 40 rape offences recorded in 2023-24 in Sussex, suppressed (count of 1-4) had been "
        "charged; court outcomes are not yet sent."
    )


def test_national_headline(snap: None) -> None:
    att = attrition.attrition("2022-23")
    assert att.headline == (
        "Of 200 rape offences recorded in 2022-23, 10.0% had led to a conviction by 30 Nov 2024."
    )
    assert list(att.plot["org"].unique()) == ["England and Wales"]


def test_stage_three_tiles_say_not_yet_sent(snap: None) -> None:
    """The stage-three tiles' coverage rule (dashboard.data.headline.court_scope): a force
    whose Area has not sent has "not yet sent" on every tile, never a zero; one whose Area
    has sent has its figures; national covers the Areas that sent and says which have not."""
    from dashboard.data import headline as hd

    assert hd.court_scope(hd.Scope("Kent", "kent")) == (None, None)
    words, note = hd.court_scope(hd.Scope("Surrey", "surrey"))
    assert words == "Court outcomes not yet sent by CPS South Surrey"
    assert note == f"{words}: the stage-three figures for Surrey are not shown."
    words, note = hd.court_scope(hd.Scope("England and Wales"))
    assert words is None and note and "1 of 2 have not yet sent (CPS South Surrey)" in note

    ids = [m.id for m in hd.court_metrics()]
    assert "rate.conviction" in ids and "volume.completed" in ids
    assert "time.charge_to_completion" in ids and "engage.withdrawal_after_charge" in ids
    assert "flow.attrition" not in ids  # the cohort has its own view

    m = next(m for m in hd.court_metrics() if m.id == "rate.conviction")
    rows = hd.mart_rows([("joint", "kent")], ["2023-24", "2022-23"])
    idx, _ = hd.indexed(rows)
    figures = hd._Figures(hd.Scope("Surrey", "surrey"), "2023-24", "2022-23", None, "", idx, {})
    unsent = figures.tile(m, "Court outcomes not yet sent by CPS South Surrey")
    assert unsent.value == "not yet sent" and "0" not in unsent.value
    assert unsent.change == "Court outcomes not yet sent by CPS South Surrey."
    assert unsent.position == "not compared with national"
