"""Whole-mart properties: no unsuppressed small count anywhere, deterministic rebuilds, funnel
and SPC tables from a build, recommendation status, and the export command."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import export, funnel

FORCES = ["kent", "surrey", "sussex", "essex", "norfolk", "suffolk", "cambridgeshire"]
AREAS = {"kent": "cps_south_east", "surrey": "cps_south_east", "sussex": "cps_south_east",
         "essex": "cps_east_of_england", "norfolk": "cps_east_of_england",
         "suffolk": "cps_east_of_england", "cambridgeshire": "cps_east_of_england"}  # fmt: skip


def random_warehouse(seed: int = 7) -> Warehouse:
    """Many small, varied counts across forces, quarters and breakdowns."""
    rng = random.Random(seed)
    w = Warehouse()
    cps: dict[str, list[dict]] = {}
    for f in FORCES:
        rows = []
        for i in range(rng.randint(5, 60)):
            rec = d("2020-04-01") + timedelta(days=rng.randint(0, 1400))
            r = {"recorded_date": rec, "victim_sex": rng.choice("fmxu"),
                 "victim_ethnicity": rng.choice(["white", "black", "asian", "u"]),
                 "team_type": rng.choice(["specialist", "non_specialist"]),
                 "isva_referral": rng.random() < 0.5,
                 "victim_supported_at_outset": rng.choice([True, False, None])}  # fmt: skip
            if rng.random() < 0.6:
                r["outcome_code"] = rng.choice(["1", "14", "15", "16", "18", "21", "10"])
                r["outcome_date"] = min(rec + timedelta(days=rng.randint(0, 300)),
                                        d("2024-03-31"))  # fmt: skip
            if rng.random() < 0.3:
                urn = f"{f}-u{i}"
                r |= {"first_referral_date": min(rec + timedelta(days=rng.randint(0, 200)),
                                                 d("2024-03-31")), "cps_urn": urn,
                      "early_advice": rng.choice(["sought", "not_sought"])}  # fmt: skip
                dec = rng.choice(["charge", "nfa", "admin_finalised", "pending"])
                cps.setdefault(AREAS[f], []).append({
                    "urn": urn, "police_force_code": f,
                    "received_date": r["first_referral_date"], "decision": dec,
                    "decision_date": None if dec == "pending" else min(
                        r["first_referral_date"] + timedelta(days=rng.randint(0, 90)),
                        d("2024-03-31")),
                    "file_standard_met": rng.random() < 0.7,
                })  # fmt: skip
            rows.append(r)
        w.police(f, rows)
    for area, rows in sorted(cps.items()):
        w.cps(area, rows)
    court_outcomes(w, cps.get(COURT_AREA, []), random.Random(seed + 1))
    return w


COURT_AREA = "cps_south_east"  # the East of England is a v1.0 sender: no court outcomes
COURT_RESULTS = ["convicted_rape", "convicted_other", "acquitted", "discontinued", "dismissed"]


def court_outcomes(w: Warehouse, cases: list[dict], rng: random.Random) -> None:
    """Court outcomes for the South East's charged cases (their own generator, so the police
    and CPS rows above stay as they were for every seed)."""
    end = d("2024-03-31")
    rows = []
    for c in cases:
        if c["decision"] != "charge":
            continue
        charged = c["decision_date"]
        hearing = min(charged + timedelta(days=rng.randint(0, 60)), end)
        r = {"urn": c["urn"], "charge_date": charged, "first_hearing_date": hearing,
             "ineffective_trials": rng.choice([0, 0, 0, 1, 2]),
             "special_measures": rng.choice([True, False, None]),
             "isva_at_trial": rng.choice([True, False, None])}  # fmt: skip
        done = charged + timedelta(days=rng.randint(60, 700))
        if done <= end:
            r |= {"completion_date": done, "outcome": rng.choice(COURT_RESULTS),
                  "trial_start_date": min(hearing + timedelta(days=30), done),
                  "victim_withdrew_after_charge": rng.choice([True, False, None])}  # fmt: skip
        rows.append(r)
    w.court(COURT_AREA, rows)


def test_no_unsuppressed_count_is_small() -> None:
    w = random_warehouse()
    w.build()
    rows = export.rows(w.con)
    assert len(rows) > 1000
    small = 0
    for r in rows:
        if r["suppressed"]:
            small += 1
            assert r["numerator"] is None and r["denominator"] is None and r["value"] is None
            assert r["lower_998"] is None and r["position"] is None
            continue
        for col in ("numerator", "denominator"):
            assert r[col] is None or not 1 <= r[col] <= 4, r
        if r["stat"] == "count":
            assert not 1 <= r["value"] <= 4, r
        if r["stat"] in ("rate", "mean", "median") and r["denominator"]:
            assert r["denominator"] >= 10, r
    assert small > 100  # the fixture really exercises suppression
    spc_rows = w.con.execute(
        "SELECT count(*) FROM mart.spc s JOIN mart.metric_values v USING (level, org_code, "
        "period, basis, metric_id, stat, breakdown) WHERE v.suppressed IS NOT NULL "
        "AND s.value IS NOT NULL").fetchone()[0]  # fmt: skip
    assert spc_rows == 0


def test_attrition_agrees_with_the_stage_metrics() -> None:
    """flow.attrition's charged stage is volume.charged's cohort (one offence per URN here;
    a force's CPS figures are at the joint level)
    and its completed and convicted stages are volume.completed's cohort counts; the stages
    only narrow; forces of the East of England (not yet sent) have no court stages."""
    w = random_warehouse()
    w.build()
    cells = w.con.execute(
        "SELECT a.level, a.org_code, a.period, a.breakdown, a.numerator, a.denominator, "
        "c.numerator FROM temp.metric_values_internal a LEFT JOIN temp.metric_values_internal c "
        "ON c.level = replace(a.level, 'force', 'joint') AND c.org_code = a.org_code "
        "AND c.period = a.period "
        "AND c.basis = 'cohort' AND c.stat = 'count' AND ((a.breakdown = 'reached=charged' "
        "AND c.metric_id = 'volume.charged' AND c.breakdown = '') OR (a.breakdown = "
        "'reached=completed' AND c.metric_id = 'volume.completed' AND c.breakdown = '') OR "
        "(a.breakdown = 'reached=convicted' AND c.metric_id = 'volume.completed' "
        "AND c.breakdown = 'result=successful')) "
        "WHERE a.metric_id = 'flow.attrition' AND a.level IN ('national', 'force')"
    ).fetchall()  # fmt: skip
    by = {(lv, org, p, b): (num, den, other) for lv, org, p, b, num, den, other in cells}
    checked = 0
    for (lv, org, p, b), (num, _den, other) in by.items():
        if b in ("reached=charged", "reached=completed", "reached=convicted"):
            assert num == (other or 0), (lv, org, p, b)
            checked += 1
        if b == "reached=convicted":
            assert num <= by[(lv, org, p, "reached=completed")][0]
        if b == "reached=completed":
            assert num <= by[(lv, org, p, "reached=charged")][0]
            assert AREAS.get(org, COURT_AREA) == COURT_AREA  # only forces that sent
    assert checked > 50
    sent = {f for f, a in AREAS.items() if a == COURT_AREA}
    with_court = {org for (lv, org, _, b) in by if lv == "force" and b == "reached=completed"}
    assert with_court == sent


def test_rebuild_is_deterministic() -> None:
    w = random_warehouse(3)
    w.build()
    tables = ["mart.metric_values", "mart.spc", "mart.recommendation_status"]
    first = {t: w.con.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    w.build()
    second = {t: w.con.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    assert first == second
    assert first["mart.spc"]


def test_funnel_limits_in_the_mart() -> None:
    # Ten forces with 100 offences each, 20% ISVA referrals except Kent (40%): p0 = 220/1000.
    w = Warehouse()
    forces = ["kent", "surrey", "sussex", "essex", "norfolk", "suffolk", "cambridgeshire",
              "hampshire", "dorset", "wiltshire"]  # fmt: skip
    for f in forces:
        k = 40 if f == "kent" else 20
        w.police(f, [{"isva_referral": True}] * k + [{"isva_referral": False}] * (100 - k))
    w.build()
    kent = w.one("engage.isva", "rate", level="force", org="kent")
    surrey = w.one("engage.isva", "rate", level="force", org="surrey")
    # z for the nine 20% forces: (0.2-0.22)/sqrt(.22*.78/100) = -0.4828; Kent +4.3452.
    # Winsorising (10/90%) pulls Kent to the 90th percentile: -0.4828 + 0.1*4.828 = 0.0;
    # phi = (9 * 0.2331) / 10 = 0.2098 < 1 -> no adjustment: limits 22 +/- 3.0902*4.1425
    assert kent["upper_998"] == pytest.approx(34.801, abs=1e-3)
    assert kent["lower_998"] == pytest.approx(9.199, abs=1e-3)
    assert kent["position"] == "above"
    assert surrey["position"] == "within"
    assert w.one("engage.isva", "rate")["position"] is None  # national has no position
    # the SQL funnel agrees with the Python reference implementation
    num = np.array([40.0] + [20.0] * 9)
    _, lims, pos = funnel.funnel_group(num, np.full(10, 100.0), 0.22)
    assert kent["upper_998"] == pytest.approx(lims[0].upper_998 * 100, abs=1e-5)
    assert pos[0] == "above"


def test_timeliness_compared_in_the_mart() -> None:
    """Mean and median days get a position (tests/unit/test_funnel.py works the numbers):
    nine forces refer in 10 or 30 days (mean 20), Kent in 60; national mean 24."""
    w = Warehouse()
    forces = ["kent", "surrey", "sussex", "essex", "norfolk", "suffolk", "cambridgeshire",
              "hampshire", "dorset", "wiltshire"]  # fmt: skip
    rec = d("2023-04-10")
    for f in forces:
        days = [60] * 20 if f == "kent" else [10, 30] * 10
        w.police(f, [{"recorded_date": rec, "first_referral_date": rec + timedelta(days=n)}
                     for n in days])  # fmt: skip
    w.build()
    kw = {"level": "force", "period": "2023-24"}
    kent = w.one("time.report_to_referral", "mean", org="kent", **kw)
    surrey = w.one("time.report_to_referral", "mean", org="surrey", **kw)
    phi, lims, pos = funnel.mean_funnel_group(
        np.array([60.0] + [20.0] * 9), np.full(10, 20.0), 24.0, (46800 / 199) ** 0.5
    )
    assert kent["upper_998"] == pytest.approx(lims[0].upper_998, abs=1e-5)
    assert kent["lower_998"] == pytest.approx(lims[0].lower_998, abs=1e-5)
    assert kent["phi"] == pytest.approx(phi, abs=1e-8)
    assert (kent["position"], surrey["position"]) == ("above", "within") == tuple(pos[:2])
    # medians: the sign test with over-dispersion leaves every force within
    for f in ("kent", "surrey"):
        assert w.one("time.report_to_referral", "median", org=f, **kw)["position"] == "within"
    assert w.one("time.report_to_referral", "mean", period="2023-24")["position"] is None


def test_spc_flags_a_shift_in_a_quarterly_series() -> None:
    w = Warehouse()
    rows = []
    start = date(2020, 4, 15)
    for q in range(16):  # 16 quarters 2020-21 Q1 .. 2023-24 Q4
        day = date(start.year + (start.month - 1 + 3 * q) // 12,
                   (start.month - 1 + 3 * q) % 12 + 1, 15)  # fmt: skip
        n = 20 if q < 12 else 40  # a step up in the last four quarters
        rows += [{"recorded_date": day}] * (n + (q % 2))
    w.police("kent", rows)
    w.build()
    spc_rows = w.con.execute(
        "SELECT period, value, special_cause, rules, is_latest, variation FROM mart.spc "
        "WHERE level = 'force' AND org_code = 'kent' AND metric_id = 'volume.recorded' "
        "ORDER BY seq").fetchall()  # fmt: skip
    assert len(spc_rows) == 16
    assert spc_rows[-1][0] == "2023-24-Q4" and spc_rows[-1][4]
    assert spc_rows[-1][2] is True and "beyond_limit" in spc_rows[-1][3]
    assert spc_rows[-1][5] == "special_cause_neither"  # volume has no better direction
    # the first 12 quarters sit below the raised mean (25.5): a run of 12 (low); the mean
    # moving range is small (~2.2) so they are also beyond the lower 2-sigma line
    assert all("run" in r[3] and "beyond_limit" not in r[3] for r in spc_rows[:12])


def test_recommendation_status() -> None:
    w = Warehouse()
    w.police("kent", [{}] * 12)  # as at 2024-03-31
    w.rec_updates("kent", [
        {"rec_no": 1, "status": "in_progress", "updated_on": d("2023-01-01"),
         "target_date": d("2024-12-31")},
        {"rec_no": 1, "status": "implemented", "updated_on": d("2023-06-01"),
         "evidence": "new form"},
        {"rec_no": 2, "status": "in_progress", "updated_on": d("2023-06-01"),
         "target_date": d("2024-06-30")},
        {"rec_no": 3, "status": "in_progress", "updated_on": d("2023-06-01")},
        {"rec_no": 7, "status": "not_applicable", "updated_on": d("2023-06-01")},
    ])  # fmt: skip
    w.build()
    got = {(r[0], r[1]): r[2:] for r in w.con.execute(
        "SELECT rec_no, owner_code, status, target_date, target_source, overdue, rag, "
        "last_updated_on FROM mart.recommendation_status").fetchall()}  # fmt: skip
    assert len(got) == w.con.execute("SELECT count(*) FROM ref.recommendation_owners").fetchone()[0]
    # latest status wins; the owner's target (from the earlier update) is kept
    assert got[(1, "kent")] == ("implemented", d("2024-12-31"), "owner", False, "green",
                                d("2023-06-01"))  # fmt: skip
    assert got[(2, "kent")][4] == "amber"  # target 2024-06-30 after the as-at date
    # rec 3 default due 2021-07-16 + 12 months = 2022-07-16 < 2024-03-31 -> overdue, red
    assert got[(3, "kent")][1:5] == (d("2022-07-16"), "default", True, "red")
    assert got[(7, "kent")][4] == "grey"
    assert got[(1, "surrey")][0] == "no_return" and got[(1, "surrey")][4] == "red"
    ev = w.con.execute(
        "SELECT DISTINCT metric_id, level, org_code, period FROM mart.recommendation_evidence "
        "WHERE rec_no = 1 AND owner_code = 'kent'").fetchall()  # fmt: skip
    assert ("equality.recorded", "joint", "kent", "2023-24") in ev


def test_export_command(tmp_path, monkeypatch) -> None:
    from scorecard_app.cli import app

    w = random_warehouse(5)
    w.build()
    db = tmp_path / "snap.duckdb"
    w.con.execute(f"ATTACH '{db}' AS snap")
    w.con.execute("CREATE SCHEMA snap.mart")
    w.con.execute("CREATE TABLE snap.mart.metric_values AS SELECT * FROM mart.metric_values")
    w.con.execute("DETACH snap")
    monkeypatch.setenv("SCORECARD_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    out = tmp_path / "m.csv"
    res = runner.invoke(app, ["metrics", "export", "--db", str(db), "--level", "force",
                              "--period", "2022-23", "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(export.COLUMNS)
    assert all(line.startswith("force,") for line in lines[1:]) and len(lines) > 10
    res = runner.invoke(app, ["metrics", "export", "--db", str(db), "--format", "json",
                              "--level", "national"])  # fmt: skip
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data and list(data[0]) == list(export.COLUMNS)
    con = duckdb.connect(str(db), read_only=True)
    assert len(data) == len(export.rows(con, level="national"))
    con.close()
    for args, msg in [(["--level", "county"], "unknown level"),
                      (["--period", "2023"], "not a financial year"),
                      (["--period", "2031-32"], "no figures"),
                      (["--format", "xml"], "unknown format")]:  # fmt: skip
        res = runner.invoke(app, ["metrics", "export", "--db", str(db), *args])
        assert res.exit_code == 2 and msg in res.output, res.output
    res = runner.invoke(app, ["metrics", "export", "--db", str(tmp_path / "nope.duckdb")])
    assert res.exit_code == 2 and "no DuckDB file" in res.output
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    res = runner.invoke(app, ["metrics", "export", "--db", str(bad)])
    assert res.exit_code == 2 and "cannot open" in res.output
