"""Funnel limits against a reference calculation worked by hand (Spiegelhalter 2005,
multiplicative over-dispersion with 10% Winsorised z-scores)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warehouse.metrics import funnel


def test_limits_without_overdispersion_match_hand_calculation() -> None:
    # p0 = 0.2, n = 100: se = sqrt(0.2 * 0.8 / 100) = 0.04
    # 95%:   0.2 +/- 1.959964 * 0.04 = 0.2 +/- 0.0783986 -> (0.1216014, 0.2783986)
    # 99.8%: 0.2 +/- 3.090232 * 0.04 = 0.2 +/- 0.1236093 -> (0.0763907, 0.3236093)
    l95, u95, l998, u998 = funnel.limits(0.2, np.array([100.0]))
    assert l95[0] == pytest.approx(0.1216014, abs=1e-7)
    assert u95[0] == pytest.approx(0.2783986, abs=1e-7)
    assert l998[0] == pytest.approx(0.0763907, abs=1e-7)
    assert u998[0] == pytest.approx(0.3236093, abs=1e-7)


def test_overdispersion_reference_case() -> None:
    # Ten units, n = 100 each, p0 = 0.2 (se 0.04). Observed proportions and z = (y - 0.2)/0.04:
    y = np.array([0.10, 0.14, 0.18, 0.20, 0.20, 0.20, 0.22, 0.26, 0.30, 0.32])
    # z = -2.5, -1.5, -0.5, 0, 0, 0, 0.5, 1.5, 2.5, 3.0
    # 10th percentile (linear, position 0.9): -2.5 + 0.9 * 1.0 = -1.6
    # 90th percentile (position 8.1): 2.5 + 0.1 * 0.5 = 2.55
    # Winsorised: -1.6, -1.5, -0.5, 0, 0, 0, 0.5, 1.5, 2.5, 2.55
    # squares: 2.56 + 2.25 + 0.25 + 0 + 0 + 0 + 0.25 + 2.25 + 6.25 + 6.5025 = 20.3125
    # -> phi = 20.3125 / 10 = 2.03125
    n = np.full(10, 100.0)
    phi = funnel.overdispersion(y, n, 0.2)
    assert phi == pytest.approx(2.03125, abs=1e-9)
    # 99.8% limits at n = 100: 0.2 +/- 3.090232 * sqrt(2.03125) * 0.04
    half = 3.090232306167813 * math.sqrt(2.03125) * 0.04  # = 0.176171...
    assert half == pytest.approx(0.176171, abs=1e-6)
    num = y * n
    got_phi, lims, pos = funnel.funnel_group(num, n, 0.2)
    assert got_phi == pytest.approx(2.03125)
    assert lims[0].upper_998 == pytest.approx(0.2 + half)
    assert lims[0].lower_998 == pytest.approx(0.2 - half)
    # all ten within the widened 99.8% limits (0.0238, 0.3762); without phi 0.10 and 0.32 are out
    assert pos == ["within"] * 10
    _, _, l998, u998 = funnel.limits(0.2, n, 1.0)
    assert funnel.position(0.10, l998[0], u998[0]) == "within"  # 0.10 > 0.0764
    assert funnel.position(0.32, l998[0], u998[0]) == "within"
    assert funnel.position(0.33, l998[0], u998[0]) == "above"
    assert funnel.position(0.07, l998[0], u998[0]) == "below"


def test_underdispersion_never_narrows_limits_and_few_units_skip_phi() -> None:
    n = np.full(10, 100.0)
    y = np.full(10, 0.2)
    assert funnel.overdispersion(y, n, 0.2) == 0.0
    _, lims, _ = funnel.funnel_group(y * n, n, 0.2)
    assert lims[0].upper_998 == pytest.approx(0.3236093, abs=1e-7)  # phi_used = 1
    assert funnel.overdispersion(np.array([0.0, 1.0]), np.array([10.0, 10.0]), 0.5) == 1.0


def test_limits_are_clamped_and_per_100_uncapped() -> None:
    l95, u95, _, _ = funnel.limits(0.95, np.array([10.0]))
    assert u95[0] == 1.0 and l95[0] > 0.8
    _, u95b, _, _ = funnel.limits(0.95, np.array([10.0]), upper_cap=None)
    assert u95b[0] > 1.0


# Timeliness: ten units of 20 cases. Nine take 10 days (10 cases) and 30 days (10 cases), mean
# 20; one takes 60 days (20 cases). National: n = 200, sum 4,800, mean mu0 = 24; sum of
# squares 9,000 + 81,000 + 72,000 = 162,000, variance (162,000 - 4,800^2 / 200) / 199
# = 46,800 / 199 = 235.1759, sd0 = 15.33545; standard error at n = 20: 3.429110.
MEANS = np.array([60.0] + [20.0] * 9)
MU0, SD0 = 24.0, math.sqrt(46800 / 199)


def test_mean_funnel_hand_worked() -> None:
    # z: (20 - 24) / 3.429110 = -1.166484 (nine), (60 - 24) / 3.429110 = 10.498352.
    # 10th percentile -1.166484; 90th: -1.166484 + 0.1 * 11.664835 = 0 -> the 60 is pulled
    # in to 0. phi = 9 * 1.166484^2 / 10 = 9 * (16 * 20 / 235.1759) / 10 = 1.224615.
    phi, lims, pos = funnel.mean_funnel_group(MEANS, np.full(10, 20.0), MU0, SD0)
    assert phi == pytest.approx(1.224615, abs=1e-6)
    # 99.8% limits: 24 +/- 3.090232 * sqrt(1.224615) * 3.429110 = 24 +/- 11.72661
    assert lims[0].upper_998 == pytest.approx(35.72661, abs=1e-5)
    assert lims[0].lower_998 == pytest.approx(12.27339, abs=1e-5)
    assert pos == ["above"] + ["within"] * 9
    # few units: no over-dispersion estimate; limits never below 0 days
    phi2, lims2, _ = funnel.mean_funnel_group(np.array([1.0, 2.0]), np.array([2.0, 2.0]), 3, 20)
    assert phi2 == 1.0 and lims2[0].lower_998 == 0.0


def test_sign_test_hand_worked() -> None:
    # National median of the 200 cases: the 100th and 101st values are both 30. The 60-day
    # unit: 20 above, 0 below -> z = 20 / sqrt(20) = 4.472136; the others: 10 below (the
    # 30-day cases equal the median and are left out) -> z = -10 / sqrt(10) = -3.162278.
    # 10th percentile -3.162278, 90th -3.162278 + 0.1 * 7.634414 = -2.398836; phi =
    # (9 * 10 + 2.398836^2) / 10 = 9.575441; 4.472136 / sqrt(9.575441) = 1.445225: within.
    above = np.array([20.0] + [0.0] * 9)
    below = np.array([0.0] + [10.0] * 9)
    phi, pos = funnel.sign_test_group(above, below)
    assert phi == pytest.approx(9.575441, abs=1e-6)
    assert pos == ["within"] * 10
    # without over-dispersion (fewer than five units) the 60-day unit is above
    assert funnel.sign_test_group(above[:2], below[:2])[1] == ["above", "below"]
