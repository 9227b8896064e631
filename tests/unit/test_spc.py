"""SPC rules (Making Data Count): each triggered by a hand-built series; a stable one
triggers none. Baselines: recalculated once at a sustained shift, never for a stable series,
a lone spike or a shift too short to be sustained; run-in quarters are in no baseline."""

from __future__ import annotations

import numpy as np
import pytest

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
    assert abs(res.centre[0] - 0.224) < 1e-12
    assert abs(res.upper_3s[0] - 0.28655) < 1e-4
    assert "beyond_limit" in res.rules[-1]
    assert not any(res.special[:-1])


# A step of +10 after twelve quarters; the last pre-step point (10) is below the mean (11).
STEP = [12.0, 10.0] * 6 + [20.0, 22.0] * 6


def test_one_shift_recalculates_the_limits_once() -> None:
    # Candidates r = 8..16 (8 points before, 8 from r on). r = 8..11: the baseline mean of
    # x[0:r] is 11 or 11.09/11.11 and every window x[r:r+8] still holds a 10 or 12 on the
    # other side. r = 12: mean of x[0:12] = 132 / 12 = 11; x[12:20] = 20, 22, ... all above,
    # their mean 21 is 10 above (baseline sigma 2 / 1.128 = 1.77): a new baseline from point
    # 12. From there no r has 8 points before it and 8 after.
    res = spc.analyse(np.array(STEP), chart="xmr")
    assert res.recalculations == 1
    assert list(res.phase) == [1] * 12 + [2] * 12
    # each baseline's own limits: mean 11 then 21; every moving range inside is 2, so
    # sigma = 2 / 1.128 = 1.7730 and the limits are mean +/- 5.3191
    assert np.allclose(res.centre, [11.0] * 12 + [21.0] * 12)
    assert res.upper_3s[0] == pytest.approx(11 + 3 * 2 / 1.128)
    assert res.lower_3s[-1] == pytest.approx(21 - 3 * 2 / 1.128)
    assert not any(res.special)  # each baseline alternates around its own mean
    # One mean over both (16; mean moving range (22 * 2 + 10) / 23): the twelve points after
    # the step form a run above it and all twelve are special cause.
    centre, lo3, hi3, lo2, hi2 = spc.xmr_limits(np.array(STEP))
    before, _ = spc.apply_rules(np.array(STEP), centre, lo3, hi3, lo2, hi2)
    assert centre == 16.0
    assert all("run" in r for r in before[12:])


def test_stable_series_and_short_or_single_excursions_are_not_rebased() -> None:
    for values in (
        [10.0, 12.0] * 15,  # stable: every window of 8 straddles the mean
        # one spike: it lifts the running mean before r = 17 to 206 / 17 = 12.12, so the next
        # eight (10, 12, ...) are all below it, but only 1.12 below: less than the baseline
        # sigma, (2 * 15 + 18) / 16 / 1.128 = 2.66
        [10.0, 12.0] * 8 + [30.0] + [10.0, 12.0] * 4,
        [12.0, 10.0] * 6 + [20.0] * 7 + [10.0] * 6,  # seven high: a run, not a sustained shift
    ):
        res = spc.analyse(np.array(values), chart="xmr")
        assert res.recalculations == 0, values
        assert set(res.phase) == {1}
    spike = spc.analyse(np.array([10.0, 12.0] * 8 + [30.0] + [10.0, 12.0] * 4), chart="xmr")
    assert "beyond_limit" in spike.rules[16]
    seven = spc.analyse(np.array([12.0, 10.0] * 6 + [20.0] * 7 + [10.0] * 6), chart="xmr")
    assert all("run" in seven.rules[i] for i in range(12, 19))


def test_p_chart_shift_uses_the_pooled_proportion() -> None:
    # 11% / 9% of 100 for 12 quarters, then 29% / 31%: the baseline proportion before r = 12
    # is 120 / 1200 = 0.10 (before r = 11: 111 / 1100, and x[11] = 0.09 is below it) and the
    # next eight are 0.29-0.31: a new baseline from point 12, p = 360 / 1200 = 0.30.
    den = np.full(24, 100.0)
    num = np.array([11.0, 9.0] * 6 + [29.0, 31.0] * 6)
    res = spc.analyse(num, chart="p", num=num, den=den)
    assert res.recalculations == 1 and list(res.phase) == [1] * 12 + [2] * 12
    assert res.centre[0] == pytest.approx(0.10) and res.centre[-1] == pytest.approx(0.30)
    assert not any(res.special)


def test_run_in_quarters_are_in_no_baseline() -> None:
    # The referral-rate artefact: four high run-in quarters, then a stable series. They get
    # no limits and no flags; the baseline (mean 11) starts at the fifth point.
    values = [20.0, 21.0, 19.0, 22.0] + [10.0, 12.0] * 8
    res = spc.analyse(np.array(values), chart="xmr", run_in=4)
    assert list(res.phase) == [0] * 4 + [1] * 16
    assert np.isnan(res.centre[:4]).all() and np.isnan(res.upper_3s[:4]).all()
    assert res.rules[:4] == [set()] * 4 and not any(res.special)
    assert res.centre[4] == 11.0 and res.recalculations == 0
    # Counted in, they force a spurious new baseline at point 8: the mean of x[0:8] is
    # 126 / 8 = 15.75, the next eight (10, 12, ...) all lie below it, 4.75 lower, more than
    # the baseline sigma ((1 + 2 + 3 + 12 + 2 + 2 + 2) / 7 / 1.128 = 3.04).
    counted = spc.analyse(np.array(values), chart="xmr")
    assert counted.recalculations == 1 and counted.phase[8] == 2
    assert spc.is_run_in("2016-17-Q4") and not spc.is_run_in("2017-18-Q1")


def _random_series(rng: np.random.Generator) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """One series of a random shape: few distinct values (ties, points on the centre, flat
    steps), drifts (trends, runs), spikes (beyond limits); p-charts with small denominators."""
    n = int(rng.integers(1, 45))
    shape = rng.integers(0, 6)
    if rng.random() < 0.4:
        den = rng.integers(1, 60, n).astype(float)
        if shape == 0:
            den = np.full(n, float(rng.integers(1, 30)))
        p = rng.uniform(0, 1) if shape != 1 else rng.choice([0.0, 1.0])
        drift = np.linspace(0, rng.uniform(-0.5, 0.5), n) if shape == 2 else 0.0
        num = rng.binomial(den.astype(int), np.clip(p + drift, 0, 1)).astype(float)
        return "p", np.round(num / den * 100, 6), num, den
    if shape == 0:
        x = rng.integers(0, 4, n).astype(float)  # many ties
    elif shape == 1:
        x = np.full(n, float(rng.integers(0, 5)))
        x[rng.integers(0, n)] += rng.choice([-40.0, 40.0])
    elif shape == 2:
        x = np.cumsum(rng.choice([-1.0, 0.0, 1.0, 1.0, 2.0], n))  # drifts: trends and runs
    elif shape == 3:
        x = np.round(rng.normal(50, 10, n), int(rng.integers(0, 7)))
    elif shape == 4:
        x = np.round(rng.lognormal(3, 1, n), 6) * rng.choice([1, 1e-3, 1e4])
    else:  # steps: sustained shifts
        x = np.round(rng.normal(0, 1, n) + 5 * (np.arange(n) >= rng.integers(0, n)), 3)
    return "xmr", x, np.zeros(n), np.ones(n)


def test_analyse_many_equals_analyse_on_random_series() -> None:
    rng = np.random.default_rng(20240930)
    series = [_random_series(rng) for _ in range(3000)]
    lengths = np.array([len(s[1]) for s in series])
    run_in = rng.integers(0, 5, len(series)) * (rng.random(len(series)) < 0.3)
    res = spc.analyse_many(
        np.concatenate([s[1] for s in series]), lengths,
        np.array([s[0] == "p" for s in series]),
        num=np.concatenate([s[2] for s in series]), den=np.concatenate([s[3] for s in series]),
        run_in=run_in,
    )  # fmt: skip
    rules, sides = res.rules_text(), res.side_text()
    start, fired, rebased = 0, set(), 0
    for (chart, values, num, den), ri in zip(series, run_in, strict=True):
        ref = spc.analyse(values, chart=chart, num=num, den=den, run_in=int(ri))
        rebased += ref.recalculations > 0
        sl = slice(start, start + len(values))
        start += len(values)
        assert np.array_equal(res.centre[sl], ref.centre, equal_nan=True)
        assert np.array_equal(res.phase[sl], ref.phase)
        for got, want in ((res.lower_3s, ref.lower_3s), (res.upper_3s, ref.upper_3s),
                          (res.lower_2s, ref.lower_2s), (res.upper_2s, ref.upper_2s)):  # fmt: skip
            assert np.array_equal(got[sl], want, equal_nan=True)
        assert list(rules[sl]) == [",".join(sorted(r)) or None for r in ref.rules]
        assert list(sides[sl]) == ref.side
        fired |= set().union(*ref.rules)
    assert fired == set(spc.RULE_BITS)  # the random shapes exercise every rule
    assert rebased > 100  # and recalculation


def test_analyse_many_hand_built_rules() -> None:
    """The hand-built series above give the same flags set-wise, concatenated."""
    cases = [STABLE, [10.0, 12.0] * 7 + [30.0], [13.0, 9.0] * 4 + [11.5] * 7,
             [10.0, 12.0] * 4 + [10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4],
             [10.0, 12.0] * 6 + [17.0, 11.0, 17.0]]  # fmt: skip
    res = spc.analyse_many(np.concatenate(cases), np.array([len(c) for c in cases]),
                           np.zeros(len(cases), dtype=bool))  # fmt: skip
    ends = np.cumsum([len(c) for c in cases]) - 1
    assert list(res.rules_text()[ends]) == [None, "beyond_limit", "run", "trend", "two_of_three"]
    assert res.side_text()[ends[1]] == "high"


def test_round_like_python() -> None:
    rng = np.random.default_rng(7)
    a = np.concatenate([
        rng.normal(0, 100, 20000), np.round(rng.normal(0, 100, 20000), 7),
        np.arange(-2000, 2000) / 2e6 + 0.0000005, [0.0, -0.0, 1e300, -1e-9, np.nan, np.inf],
    ])  # fmt: skip
    got = spc.round_like_python(a)
    want = np.array([round(float(v), 6) for v in a])
    assert np.array_equal(got, want, equal_nan=True)
