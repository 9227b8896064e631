"""Is the change between a figure and the same period a year earlier more than chance?

One pure function, :func:`change_test`, used by the headline scorecard tiles and the board
pack, so a change is judged the same way everywhere. The test follows the statistic:

- percentage of cases (``percent``): two-proportion z-test with the pooled proportion,
  ``z = (p1 - p0) / sqrt(p (1 - p) (1/n1 + 1/n0))``;
- count (``count``): the two counts as Poisson with equal exposure; conditional on their
  total, the first is binomial with p = 1/2 under no change (exact two-sided binomial test);
- a flow per 100 of another flow (``per_100``, e.g. referrals per 100 offences): Poisson
  rate comparison; conditional on the numerators' total, the first is binomial with
  p = n1 / (n1 + n0) under no change (exact two-sided binomial test);
- mean days (``mean``): z-test on the difference of means, ``sqrt(s1²/n1 + s0²/n0)``, using
  each period's standard deviation where published; where it is not, the spread of a
  waiting time is taken as equal to its mean (coefficient of variation 1, as for an
  exponential wait) and the result says so;
- median days: not tested (no spread is published for a median).

Significance is two-sided at 5% (``ALPHA``). The caller words the result with the metric's
direction (improving / worsening / no significant change; a neutral metric "changed").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _st

ALPHA = 0.05
METHODS = {
    "percent": "two-proportion z-test",
    "count": "exact Poisson test on the two counts",
    "per_100": "exact Poisson test on the two rates",
    "mean": "z-test on the two means",
    "mean_assumed": "z-test on the two means (spread taken as equal to the mean)",
    "median": "not tested (no spread published for a median)",
}


@dataclass(frozen=True)
class Figure:
    """One period's published figure: value, and what it rests on (None when unknown)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    sd: float | None = None


@dataclass(frozen=True)
class Change:
    """The difference (now minus before), whether it was tested, its p-value and whether it
    is significant at :data:`ALPHA`; ``method`` names the test in words."""

    difference: float | None
    tested: bool
    p_value: float | None
    significant: bool
    method: str

    @property
    def sign(self) -> int:
        """+1 up, -1 down, 0 no difference (or none)."""
        if self.difference is None or self.difference == 0:
            return 0
        return 1 if self.difference > 0 else -1


def _binom_p(k: int, n: int, p: float) -> float:
    if n <= 0 or not 0.0 < p < 1.0:
        return 1.0
    return float(_st.binomtest(k, n, p).pvalue)


def _z_p(z: float) -> float:
    return float(2.0 * _st.norm.sf(abs(z)))


def _untested(diff: float | None, method: str) -> Change:
    return Change(diff, False, None, False, method)


def change_test(kind: str, now: Figure, before: Figure, alpha: float = ALPHA) -> Change:
    """Test ``now`` against ``before`` for a statistic of ``kind`` (``percent``, ``count``,
    ``per_100``, ``mean`` or ``median``). A missing value gives difference None, untested;
    missing numerators or denominators give the difference, untested."""
    if now.value is None or before.value is None:
        return _untested(None, "no figure to compare")
    diff = now.value - before.value
    p: float | None = None
    method = METHODS.get(kind, "not tested")
    if kind == "count":
        c1, c0 = round(now.value), round(before.value)
        p = _binom_p(c1, c1 + c0, 0.5) if c1 >= 0 and c0 >= 0 else None
    elif kind in ("percent", "per_100"):
        x1, n1, x0, n0 = now.numerator, now.denominator, before.numerator, before.denominator
        if x1 is None or x0 is None or not n1 or not n0:
            return _untested(diff, "not tested (numbers not published)")
        if kind == "per_100":
            p = _binom_p(round(x1), round(x1) + round(x0), n1 / (n1 + n0))
        else:
            pooled = (x1 + x0) / (n1 + n0)
            se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
            p = 1.0 if se == 0 else _z_p((x1 / n1 - x0 / n0) / se)
    elif kind == "mean":
        n1, n0 = now.denominator, before.denominator
        if not n1 or not n0 or n1 < 2 or n0 < 2:
            return _untested(diff, "not tested (case numbers not published)")
        assumed = now.sd is None or before.sd is None
        s1 = now.value if now.sd is None else now.sd
        s0 = before.value if before.sd is None else before.sd
        se = math.sqrt(s1**2 / n1 + s0**2 / n0)
        p = 1.0 if se == 0 else _z_p(diff / se)
        method = METHODS["mean_assumed" if assumed else "mean"]
    else:
        return _untested(diff, METHODS.get(kind, "not tested"))
    if p is None:
        return _untested(diff, method)
    return Change(diff, True, p, p < alpha and diff != 0, method)


def judgement(change: Change, direction: str) -> str:
    """'improving', 'worsening', 'no_change' or (a neutral metric) 'changed'; 'not_tested'
    when there was nothing to test."""
    if not change.tested:
        return "not_tested"
    if not change.significant:
        return "no_change"
    if direction == "neutral":
        return "changed"
    good = 1 if direction == "higher_is_better" else -1
    return "improving" if change.sign == good else "worsening"
