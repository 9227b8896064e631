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


def _random_series(rng: np.random.Generator) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """One series of a random shape: few distinct values (ties, points on the centre, flat
    steps), drifts (trends, runs), spikes (beyond limits); p-charts with small denominators."""
    n = int(rng.integers(1, 45))
    shape = rng.integers(0, 5)
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
    else:
        x = np.round(rng.lognormal(3, 1, n), 6) * rng.choice([1, 1e-3, 1e4])
    return "xmr", x, np.zeros(n), np.ones(n)


def test_analyse_many_equals_analyse_on_random_series() -> None:
    rng = np.random.default_rng(20240930)
    series = [_random_series(rng) for _ in range(3000)]
    lengths = np.array([len(s[1]) for s in series])
    res = spc.analyse_many(
        np.concatenate([s[1] for s in series]), lengths,
        np.array([s[0] == "p" for s in series]),
        num=np.concatenate([s[2] for s in series]), den=np.concatenate([s[3] for s in series]),
    )  # fmt: skip
    rules, sides = res.rules_text(), res.side_text()
    start, fired = 0, set()
    for chart, values, num, den in series:
        ref = spc.analyse(values, chart=chart, num=num, den=den)
        sl = slice(start, start + len(values))
        start += len(values)
        assert np.array_equal(res.centre[sl], np.full(len(values), ref.centre), equal_nan=True)
        for got, want in ((res.lower_3s, ref.lower_3s), (res.upper_3s, ref.upper_3s),
                          (res.lower_2s, ref.lower_2s), (res.upper_2s, ref.upper_2s)):  # fmt: skip
            assert np.array_equal(got[sl], want, equal_nan=True)
        assert list(rules[sl]) == [",".join(sorted(r)) or None for r in ref.rules]
        assert list(sides[sl]) == ref.side
        fired |= set().union(*ref.rules)
    assert fired == set(spc.RULE_BITS)  # the random shapes exercise every rule


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
