"""Extracts reproducing the inspection's published case-file figures (domain.md), and the
export returning them: 502 files = 352 police NFA (173 specialist, mean 49 days from report;
179 non-specialist, mean 108 days; outcome 16 in 136) + 90 CPS NFA (early advice requested in
12) + 60 admin finalised; victim ethnicity not recorded in 167 of 502."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import export


def spread(n: int, mean: int) -> list[int]:
    """n whole-day spans with exactly the given mean: mean-1, mean+1 pairs (+ mean if odd)."""
    out = [mean - 1, mean + 1] * (n // 2)
    return out + [mean] * (n % 2)


@pytest.fixture(scope="module")
def casefiles() -> Warehouse:
    w = Warehouse()
    out = d("2023-09-01")
    police: list[dict] = []
    # 352 police NFA files: 136 outcome 16, the rest 14/15/18/21
    others = ["14", "15", "18", "21"]
    nfa_days = [("specialist", s) for s in spread(173, 49)]
    nfa_days += [("non_specialist", s) for s in spread(179, 108)]
    for i, (team, span) in enumerate(nfa_days):
        police.append(
            {
                "team_type": team,
                "outcome_code": "16" if i < 136 else others[i % 4],
                "outcome_date": out,
                "recorded_date": out - timedelta(days=span),
            }
        )
    # 90 CPS NFA files (early advice sought in 12) and 60 admin finalised, linked by URN
    for i in range(150):
        police.append(
            {
                "first_referral_date": d("2023-06-01"),
                "cps_urn": f"u{i}",
                "recorded_date": d("2023-05-01"),
                "early_advice": "sought" if i < 12 else "not_sought",
            }
        )
    # ethnicity not recorded in 167 of the 502
    for i, row in enumerate(police):
        row["victim_ethnicity"] = "u" if i % 3 == 0 and i < 501 else "white"
    assert sum(r["victim_ethnicity"] == "u" for r in police) == 167
    w.police("kent", police)
    w.cps(
        "cps_south_east",
        [
            {
                "urn": f"u{i}",
                "received_date": d("2023-06-01"),
                "decision": "nfa" if i < 90 else "admin_finalised",
                "decision_date": d("2023-10-01"),
            }
            for i in range(150)
        ],
    )
    w.build()
    return w


def row(rows, metric, stat, breakdown="", basis="period"):
    got = [
        r
        for r in rows
        if r["metric_id"] == metric
        and r["stat"] == stat
        and r["breakdown"] == breakdown
        and r["basis"] == basis
    ]
    assert len(got) == 1, (metric, stat, breakdown, got)
    return got[0]


def test_export_returns_the_published_figures(casefiles: Warehouse) -> None:
    rows = export.rows(casefiles.con, level="national", period="2023-24")
    spec = row(rows, "time.report_to_police_nfa", "mean", "team_type=specialist")
    non = row(rows, "time.report_to_police_nfa", "mean", "team_type=non_specialist")
    assert (spec["denominator"], spec["value"]) == (173, 49)
    assert (non["denominator"], non["value"]) == (179, 108)
    total = row(rows, "time.report_to_police_nfa", "mean")
    # (173 * 49 + 179 * 108) / 352 = 27809 / 352 = 79.0 (the report's 79 days)
    assert total["denominator"] == 352
    assert round(total["value"]) == 79
    o16 = row(rows, "mix.outcome", "rate", "police_nfa_outcome=16")
    assert (o16["numerator"], o16["denominator"]) == (136, 352)
    ea = row(rows, "quality.early_advice", "rate", "cps_decision=nfa")
    assert (ea["numerator"], ea["denominator"]) == (12, 90)
    eth = row(rows, "equality.recorded", "rate", "characteristic=ethnicity")
    assert eth["denominator"] == 502
    assert eth["denominator"] - eth["numerator"] == 167
    af = row(rows, "quality.admin_finalised", "rate")
    assert (af["numerator"], af["denominator"]) == (60, 150)
    for r in rows:
        assert list(r) == list(export.COLUMNS)
