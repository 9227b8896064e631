"""SPC rules (Making Data Count): each triggered by a hand-built series; a stable one
triggers none."""

from __future__ import annotations

import numpy as np

from warehouse.metrics import spc

STABLE = [10.0, 12.0] * 7 + [10.0]  # alternates around 10.93: no rule can fire


def rules_at(values: list[float], i: int = -1) -> set[str]:
    return spc.analyse(np.array(values), chart="xmr").rules[i]


def test_stable_series_has_no_special_cause() -> None:
    res = spc.analyse(np.array(STABLE), chart="xmr")
    assert not any(res.special)
    assert spc.variation(res.special[-1], res.side[-1], "higher_is_better") == "common_cause"
    flat = spc.analyse(np.full(15, 7.0), chart="xmr")
    assert not any(flat.special)


def test_point_beyond_limit() -> None:
    # mean 184/15 = 12.27; mean moving range 44/14 = 3.14 -> UCL 12.27 + 2.66*3.14 = 20.6 < 30
    values = [10.0, 12.0] * 7 + [30.0]
    assert "beyond_limit" in rules_at(values)
    res = spc.analyse(np.array(values), chart="xmr")
    assert res.side[-1] == "high"
    assert spc.variation(True, "high", "higher_is_better") == "improving"
    assert spc.variation(True, "high", "lower_is_better") == "concerning"
    assert spc.variation(True, "low", "neutral") == "special_cause_neither"


def test_run_of_seven_on_one_side() -> None:
    # mean 168.5/15 = 11.23: exactly the last 7 (11.5) sit above it (the 9 before is below);
    # mean MR 30.5/14 = 2.18 -> sigma 1.93, 2-sigma lines 7.37 and 15.10 -> nothing else
    values = [13.0, 9.0] * 4 + [11.5] * 7
    assert rules_at(values) == {"run"}
    assert rules_at(values, -7) == {"run"}
    assert rules_at(values[:-1]) == set()  # six points are not a run


def test_trend_of_seven() -> None:
    values = [10.0, 12.0] * 4 + [10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4]
    assert "trend" in rules_at(values)
    assert "trend" not in rules_at(values[:-1])  # six increasing points are not a trend
    res = spc.analyse(np.array(values), chart="xmr")
    assert res.rules[7] == set()  # 12.0 starts no trend (10.2 is lower)


def test_two_of_three_beyond_two_sigma() -> None:
    # mean 177/15 = 11.8; mean MR 39/14 = 2.79 -> sigma 2.47: 2s line 16.74, 3s line 19.2;
    # 17 is between them, twice in the last three points
    values = [10.0, 12.0] * 6 + [17.0, 11.0, 17.0]
    assert rules_at(values) == {"two_of_three"}
    assert rules_at(values, -2) == set()  # 11 is not beyond the line
    assert rules_at(values, -3) == {"two_of_three"}


def test_p_chart_uses_denominators() -> None:
    den = np.full(15, 400.0)
    num = np.array([80.0, 92.0] * 7 + [140.0])  # 20% / 23% alternating, then 35%
    res = spc.analyse(num / den * 100, chart="p", num=num, den=den)
    # p = 1344 / 6000 = 0.224; 3 sigma at n = 400: 3 * sqrt(0.224 * 0.776 / 400) = 0.06255
    # -> UCL 0.2865 < 0.35; 2-sigma lines 0.1823 and 0.2657 hold every other point
    assert abs(res.centre - 0.224) < 1e-12
    assert abs(res.upper_3s[0] - 0.28655) < 1e-4
    assert "beyond_limit" in res.rules[-1]
    assert not any(res.special[:-1])
