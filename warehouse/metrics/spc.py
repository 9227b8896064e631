"""Statistical process control for quarterly series, with NHS England "Making Data Count"
rules (NHS England / NHS Improvement, "Making Data Count: Getting started", 2019).

Charts: a p-chart for rates (centre p = sum num / sum den over the series; limits
p +/- 3 sqrt(p(1-p)/n_i) per point, 2-sigma lines at +/- 2); an XmR chart for counts, means
and medians (centre = mean; sigma = mean moving range / 1.128, so the limits are
mean +/- 2.66 mean moving range). Rules, each flagging every point it covers:

- beyond_limit: a point above the upper or below the lower 3-sigma limit;
- run: 7 or more consecutive points on the same side of the centre (a point on the centre
  breaks a run);
- trend: 7 or more consecutive points each strictly higher (or lower) than the previous;
- two_of_three: 2 of 3 consecutive points beyond the same 2-sigma line (the points beyond it).

The latest point's icon: common_cause when it has no special cause; otherwise improving or
concerning from the side of the special cause and the metric's direction, or
special_cause_neither for metrics with no preferred direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RUN = 7
TREND = 7
MIN_POINTS = 12
MR_CONSTANT = 1.128  # d2 for moving ranges of two


@dataclass
class SpcResult:
    chart: str
    centre: float
    lower_3s: np.ndarray
    upper_3s: np.ndarray
    lower_2s: np.ndarray
    upper_2s: np.ndarray
    rules: list[set[str]] = field(default_factory=list)
    side: list[str | None] = field(default_factory=list)

    @property
    def special(self) -> list[bool]:
        return [bool(r) for r in self.rules]


def xmr_limits(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    centre = float(np.mean(x))
    mr = float(np.mean(np.abs(np.diff(x)))) if len(x) > 1 else 0.0
    sigma = mr / MR_CONSTANT
    ones = np.ones_like(x)
    return (centre, (centre - 3 * sigma) * ones, (centre + 3 * sigma) * ones,
            (centre - 2 * sigma) * ones, (centre + 2 * sigma) * ones)  # fmt: skip


def p_limits(
    num: np.ndarray, den: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    p = float(num.sum() / den.sum()) if den.sum() > 0 else 0.0
    sigma = np.sqrt(p * (1 - p) / den)
    return (p, np.clip(p - 3 * sigma, 0, 1), np.clip(p + 3 * sigma, 0, 1),
            np.clip(p - 2 * sigma, 0, 1), np.clip(p + 2 * sigma, 0, 1))  # fmt: skip


def apply_rules(
    x: np.ndarray, centre: float, lo3: np.ndarray, hi3: np.ndarray, lo2: np.ndarray,
    hi2: np.ndarray,
) -> tuple[list[set[str]], list[str | None]]:  # fmt: skip
    """Per point: the set of rules it triggers and the side (high/low) of the first rule."""
    n = len(x)
    rules: list[set[str]] = [set() for _ in range(n)]
    side: list[str | None] = [None] * n

    def mark(i: int, rule: str, s: str) -> None:
        rules[i].add(rule)
        if side[i] is None:
            side[i] = s

    for i in range(n):  # beyond a 3-sigma limit
        if x[i] > hi3[i]:
            mark(i, "beyond_limit", "high")
        elif x[i] < lo3[i]:
            mark(i, "beyond_limit", "low")
    for i in range(n - 2):  # two of three beyond the same 2-sigma line
        for s, beyond in (("high", x[i : i + 3] > hi2[i : i + 3]),
                          ("low", x[i : i + 3] < lo2[i : i + 3])):  # fmt: skip
            if beyond.sum() >= 2:
                for j in np.flatnonzero(beyond):
                    mark(i + int(j), "two_of_three", s)
    sign = np.sign(x - centre)
    start = 0
    for i in range(1, n + 1):  # runs on one side of the centre
        if i == n or sign[i] != sign[start] or sign[i] == 0:
            if sign[start] != 0 and i - start >= RUN:
                for j in range(start, i):
                    mark(j, "run", "high" if sign[start] > 0 else "low")
            start = i
    step = np.sign(np.diff(x))
    start = 0  # index into step; a trend of k steps covers k + 1 points
    for i in range(1, len(step) + 1):
        if i == len(step) or step[i] != step[start] or step[i] == 0:
            if step[start] != 0 and i - start + 1 >= TREND:
                for j in range(start, i + 1):
                    mark(j, "trend", "high" if step[start] > 0 else "low")
            start = i
    return rules, side


def analyse(
    values: np.ndarray, *, chart: str, num: np.ndarray | None = None,
    den: np.ndarray | None = None,
) -> SpcResult:  # fmt: skip
    """Limits and rule flags for one series (``chart`` 'p' needs num and den)."""
    x = np.asarray(values, dtype=float)
    if chart == "p":
        assert num is not None and den is not None
        centre, lo3, hi3, lo2, hi2 = p_limits(num, den)
        x = np.asarray(num, dtype=float) / np.asarray(den, dtype=float)
    elif chart == "xmr":
        centre, lo3, hi3, lo2, hi2 = xmr_limits(x)
    else:
        raise ValueError(f"unknown chart {chart!r}")
    rules, side = apply_rules(x, centre, lo3, hi3, lo2, hi2)
    return SpcResult(chart, centre, lo3, hi3, lo2, hi2, rules, side)


def variation(special: bool, side: str | None, direction: str) -> str:
    """Making Data Count variation icon for a point."""
    if not special or side is None:
        return "common_cause"
    if direction == "neutral":
        return "special_cause_neither"
    good = "high" if direction == "higher_is_better" else "low"
    return "improving" if side == good else "concerning"
