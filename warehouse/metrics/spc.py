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

Baselines (phases). One mean over ten years with step changes makes nearly every point
"special cause", so limits are recalculated at a sustained shift, as Making Data Count
advises, once per shift and never to chase noise:

- the first baseline starts at the series' first point outside the run-in year (below);
- a shift ends a baseline at point r when the baseline already holds at least MIN_BASELINE
  points before r, the SHIFT (8) points from r on all lie strictly on one side of the
  baseline's centre computed from its points before r (mean, or pooled proportion for a
  p-chart), and their mean is at least one baseline sigma (mean moving range / 1.128 of
  the points before r) from that centre - so a lone spike, which drags the running mean
  up a little, does not pass as a shift; the first such r starts a new baseline, and the
  search goes on from there;
- each baseline then gets its own centre and limits from all its points, and the rules are
  applied within it (a run or trend never spans a change point).

A stable series never holds 8 points on one side of its running mean by chance often (each
window of 8 has a 1 in 128 chance), and each recalculation needs 8 more points of its own.

Run-in year: the extracts hold cases recorded from the contract's first day
(scorecard.contract.EARLIEST_DATE, 1 April 2016) only, so in that first financial year every
later-stage event and every duration is of a case at most a few months old (the referral
rate opens with a spike, durations start short). Quarters of that year are shown but are in
no baseline: no limits, no rule flags (phase 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scorecard import contract, periods

RUN = 7
TREND = 7
MIN_POINTS = 12
MR_CONSTANT = 1.128  # d2 for moving ranges of two
SHIFT = 8  # a sustained shift: this many points in a row on one side of the baseline centre
MIN_BASELINE = 8  # points a baseline holds before a shift can end it
RUN_IN_FY = periods.fy_of(contract.EARLIEST_DATE)  # the extracts' first financial year


def is_run_in(quarter: str) -> bool:
    """True for a quarter of the run-in year (shown, in no baseline)."""
    return periods.fy_of(periods.bounds(quarter)[0]) == RUN_IN_FY


@dataclass
class SpcResult:
    chart: str
    centre: np.ndarray  # per point: its baseline's centre (NaN in the run-in)
    lower_3s: np.ndarray
    upper_3s: np.ndarray
    lower_2s: np.ndarray
    upper_2s: np.ndarray
    rules: list[set[str]] = field(default_factory=list)
    side: list[str | None] = field(default_factory=list)
    phase: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def recalculations(self) -> int:
        """How many times the limits were recalculated (baselines after the first)."""
        return max(int(self.phase.max(initial=0)) - 1, 0)

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
                for j in np.flatnonzero(beyond).tolist():
                    mark(i + j, "two_of_three", s)
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
    den: np.ndarray | None = None, run_in: int = 0,
) -> SpcResult:  # fmt: skip
    """Baselines, limits and rule flags for one series (``chart`` 'p' needs num and den;
    ``run_in``: leading points of the run-in year, in no baseline)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if chart == "p":
        assert num is not None and den is not None
        num = np.asarray(num, dtype=float)
        den = np.asarray(den, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = num / den
    elif chart != "xmr":
        raise ValueError(f"unknown chart {chart!r}")
    phase = phases_many(x, np.asarray([n]), np.asarray([chart == "p"]), num=num, den=den,
                        run_in=np.asarray([run_in]))  # fmt: skip
    nan = np.full(n, np.nan)
    centre, lo3, hi3, lo2, hi2 = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    rules: list[set[str]] = [set() for _ in range(n)]
    side: list[str | None] = [None] * n
    for k in range(1, int(phase.max(initial=0)) + 1):
        sl = np.flatnonzero(phase == k)
        a, b = int(sl[0]), int(sl[-1]) + 1
        if chart == "p":
            assert num is not None and den is not None
            c, l3, h3, l2, h2 = p_limits(num[a:b], den[a:b])
        else:
            c, l3, h3, l2, h2 = xmr_limits(x[a:b])
        centre[a:b], lo3[a:b], hi3[a:b], lo2[a:b], hi2[a:b] = c, l3, h3, l2, h2
        r, sd = apply_rules(x[a:b], c, l3, h3, l2, h2)
        rules[a:b], side[a:b] = r, sd
    return SpcResult(chart, centre, lo3, hi3, lo2, hi2, rules, side, phase)


def variation(special: bool, side: str | None, direction: str) -> str:
    """Making Data Count variation icon for a point."""
    if not special or side is None:
        return "common_cause"
    if direction == "neutral":
        return "special_cause_neither"
    good = "high" if direction == "higher_is_better" else "low"
    return "improving" if side == good else "concerning"


# --- Set-wise: every series at once --------------------------------------------------------
# The build has tens of thousands of series; looping over them in Python dominated the whole
# refresh. analyse_many computes the same limits, flags and sides as ``analyse`` for all
# series in one pass of numpy array operations (tests/unit/test_spc.py checks that it equals
# ``analyse`` on many random series). Centres are taken over equal-length blocks of series so
# numpy sums each series exactly as ``analyse`` does (same pairwise order, same rounding).

BEYOND_LIMIT, RUN_RULE, TREND_RULE, TWO_OF_THREE = 1, 2, 4, 8
RULE_BITS = {"beyond_limit": BEYOND_LIMIT, "run": RUN_RULE, "trend": TREND_RULE,
             "two_of_three": TWO_OF_THREE}  # fmt: skip
HIGH, LOW = 1, -1
SIDE_NAMES: dict[int, str | None] = {0: None, HIGH: "high", LOW: "low"}


def rule_names_by_flags() -> tuple[str | None, ...]:
    """Indexed by a point's flags: its rule names sorted and comma-joined (None for none)."""
    return tuple(",".join(sorted(n for n, b in RULE_BITS.items() if f & b)) or None
                 for f in range(16))  # fmt: skip


@dataclass
class SpcArrays:
    """Per point (series concatenated in order): limits, rule bit flags and side code."""

    centre: np.ndarray
    lower_3s: np.ndarray
    upper_3s: np.ndarray
    lower_2s: np.ndarray
    upper_2s: np.ndarray
    flags: np.ndarray  # uint8: OR of the RULE_BITS a point triggers
    side: np.ndarray  # int8: HIGH, LOW or 0 (no special cause)
    phase: np.ndarray  # int64: baseline number (1 the first), 0 for run-in points

    def rules_text(self) -> np.ndarray:
        """Per point: the rule names sorted and comma-joined, None for none (as build stores)."""
        return np.array(rule_names_by_flags(), dtype=object)[self.flags]

    def side_text(self) -> np.ndarray:
        return np.array([None, "high", "low"], dtype=object)[self.side.astype(np.int64) % 3]


def _segments(starts_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment id per element from a mask of segment starts, and each segment's length."""
    seg = np.cumsum(starts_mask) - 1
    return seg, np.bincount(seg, minlength=int(seg[-1]) + 1 if len(seg) else 0)


def _series_stats(
    x: np.ndarray, num: np.ndarray, den: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
    is_p: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per series: centre (p or mean) and sigma (XmR; unused for p-charts)."""
    centre = np.zeros(len(starts))
    sigma = np.zeros(len(starts))
    for n in np.unique(lengths):
        block = lengths == n
        idx = starts[block][:, None] + np.arange(n)
        p_rows, x_rows = is_p[block], ~is_p[block]
        out_c = np.zeros(int(block.sum()))
        out_s = np.zeros(int(block.sum()))
        if p_rows.any():
            n_sum = num[idx[p_rows]].sum(axis=1)
            d_sum = den[idx[p_rows]].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                out_c[p_rows] = np.where(d_sum > 0, n_sum / d_sum, 0.0)
        if x_rows.any():
            xs = x[idx[x_rows]]
            out_c[x_rows] = xs.mean(axis=1)
            if n > 1:
                out_s[x_rows] = np.abs(np.diff(xs, axis=1)).mean(axis=1) / MR_CONSTANT
        centre[block] = out_c
        sigma[block] = out_s
    return centre, sigma


def _within_cumsum(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per point: the sum of its series' earlier points (an exclusive running sum that starts
    afresh in each series). Row-wise over equal-length blocks, so one series alone gives
    bit for bit what it gives among many."""
    out = np.zeros(len(a))
    for n in np.unique(lengths):
        if n < 2:
            continue
        idx = starts[lengths == n][:, None] + np.arange(n)
        out[idx[:, 1:]] = np.cumsum(a[idx], axis=1)[:, :-1]
    return out


def phases_many(
    x: np.ndarray, lengths: np.ndarray, is_p: np.ndarray, *, num: np.ndarray | None = None,
    den: np.ndarray | None = None, run_in: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Per point (series concatenated, ``lengths`` points each): its baseline number, 1 for
    the first, 0 for the run-in points (the leading ``run_in`` of each series). The one home
    of the recalculation rule (module docstring); ``x`` holds the plotted values (p-charts:
    num / den, whose centre is the pooled proportion)."""
    x = np.asarray(x, dtype=float)
    lengths = np.asarray(lengths, dtype=np.int64)
    is_p = np.asarray(is_p, dtype=bool)
    n_pts = len(x)
    num = np.zeros(n_pts) if num is None else np.asarray(num, dtype=float)
    den = np.ones(n_pts) if den is None else np.asarray(den, dtype=float)
    run_in = np.zeros(len(lengths), np.int64) if run_in is None else np.asarray(run_in, np.int64)
    run_in = np.minimum(run_in, lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    series = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.arange(n_pts) - starts[series]
    n_of = lengths[series]
    p_pt = is_p[series]
    begins = np.zeros(n_pts, dtype=bool)  # the first point of each baseline
    has_base = run_in < lengths
    cur = starts + run_in  # each series' current baseline start
    begins[cur[has_base]] = True
    if n_pts >= SHIFT:
        cx = _within_cumsum(np.where(p_pt, 0.0, x), starts, lengths)
        cn = _within_cumsum(np.where(p_pt, num, 0.0), starts, lengths)
        cd = _within_cumsum(np.where(p_pt, den, 0.0), starts, lengths)
        step = np.zeros(n_pts)
        step[1:] = np.where(pos[1:] > 0, np.abs(np.diff(x)), 0.0)
        cmr = _within_cumsum(step, starts, lengths)  # moving ranges of points before i
        windows = np.lib.stride_tricks.sliding_window_view(x, SHIFT)  # points i .. i+SHIFT-1
        w_min = np.full(n_pts, np.nan)
        w_max = np.full(n_pts, np.nan)
        w_mean = np.full(n_pts, np.nan)
        w_min[: len(windows)] = np.minimum.reduce(windows, axis=1)  # NaN propagates: no run
        w_max[: len(windows)] = np.maximum.reduce(windows, axis=1)
        w_mean[: len(windows)] = windows.sum(axis=1) / SHIFT
        active = has_base.copy()
        while active.any():
            s_pt = cur[series]
            since = np.arange(n_pts) - s_pt
            cand = np.flatnonzero(active[series] & (since >= MIN_BASELINE) & (pos + SHIFT <= n_of))
            if not len(cand):
                break
            s = s_pt[cand]
            with np.errstate(divide="ignore", invalid="ignore"):
                centre = np.where(p_pt[cand], (cn[cand] - cn[s]) / (cd[cand] - cd[s]),
                                  (cx[cand] - cx[s]) / since[cand])  # fmt: skip
                sigma = (cmr[cand] - cmr[s + 1]) / (since[cand] - 1) / MR_CONSTANT
                one_side = (w_min[cand] > centre) | (w_max[cand] < centre)
                hits = cand[one_side & (np.abs(w_mean[cand] - centre) >= sigma)]
            if not len(hits):
                break
            first = hits[np.concatenate(([True], series[hits][1:] != series[hits][:-1]))]
            begins[first] = True
            cur[series[first]] = first
            active = np.zeros(len(lengths), dtype=bool)
            active[series[first]] = True
    counted = np.cumsum(begins)
    return counted - (counted[starts] - begins[starts])[series] if n_pts else counted


def analyse_many(
    values: np.ndarray, lengths: np.ndarray, is_p: np.ndarray, num: np.ndarray | None = None,
    den: np.ndarray | None = None, run_in: np.ndarray | None = None,
) -> SpcArrays:  # fmt: skip
    """``analyse`` for many series at once. Series are concatenated in ``values`` (and num,
    den for p-charts), ``lengths`` points each; ``is_p`` per series picks the chart;
    ``run_in`` per series: its leading run-in points. Each baseline is analysed as a series
    of its own (the run-in as one with its limits and flags then blanked)."""
    values = np.asarray(values, dtype=float)
    lengths = np.asarray(lengths, dtype=np.int64)
    is_p = np.asarray(is_p, dtype=bool)
    n_pts = len(values)
    num_a = np.zeros(n_pts) if num is None else np.asarray(num, dtype=float)
    den_a = np.ones(n_pts) if den is None else np.asarray(den, dtype=float)
    series = np.repeat(np.arange(len(lengths)), lengths)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(is_p[series], num_a / den_a, values)
    phase = phases_many(x, lengths, is_p, num=num_a, den=den_a, run_in=run_in)
    if not n_pts:
        return _analyse_segments(values, lengths, is_p, num_a, den_a, phase)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    seg_start = np.zeros(n_pts, dtype=bool)
    seg_start[starts[lengths > 0]] = True
    seg_start[1:] |= phase[1:] != phase[:-1]
    seg_first = np.flatnonzero(seg_start)
    seg_len = np.diff(np.concatenate((seg_first, [n_pts])))
    res = _analyse_segments(values, seg_len, is_p[series[seg_first]], num_a, den_a, phase)
    out = phase == 0
    if out.any():
        for a in (res.centre, res.lower_3s, res.upper_3s, res.lower_2s, res.upper_2s):
            a[out] = np.nan
        res.flags[out] = 0
        res.side[out] = 0
    return res


def _analyse_segments(
    values: np.ndarray, lengths: np.ndarray, is_p: np.ndarray, num: np.ndarray | None,
    den: np.ndarray | None, phase: np.ndarray,
) -> SpcArrays:  # fmt: skip
    """Limits and rule flags with each segment (``lengths``) analysed as one series."""
    values = np.asarray(values, dtype=float)
    lengths = np.asarray(lengths, dtype=np.int64)
    is_p = np.asarray(is_p, dtype=bool)
    n_pts = len(values)
    num = np.zeros(n_pts) if num is None else np.asarray(num, dtype=float)
    den = np.ones(n_pts) if den is None else np.asarray(den, dtype=float)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    series = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.arange(n_pts) - starts[series]
    n_of = lengths[series]
    p_pt = is_p[series]

    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(p_pt, num / den, values)
    centre_s, sigma_s = _series_stats(x, num, den, starts, lengths, is_p)
    c = centre_s[series]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_sigma = np.sqrt(c * (1 - c) / den)
    x_sigma = sigma_s[series]
    lo3 = np.where(p_pt, np.clip(c - 3 * p_sigma, 0, 1), c - 3 * x_sigma)
    hi3 = np.where(p_pt, np.clip(c + 3 * p_sigma, 0, 1), c + 3 * x_sigma)
    lo2 = np.where(p_pt, np.clip(c - 2 * p_sigma, 0, 1), c - 2 * x_sigma)
    hi2 = np.where(p_pt, np.clip(c + 2 * p_sigma, 0, 1), c + 2 * x_sigma)

    # beyond a 3-sigma limit
    b_hi = x > hi3
    b_lo = ~b_hi & (x < lo3)
    beyond_side = np.where(b_hi, HIGH, np.where(b_lo, LOW, 0))

    # two of three consecutive points beyond the same 2-sigma line: a point beyond the line
    # is flagged when some window of 3 (inside its series) holding it has 2 or more beyond
    two_side = np.zeros(n_pts, dtype=np.int64)
    for sign, beyond in ((HIGH, x > hi2), (LOW, x < lo2)):
        b = beyond.astype(np.int64)
        count = b.copy()
        count[:-1] += b[1:]
        count[:-2] += b[2:]
        window_ok = (pos <= n_of - 3) & (count >= 2)  # a window starting at this point
        hit = np.zeros(n_pts, dtype=bool)
        for back in (0, 1, 2):
            w = np.zeros(n_pts, dtype=bool)
            w[back:] = window_ok[: n_pts - back]
            hit |= w & (pos >= back)
        two_side = np.where((two_side == 0) & beyond & hit, sign, two_side)

    # runs on one side of the centre (a point on the centre breaks a run)
    sgn = np.sign(x - c)
    prev = np.roll(sgn, 1)
    run_seg, run_len = _segments((pos == 0) | (sgn != prev) | (sgn == 0))
    in_run = (run_len[run_seg] >= RUN) & (sgn != 0) & ~np.isnan(sgn)
    run_side = np.where(in_run, np.where(sgn > 0, HIGH, LOW), 0)

    # trends: steps between consecutive points of a series (step j joins points j, j + 1)
    step = np.zeros(n_pts)
    inside = pos[:-1] < n_of[:-1] - 1
    step[:-1] = np.where(inside, np.sign(np.diff(x)), 0.0)
    sprev = np.roll(step, 1)
    st_seg, st_len = _segments((pos == 0) | (step != sprev) | (step == 0))
    st_ok = (st_len[st_seg] + 1 >= TREND) & (step != 0) & ~np.isnan(step)
    st_side = np.where(st_ok, np.where(step > 0, HIGH, LOW), 0)
    before = np.zeros(n_pts, dtype=np.int64)  # the trend through the step into the point
    before[1:] = np.where(pos[1:] >= 1, st_side[:-1], 0)
    trend_side = np.where(before != 0, before, st_side)

    flags = (
        np.where(beyond_side != 0, BEYOND_LIMIT, 0) | np.where(two_side != 0, TWO_OF_THREE, 0)
        | np.where(run_side != 0, RUN_RULE, 0) | np.where(trend_side != 0, TREND_RULE, 0)
    ).astype(np.uint8)  # fmt: skip
    side = np.select(
        [beyond_side != 0, two_side != 0, run_side != 0, trend_side != 0],
        [beyond_side, two_side, run_side, trend_side], 0,
    ).astype(np.int8)  # fmt: skip
    return SpcArrays(c, lo3, hi3, lo2, hi2, flags, side, phase)


def round_like_python(a: np.ndarray, ndigits: int = 6) -> np.ndarray:
    """``round(v, ndigits)`` for every element, vectorised. numpy rounds a scaled copy, which
    can land the other side of a half for values within an ulp of one; those few (and
    non-finite or huge values) are rounded by Python itself, so the results are identical."""
    a = np.asarray(a, dtype=float)
    out = np.round(a, ndigits)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = a * 10.0**ndigits
        half_gap = np.abs(scaled - np.floor(scaled) - 0.5)
        doubtful = ~(half_gap > 8 * np.abs(np.spacing(scaled))) | ~(np.abs(scaled) < 2.0**50)
    for i in np.flatnonzero(doubtful):
        out[i] = round(float(a[i]), ndigits)
    return out
