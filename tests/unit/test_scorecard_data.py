"""The scorecard pages' data functions on a small hand-built mart (no generator, no app):
period arithmetic, change on the previous period and a year earlier, suppression shown as
text, the recommendations roll-up, the joint area table and unknown-force handling."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from dashboard.data import area as area_data
from dashboard.data import headline as headline_data
from dashboard.data import national as national_data
from dashboard.data import scorecard as sd
from dashboard.data import source
from dashboard.ui import wording
from dashboard.ui.wording import POSITION_NONE
from scorecard import periods
from tests.helpers.serving import FakeReader, serving
from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import catalogue


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    """Kent: 30 offences in 2022-23 and 40 in 2023-24, some with an ISVA referral; Surrey: 3
    offences (a suppressed count); two recommendation returns."""
    w = Warehouse()
    w.police(
        "kent",
        [{"recorded_date": d("2022-05-10"), "isva_referral": i < 12} for i in range(30)]
        + [{"recorded_date": d("2023-05-10"), "isva_referral": i < 24} for i in range(40)],
    )
    w.police("surrey", [{"recorded_date": d("2023-06-01")}] * 3)
    w.rec_updates(
        "kent",
        [
            {"rec_no": 1, "status": "implemented", "updated_on": d("2023-06-01")},
            {"rec_no": 7, "status": "not_applicable", "updated_on": d("2023-06-01")},
        ],
    )
    w.build()
    return w


@pytest.fixture
def built(wh: Warehouse) -> Iterator[Warehouse]:
    """Every read of the test goes to the module's warehouse (the one query seam)."""
    with serving(wh.con):
        yield wh


def test_previous_and_year_earlier_periods() -> None:
    assert periods.previous_period("2023-24") == "2022-23"
    assert periods.year_earlier("2023-24") == "2022-23"
    assert periods.previous_period("2023-24-Q1") == "2022-23-Q4"
    assert periods.previous_period("2023-24-Q3") == "2023-24-Q2"
    assert periods.year_earlier("2023-24-Q3") == "2022-23-Q3"
    assert periods.previous_period("1999-00") == "1998-99"


def test_change_text_arithmetic_and_suppression() -> None:
    row = lambda v, s=None: {"value": v, "suppressed": s}  # noqa: E731
    assert sd.change_text(row(40.0), row(30.0), "count") == "+10 (+33.3%)"
    assert sd.change_text(row(27.0), row(30.0), "count") == "−3 (−10.0%)"
    assert sd.change_text(row(60.0), row(40.0), "percent") == "+20.0 percentage points"
    assert sd.change_text(row(100.0), row(100.4), "days") == "±0 days"
    assert sd.change_text(row(10.2), row(9.45), "per_100") == "+0.8 per 100"
    assert sd.change_text(row(5.0), row(0.0), "count") == "+5"
    assert sd.change_text(row(40.0), None, "count") == "no earlier figure"
    got = sd.change_text(row(None, "small_count"), row(30.0), "count")
    assert got.startswith("not compared") and "count of 1-4" in got and "0" not in got[:14]


def test_resolve_period() -> None:
    info = sd.PeriodInfo((("2023-24", "FY"), ("2023-24-Q1", "Q1")), "2023-24", None)
    assert sd.resolve_period(None, info) == ("2023-24", None)
    assert sd.resolve_period("2023-24-Q1", info) == ("2023-24-Q1", None)
    period, msg = sd.resolve_period("garbage", info)
    assert period == "2023-24" and msg and "not a financial year" in msg
    period, msg = sd.resolve_period("2019-20", info)
    assert period == "2023-24" and msg and "No figures" in msg


def test_period_info_defaults_to_the_latest_complete_year(built: Warehouse) -> None:
    info = sd.period_info()
    assert info.default == "2023-24"  # as at 2024-03-31: 2023-24 is complete
    assert "2022-23" in info.values and "2023-24-Q1" in info.values
    assert info.values.index("2023-24") < info.values.index("2023-24-Q1")  # years first


def test_national_scorecard_values_and_changes(built: Warehouse) -> None:
    card = national_data.national_scorecard("2023-24", "2023-24-Q4")
    groups = {key: frame for key, _, frame in card.groups}
    themes = ("volume", "timeliness", "engagement", "quality", "other")
    assert list(groups) == [k for k in themes if k in groups]  # grouped by theme, in order
    vol = groups["volume"]
    # A financial year's previous period is the year earlier: one column per meaning.
    assert "Previous quarter" not in vol.columns and "Previous period" not in vol.columns
    assert list(vol.columns)[-1] == "SPC, Quarter 4 of 2023-24"
    rec = vol[vol["Metric"] == "Adult rape offences recorded"].iloc[0]
    assert rec["Value"] == "43" and rec["Year earlier"] == "30"
    assert rec["Change on year earlier"] == "+13 (+43.3%)"
    engage = groups["engagement"]
    isva = engage[engage["Metric"] == "Victims referred to an ISVA"].iloc[0]
    assert isva["Value"] == "55.8%" and isva["Year earlier"] == "40.0%"  # 24/43, 12/30
    assert isva["Change on year earlier"] == "+15.8 percentage points"
    # Every cell is text: nothing numeric that could be mistaken for a zero.
    for frame in groups.values():
        assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    # A quarter has both meanings: the previous quarter and the same quarter a year earlier.
    q = national_data.national_scorecard("2023-24-Q1", "2023-24-Q1")
    cols = list(q.groups[0][2].columns)
    assert {"Previous quarter", "Change on previous quarter", "Year earlier"} <= set(cols)


def test_headline_tiles_and_attention(built: Warehouse) -> None:
    info = sd.period_info()
    head = headline_data.headline(headline_data.Scope("England and Wales"), "2023-24",
                                  info.data_as_at)  # fmt: skip
    assert head.year_earlier == "2022-23" and head.spc_quarter == "2023-24-Q4"
    tiles = {t.metric_id: t for t in head.tiles}
    assert set(tiles) == {m.id for m in catalogue.headline()}
    rec = tiles["volume.recorded"]
    # 43 vs 30 offences: exact Poisson p = 0.17 -> no significant change (neutral metric)
    assert rec.value == "43" and rec.judgement == "no_change"
    assert rec.change == "● +13 (+43.3%) on 2022-23: no significant change"
    isva = tiles["engage.isva"]  # 24/43 vs 12/30: z = 1.32, p = 0.19
    assert isva.judgement == "no_change" and isva.method == "two-proportion z-test"
    assert all("Quarter 4 of 2023-24" in t.spc for t in head.tiles)
    assert all(t.position is None for t in head.tiles)  # national: no position line
    assert [t.theme for t in head.tiles] == sorted(
        (t.theme for t in head.tiles), key=list(catalogue.THEMES).index
    )
    overdue = [a for a in head.attention if a.kind == "overdue"]
    assert overdue and all(a.href.startswith("/recommendations/") for a in overdue)
    kent = area_data.force_info("kent")
    assert kent is not None
    scope = headline_data.Scope(kent.name, kent.code, (kent.code, *(a.code for a in kent.areas)))
    area_head = headline_data.headline(scope, "2023-24", info.data_as_at)
    assert all(t.position is not None for t in area_head.tiles)
    area_overdue = [a for a in area_head.attention if a.kind == "overdue"]
    # Kent's own rows only (and its Area's): never another force's
    assert all("Kent" in a.text or "CPS" in a.text for a in area_overdue)
    frame = headline_data.tile_frame(area_head, area=True)
    assert list(frame.columns)[-1] == "Against national" and len(frame) == len(area_head.tiles)


def test_recommendation_rollup_counts(built: Warehouse) -> None:
    w = built
    roll = national_data.recommendation_rollup()
    assert list(roll["Recommendation"]) == [str(n) for n in range(1, 14)]
    for r in roll.itertuples():
        assert int(r.Green) + int(r.Amber) + int(r.Red) + int(r.Grey) == int(r.Owners)
    owners = w.con.execute("SELECT count(*) FROM ref.recommendation_owners").fetchone()[0]
    assert sum(int(x) for x in roll["Owners"]) == owners
    rec1 = roll[roll["Recommendation"] == "1"].iloc[0]
    assert int(rec1["Green"]) == 1 and int(rec1["Owners"]) == 43  # Kent implemented
    rec7 = roll[roll["Recommendation"] == "7"].iloc[0]
    assert int(rec7["Grey"]) == 1


def test_unknown_force_and_the_met_has_two_areas(built: Warehouse) -> None:
    assert area_data.force_info("nope") is None
    assert area_data.force_info("") is None
    assert area_data.force_info("x" * 500) is None
    met = area_data.force_info("metropolitan")
    assert met is not None
    assert [a.code for a in met.areas] == ["cps_london_north", "cps_london_south"]


def test_area_table_side_by_side(built: Warehouse) -> None:
    kent = area_data.force_info("kent")
    assert kent is not None and [a.code for a in kent.areas] == ["cps_south_east"]
    frame = area_data.area_table(kent, "2023-24")
    area = kent.areas[0].name
    assert list(frame.columns) == area_data.area_columns(kent)
    rec = frame[frame["Metric"] == "Adult rape offences recorded"].iloc[0]
    assert rec[kent.name] == "40" and rec["National"] == "43"
    assert rec[area] == "force only"  # a police metric is not published for a CPS Area
    isva = frame[frame["Metric"] == "Victims referred to an ISVA"].iloc[0]
    # worded with the direction: better / worse / no different, never bare above/below
    assert isva[f"{kent.name}: against national"] in {
        wording.position_words("higher_is_better", p) for p in ("above", "within", "below")
    } | {POSITION_NONE}
    surrey = area_data.force_info("surrey")
    assert surrey is not None
    s = area_data.area_table(surrey, "2023-24")
    srec = s[s["Metric"] == "Adult rape offences recorded"].iloc[0]
    assert srec[surrey.name] == "suppressed (count of 1-4)"  # 3 offences: never shown as 3 or 0


def test_owned_recommendations(built: Warehouse) -> None:
    kent = area_data.force_info("kent")
    assert kent is not None
    recs = area_data.owned_recommendations([area_data.Org(kent.code, kent.name), *kent.areas])
    mine = recs[recs["Owner"] == kent.name]
    assert set(mine["Recommendation"]) >= {"1", "7"}
    assert mine[mine["Recommendation"] == "1"].iloc[0]["RAG"].startswith("Green")
    assert mine[mine["Recommendation"] == "7"].iloc[0]["RAG"].startswith("Grey")
    assert area_data.owned_recommendations([]).empty


def test_area_trend_quarters(built: Warehouse) -> None:
    kent = area_data.force_info("kent")
    assert kent is not None
    plot, shown, key, base = area_data.area_trend(kent, "volume.recorded")
    assert key == ("period", "count", "")
    # a count is indexed (never a force's count against the national count on one axis);
    # Kent has no year with every quarter here, so there is no base and no line
    assert base is None and all(v is None for v in plot["value"])
    assert set(shown[area_data.INDEX_COLUMN]) == {"no base year"}
    assert set(shown["Organisation"]) == {"National", kent.name}
    assert all(p.count("-Q") == 1 for p in shown["Quarter"])
    assert len(plot) == len(shown)


def test_snapshot_cache_is_per_snapshot(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeat read on the same snapshot is served from memory; a newly published snapshot
    (a new file) is read afresh, so a refresh is never hidden by the cache."""
    calls: list[str] = []
    snapshot = ["snap-1"]

    class Counting(FakeReader):
        def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
            calls.append(sql)
            return super().query(sql, params)

    with source.use(Counting(wh.con)):
        monkeypatch.setattr(source, "snapshot_key", lambda: snapshot[0])
        first = national_data.recommendation_rollup()
        n = len(calls)
        assert national_data.recommendation_rollup() is first and len(calls) == n
        snapshot[0] = "snap-2"
        national_data.recommendation_rollup()
        assert len(calls) == n + 1
    monkeypatch.undo()
    # a new stand-in is a new snapshot: read afresh
    with source.use(Counting(wh.con)):
        national_data.recommendation_rollup()
    assert len(calls) == n + 2


def test_withdrawal_breakdown_force_beside_national() -> None:
    """Kent: 16 withdrawals (6 during the investigation for time taken, 5 before giving an
    account from fear of the process, 1 awaiting the CPS with reason 'u', 4 outcome 16 after
    supporting at the outset with nothing recorded); Surrey: 3 after charge, reason other."""
    w = Warehouse()
    wd = {"withdrawal_date": d("2023-06-01")}
    later16 = {"outcome_code": "16", "outcome_date": d("2023-07-01"),
               "victim_supported_at_outset": True}  # fmt: skip
    w.police("kent", [{**wd, "withdrawal_stage": "investigation",
                       "withdrawal_reason": "time_taken"}] * 6
             + [{**wd, "withdrawal_stage": "before_account",
                 "withdrawal_reason": "fear_of_process"}] * 5
             + [{**wd, "withdrawal_stage": "awaiting_cps", "withdrawal_reason": "u"}]
             + [later16] * 4)  # fmt: skip
    w.police("surrey", [{**wd, "withdrawal_stage": "after_charge",
                         "withdrawal_reason": "other"}] * 3)  # fmt: skip
    w.build()
    with serving(w.con):
        kent = area_data.force_info("kent")
        assert kent is not None
        plot, shown = area_data.withdrawal_breakdown(kent, "2023-24")
    assert list(shown.columns) == ["Withdrawal by", "Category", kent.name, "National"]
    cells = {(r[0], r[1]): (r[2], r[3]) for r in shown.itertuples(index=False)}
    # Categories in the contract's order, stages first; 'u' is not recorded, never shown.
    assert [c for g, c in cells if g == "Stage"] == [
        "Before giving an account", "During the investigation", "Awaiting the CPS decision",
        "After charge", "Not recorded"]  # fmt: skip
    assert not any(c in ("u", "U") for _, c in cells)
    # investigation: Kent 6/16 = 37.5%; national 6/19 = 31.6%
    assert cells[("Stage", "During the investigation")] == ("37.5%", "31.6%")
    # awaiting CPS: 1 withdrawal -> suppressed in both, with the reason, never 0
    assert cells[("Stage", "Awaiting the CPS decision")] == ("suppressed (count of 1-4)",) * 2
    # after charge: Kent has none of 16 (a real 0.0%); national 3 of 19 -> suppressed
    assert cells[("Stage", "After charge")] == ("0.0%", "suppressed (count of 1-4)")
    # reason not recorded: 'u' (1) + nothing (4) = 5 of 16 = 31.25 -> 31.2%; national 5/19
    assert cells[("Reason", "Not recorded")] == ("31.2%", "26.3%")
    # The plot has no number for a suppressed share, and says so in its text.
    hidden = plot[(plot["category"] == "Awaiting the CPS decision")]
    assert hidden["value"].isna().all() and hidden["text"].str.startswith("suppressed").all()
    inv = plot[(plot["category"] == "During the investigation") & (plot["org"] == kent.name)]
    assert inv["value"].tolist() == [37.5]
    # one axis label for the page's chart and the board pack's
    assert inv["label"].tolist() == ["Stage: During the investigation"]
