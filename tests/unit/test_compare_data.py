"""The compare page's data functions on a small hand-built warehouse: query-string parsing
with clear problems, period/breakdown fallbacks, force rates with suppression as text, funnel
curves that reproduce the mart's own limits (rates and mean days), positions worded with the
metric's direction, peer groups and the SPC table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.data import compare as cd
from dashboard.ui.wording import not_compared_text, position_words
from tests.helpers.serving import serving
from tests.helpers.warehouse import Warehouse, d

# (offences recorded in FY 2022-23, of which referred in the year)
FORCES = {
    "kent": (60, 12),
    "surrey": (40, 5),
    "sussex": (50, 15),
    "hampshire": (80, 8),
    "thames_valley": (70, 9),
    "essex": (45, 6),
    "norfolk": (30, 9),
}


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    w = Warehouse()
    for force, (n, referred) in FORCES.items():
        rows = [
            {
                "recorded_date": d("2022-05-01"),
                # 31 to 151 days (Kent 90 more): in 2022-23, so the referral rate is as before
                "first_referral_date": d("2022-06-01")
                + timedelta(days=30 * (i % 5) + (90 if force == "kent" else 0)),
                "cps_urn": f"{force}-{i}",
            }
            if i < referred
            else {"recorded_date": d("2022-05-01")}
            for i in range(n)
        ]
        w.police(force, rows)
    w.police("city_of_london", [{"recorded_date": d("2022-05-01")}] * 3)  # suppressed base
    w.build()
    return w


@pytest.fixture
def snap(wh: Warehouse) -> Iterator[Warehouse]:
    with serving(wh.con):
        yield wh


def test_parse_query_defaults_and_clear_problems() -> None:
    sel = cd.parse_query({})
    assert (sel.metric, sel.basis, sel.peers, sel.problems) == (
        "rate.referral",
        "period",
        "region",
        [],
    )
    bad = cd.parse_query(
        {
            "metric": "volume.recorded",
            "basis": "sideways",
            "period": "2023",
            "force": "atlantis",
            "peers": "friends",
            "x": "1",
        }
    )
    text = " ".join(bad.problems)
    assert bad.metric == "rate.referral" and bad.force == "" and bad.period is None
    for word in ("volume.recorded", "sideways", "'2023'", "atlantis", "friends", "x"):
        assert word in text
    ok = cd.parse_query(
        {
            "metric": "engage.isva",
            "basis": "period",
            "period": "2022-23-Q2",
            "force": "kent",
            "peers": "configured",
        }
    )
    assert ok.problems == [] and ok.query()["force"] == "kent"
    assert cd.parse_query({"breakdown": cd.ALL_CASES, "force": cd.NO_FORCE}).query() == {
        "metric": "rate.referral",
        "basis": "period",
        "peers": "region",
    }


def test_comparable_metrics_come_from_the_catalogue() -> None:
    ids = [m.id for m in cd.comparable_metrics()]
    assert ids[0] == "rate.referral" and "volume.recorded" not in ids
    assert "workforce.rasso_capacity" not in ids  # funnel: false in the catalogue
    assert "rate.cps_charge" not in ids  # no force level
    assert "time.report_to_referral" in ids and cd.stat_of("time.report_to_referral") == "mean"
    assert cd.stat_of("quality.action_plans") == "rate"  # a ratio's mean is not timeliness
    # stage three: the joint metrics (force-level figures) are compared; the CPS-only ones
    # (conviction rate, first hearing: Area and joint levels only) and counts are not
    for mid in ("engage.withdrawal_after_charge", "engage.support_at_trial",
                "quality.ineffective_trials", "time.charge_to_completion"):  # fmt: skip
        assert mid in ids, mid
    assert cd.stat_of("time.charge_to_completion") == "mean"
    assert cd.stat_of("quality.ineffective_trials") == "rate"
    for mid in ("rate.conviction", "time.charge_to_first_hearing", "volume.completed"):
        assert mid not in ids, mid


def test_against_national_is_worded_with_direction() -> None:
    assert cd.against("above", None, "lower_is_better") == position_words(
        "lower_is_better", "above"
    )
    assert cd.against("above", None, "lower_is_better").startswith("significantly worse")
    assert cd.against("below", None, "lower_is_better").startswith("significantly better")
    assert cd.against("within", None, "higher_is_better") == "no different from national"
    assert cd.against("above", "small_base", "lower_is_better") == not_compared_text("small_base")
    assert not_compared_text("small_base") == "not compared: fewer than 10 cases"
    assert cd.against(None, None, "neutral") == "not compared: no figures for this period"


def test_timeliness_funnel_mean_and_median(snap: Warehouse) -> None:
    """Days from report to referral: mean days on the funnel, median beside it; the curves
    pass through every published force's limits; forces under 10 cases say why."""
    sel = cd.resolve(cd.parse_query({"metric": "time.report_to_referral", "period": "2022-23"}))
    assert sel.problems == [] and sel.period == "2022-23"
    rates = cd.force_rates(sel)
    nat = cd.national_rate(sel)
    assert nat is not None and nat["denominator"] == sum(r for _, r in FORCES.values())
    shown = rates.dropna(subset=["upper_998"])
    assert set(shown["org_code"]) == {"kent", "sussex"}  # 12 and 15 cases; the rest < 10
    kent = shown[shown["org_code"] == "kent"].iloc[0]
    assert kent["denominator"] == 12 and kent["median"] is not None
    assert kent["position"] in ("above", "within") and kent["median_position"] is not None
    curves = cd.funnel_curves(rates, nat, "days")
    assert curves is not None and curves.centre == pytest.approx(float(nat["value"]))
    for r in shown.itertuples():
        half = (r.upper_998 - curves.centre) / cd.funnel.Z998 * cd.funnel.Z95
        assert np.interp(r.denominator, curves.n, curves.upper_998) == pytest.approx(
            r.upper_998, abs=0.5
        )
        assert r.upper_95 == pytest.approx(curves.centre + half, abs=1e-3)
    table = cd.funnel_table(cd.with_roles(rates, "kent", ()), nat, "days", "lower_is_better")
    assert list(table.columns) == list(cd.DAYS_COLUMNS)
    k = table[table["Force"] == "Kent Police"].iloc[0]
    assert k["Mean days"].endswith("days") and k["Highlight"] == "selected"
    assert k["Mean against national"] == position_words("lower_is_better", kent["position"])
    surrey = table[table["Force"] == "Surrey Police"].iloc[0]
    assert surrey["Mean against national"] == "not compared: fewer than 10 cases"
    assert surrey["Median against national"] == "not compared: fewer than 10 cases"
    grid = {r["force"]: r for r in cd.grid_rows(rates, "days", "lower_is_better")}
    assert grid["Kent Police"]["median"] == round(float(kent["median"]))


def test_resolve_falls_back_to_a_period_with_figures(snap: Warehouse) -> None:
    sel = cd.resolve(cd.parse_query({"period": "2010-11"}))
    assert sel.period == "2022-23" or sel.period in cd.available_periods(
        "rate.referral", "period", ""
    )
    assert any("2010-11" in p for p in sel.problems)
    assert cd.resolve(cd.parse_query({"period": "2022-23"})).problems == []


def test_force_rates_all_43_with_suppression_as_text(snap: Warehouse) -> None:
    sel = cd.resolve(cd.parse_query({"period": "2022-23"}))
    rates = cd.force_rates(sel)
    assert len(rates) == 43
    kent = rates[rates["org_code"] == "kent"].iloc[0]
    assert (kent["numerator"], kent["denominator"], kent["value"]) == (12, 60, 20.0)
    table = cd.funnel_table(
        cd.with_roles(rates, "kent", ("surrey",)), cd.national_rate(sel), "per_100"
    )
    assert table.iloc[0]["Force"].startswith("England and Wales")
    assert table.iloc[0]["Rate"] == f"{100 * 64 / 378:.1f}"
    city = table[table["Force"].str.startswith("City of London")].iloc[0]
    assert city["Rate"].startswith("suppressed") and "fewer than 10" in city["Rate"]
    assert city["Against national"] == "not compared: fewer than 10 cases"
    assert city["Denominator"] == ""
    k = table[table["Force"].str.startswith("Kent")].iloc[0]
    assert (k["Highlight"], k["Rate"], k["Denominator"]) == ("selected", "20.0", "60")
    grid = {r["force"]: r for r in cd.grid_rows(rates, "per_100")}
    assert grid[city["Force"]]["value"] is None and "suppressed" in grid[city["Force"]]["note"]
    assert grid[k["Force"]]["value"] == 20.0


def test_choices_and_a_period_without_force_figures(snap: Warehouse) -> None:
    """Breakdowns and periods come from the one per-snapshot read; a period with no force
    figures still lists all 43 forces, every value missing (never zero), and no national."""
    assert cd.available_breakdowns("rate.referral", "period") == [""]
    periods = cd.available_periods("rate.referral", "period", "")
    assert "2022-23" in periods and periods == sorted(periods, reverse=True)
    assert cd.available_periods("rate.referral", "period", "view=nope") == []
    assert cd.available_breakdowns("no.such_metric", "period") == []
    sel = cd.Selection(metric="rate.referral", basis="period", period="2010-11")
    rates = cd.force_rates(sel)
    assert len(rates) == 43 and list(rates["name"]) == sorted(rates["name"])
    assert rates["value"].isna().all() and rates["suppressed"].isna().all()
    assert cd.national_rate(sel) is None
    # Kent's row comes with its own figures, merged onto the force list by code.
    got = cd.force_rates(cd.resolve(cd.parse_query({"period": "2022-23"})))
    kent = got[got["org_code"] == "kent"].iloc[0]
    assert (kent["name"], kent["numerator"], kent["denominator"]) == ("Kent Police", 12, 60)


def test_funnel_curves_reproduce_each_forces_published_limits(snap: Warehouse) -> None:
    sel = cd.resolve(cd.parse_query({"period": "2022-23"}))
    rates = cd.force_rates(sel)
    nat = cd.national_rate(sel)
    curves = cd.funnel_curves(rates, nat, "per_100")
    assert curves is not None and curves.centre == pytest.approx(100 * 64 / 378)
    shown = rates.dropna(subset=["upper_998"])
    assert len(shown) == len(FORCES)
    for r in shown.itertuples():
        for name in ("lower_95", "upper_95", "lower_998", "upper_998"):
            got = np.interp(r.denominator, curves.n, getattr(curves, name))
            # the grid is dense but not exact at every n; compare on an exact evaluation too
            exact = cd.funnel.limits(
                64 / 378, np.array([float(r.denominator)]), curves.phi, upper_cap=None
            )
            idx = ("lower_95", "upper_95", "lower_998", "upper_998").index(name)
            assert 100 * exact[idx][0] == pytest.approx(getattr(r, name), abs=1e-4)
            assert got == pytest.approx(getattr(r, name), abs=0.5)


def test_curves_use_the_phi_the_mart_published(snap: Warehouse) -> None:
    """The mart publishes one phi per funnel (mart.metric_values.phi, at least 1) and the
    curves use it as is; without one (no force figures) the limits are unadjusted."""
    sel = cd.resolve(cd.parse_query({"period": "2022-23"}))
    rates = cd.force_rates(sel)
    published = set(rates["phi"].dropna())
    assert len(published) == 1 and min(published) >= 1.0
    curves = cd.funnel_curves(rates, cd.national_rate(sel), "per_100")
    assert curves is not None and curves.phi == pytest.approx(published.pop())
    bare = pd.DataFrame({"denominator": [50, 60, 80, 40, 70], "phi": [None] * 5})
    nat = {"numerator": 55, "denominator": 300, "value": 100 * 55 / 300, "suppressed": None}
    unadjusted = cd.funnel_curves(bare, nat, "percent")
    assert unadjusted is not None and unadjusted.phi == 1.0
    assert unadjusted.upper_998.max() <= 100.0
    assert cd.funnel_curves(bare, {"suppressed": "small_base"}, "percent") is None


def test_peer_groups_region_configured_and_none() -> None:
    desc, peers = cd.peers_of("kent", "region")
    assert "South East" in desc and "kent" not in peers and "surrey" in peers
    desc, peers = cd.peers_of("merseyside", "configured")
    assert "peer group" in desc and "greater_manchester" in peers
    desc, peers = cd.peers_of("kent", "configured")  # in no configured group
    assert desc.startswith("no configured peer group") and "surrey" in peers
    assert cd.peers_of("kent", "none") == ("", ())
    for codes in cd.configured_peer_groups().values():
        assert set(codes) <= set(cd.force_names())


def test_spc_series_and_table(snap: Warehouse) -> None:
    sel = cd.resolve(cd.parse_query({"period": "2022-23"}))
    national = cd.spc_series(sel, None)
    kent = cd.spc_series(sel, "kent")
    assert set(kent["period"]) <= set(national["period"]) or kent.empty
    series = pd.DataFrame(
        {
            "period": ["2022-23-Q1", "2022-23-Q2"],
            "value": [12.0, None],
            "centre": [10.0, 10.0],
            "lower_3s": [2.0, None],
            "upper_3s": [18.0, None],
            "special_cause": [True, None],
            "rules": ["beyond_limit,run", None],
            "cause_side": ["high", None],
            "suppressed": [None, "small_count"],
        }
    )
    table = cd.spc_table(series, "per_100", "higher_is_better")
    assert table.iloc[0]["Special cause"] == "yes, high (improving)"
    assert table.iloc[0]["Rules"] == "beyond limit, run"
    assert table.iloc[1]["Value"].startswith("suppressed (count of 1-4)")
    assert (
        cd.spc_table(series, "percent", "lower_is_better")
        .iloc[0]["Special cause"]
        .endswith("(concerning)")
    )


def test_spc_baselines_on_the_chart_and_in_the_table() -> None:
    """Run-in quarters shaded and named; a dotted line and "new baseline from <quarter>"
    where the limits were recalculated; the table names each quarter's baseline."""
    from dashboard.ui.charts import spc as marks

    quarters = ["2016-17-Q3", "2016-17-Q4", "2017-18-Q1", "2017-18-Q2", "2017-18-Q3"]
    shapes, notes = marks.baseline_marks(quarters, [0, 0, 1, 1, 2])
    assert [s["type"] for s in shapes] == ["rect", "line"]
    assert (shapes[0]["x0"], shapes[0]["x1"], shapes[1]["x0"]) == (-0.5, 1.5, 3.5)
    assert [n["text"] for n in notes] == [marks.RUN_IN_SHORT, "new baseline from 2017-18-Q3"]
    assert marks.baseline_marks(quarters, [1] * 5) == ([], [])  # stable: nothing drawn
    series = pd.DataFrame({"period": quarters, "value": [1.0] * 5, "centre": [1.0] * 5,
                           "lower_3s": [0.0] * 5, "upper_3s": [2.0] * 5,
                           "special_cause": [False] * 5, "rules": [None] * 5,
                           "cause_side": [None] * 5, "suppressed": [None] * 5,
                           "phase": [0, 0, 1, 1, 2]})  # fmt: skip
    assert list(cd.spc_table(series, "percent", "neutral")["Baseline"]) == [
        marks.RUN_IN_LABEL, marks.RUN_IN_LABEL, "from 2017-18-Q1", "from 2017-18-Q1",
        "from 2017-18-Q3",
    ]  # fmt: skip
