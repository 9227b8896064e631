"""What the national (``/``) and joint area (``/area/<force>``) scorecards share, and their PDF:
how metrics group and are labelled, the periods on offer, the change between two figures and
the mart rows indexed once per render (:mod:`.national` and :mod:`.area` build the pages).

Every query is a small filtered SELECT on the precomputed marts with bound parameters, so a
callback never aggregates case rows. The display frames built here are exactly what a page
shows: formatted strings, suppressed cells as "suppressed (reason)", never zero. The pages,
the CSV downloads and the board-pack PDF all use the same frames, so they cannot disagree.

Which metrics appear, their names, units, sides and stages come from the metric catalogue;
the only presentation choices made here are how catalogue stages group into the three
scorecard stages and which statistic of a metric is its headline.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.data import source
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import (
    format_value,
    suppressed_text,
)
from scorecard import labels, periods
from warehouse.metrics.catalogue import Metric
from warehouse.metrics.revisions import as_number

log = logging.getLogger(__name__)


# --- presentation choices -----------------------------------------------------------------

# The three stages, as groups of catalogue stages; counts of those stages form the
# "volumes to charge" group. Any stage not listed lands in the last group, so a new catalogue
# stage is shown rather than dropped.
VOLUMES = ("volumes", "Volumes from report to charge")
STAGE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "police",
        "Report to police decision",
        ("report_to_police", "report", "investigation", "police_decision"),
    ),
    ("cps", "Referral to CPS decision", ("referral", "cps_decision", "decisions")),
)
OTHER_GROUP = ("other", "Data quality, equalities and workforce")
STAT_ORDER = ("count", "rate", "median", "mean")
SIDE_LABEL = {"police": "Police", "cps": "CPS", "joint": "Joint (police and CPS)"}


def group_of(metric: Metric) -> tuple[str, str]:
    """(group key, title) for a metric: volumes, one of the two stage groups, or other."""
    for key, title, stages in STAGE_GROUPS:
        if metric.stage in stages:
            return VOLUMES if metric.unit == "count" else (key, title)
    return OTHER_GROUP


def stat_unit(metric: Metric, stat: str) -> str:
    """The unit a statistic is shown in. A catalogue unit describes the headline statistic;
    a metric publishing several (e.g. mean plans and % with more than one) needs one per stat."""
    if stat == "count":
        return "count"
    if stat in ("mean", "median"):
        return metric.unit if metric.unit in ("days", "ratio") else "days"
    return metric.unit if metric.unit in ("percent", "per_100") else "percent"


def stat_label(metric: Metric, stat: str) -> str:
    unit = stat_unit(metric, stat)
    if stat == "rate":
        return "per 100" if unit == "per_100" else "%"
    if stat in ("mean", "median"):
        return f"{stat} ({'days' if unit == 'days' else 'number'})"
    return "number"


def breakdown_label(breakdown: str | None) -> str:
    """'' -> 'all cases'; 'team_type=non_specialist' -> 'Investigating team: non-specialist
    team' (the words are :mod:`scorecard.labels`)."""
    return labels.breakdown(breakdown)


def headline_basis(metric: Metric) -> str:
    """Period basis where the metric has one (comparable to published statistics)."""
    return "period" if "period" in metric.basis else metric.basis[0]


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    options: tuple[tuple[str, str], ...]  # (value, label), financial years then quarters
    default: str | None
    data_as_at: date | None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.options)


@snapshot_cached
def period_info() -> PeriodInfo:
    """Periods published nationally, newest first; the default is the latest complete FY."""
    got = source.query(
        "SELECT DISTINCT period FROM mart.metric_values WHERE level = ?", ["national"]
    )
    info = source.query("SELECT data_as_at, current_fy FROM mart.build_info", [])
    as_at = info["data_as_at"].iloc[0] if len(info) else None
    as_at = None if as_at is None or pd.isna(as_at) else pd.Timestamp(as_at).date()
    current = info["current_fy"].iloc[0] if len(info) else None
    found = [p for p in got["period"] if isinstance(p, str) and periods.is_valid(p)]
    fys = sorted((p for p in found if periods.kind(p) == "fy"), reverse=True)
    qs = sorted((p for p in found if periods.kind(p) == "quarter"), reverse=True)
    options = []
    for p in fys + qs:
        name = f"Financial year {p}" if p in fys else f"Quarter {p[-1]} of {p[:7]}"
        if as_at is not None and periods.bounds(p)[1] > as_at:
            name += " (incomplete)"
        options.append((p, name))
    default = current if current in fys else (fys[0] if fys else (qs[0] if qs else None))
    return PeriodInfo(tuple(options), default, as_at)


def quarter_words(quarter: str) -> str:
    """'2024-25-Q4' -> 'Quarter 4 of 2024-25' (as the period menu names it)."""
    return f"Quarter {quarter[-1]} of {quarter[:7]}"


def resolve_period(raw: str | None, info: PeriodInfo) -> tuple[str | None, str | None]:
    """(period to show, message). A missing period gives the default silently; a malformed or
    unknown one gives the default with a message saying why."""
    if raw is None or raw == "":
        return info.default, None
    if not isinstance(raw, str) or not periods.is_valid(raw):
        return info.default, (
            f"'{str(raw)[:40]}' is not a financial year (YYYY-YY) or quarter (YYYY-YY-Qn); "
            f"showing {info.default}."
        )
    if raw not in info.values:
        return info.default, f"No figures are published for {raw}; showing {info.default}."
    return raw, None


# --- values and changes -------------------------------------------------------------------


def reason_of(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def change_text(current: dict | None, before: dict | None, unit: str) -> str:
    """Change from ``before`` to ``current`` (rows with value and suppressed), in the unit's
    terms: percentage points for a percentage, days, or a count with its relative change.
    Suppressed or missing values give a reason, never a number."""
    if current is None or before is None:
        return "no earlier figure"
    for row, which in ((current, "this period"), (before, "earlier period")):
        if reason_of(row.get("suppressed")):
            return f"not compared ({which} {suppressed_text(row['suppressed'])})"
    a, b = as_number(current.get("value")), as_number(before.get("value"))
    if a is None or b is None:
        return "no earlier figure" if b is None else "no data"
    d = a - b
    digits = {"percent": 1, "per_100": 1, "days": 0, "ratio": 2}.get(unit, 0)
    mag = round(abs(d), digits)
    sign = "±" if mag == 0 else ("+" if d > 0 else "−")
    if unit in {"percent", "per_100"}:
        return f"{sign}{mag:.1f} {labels.change_unit(unit)}"
    if unit == "days":
        return f"{sign}{mag:.0f} {labels.change_unit(unit)}"
    if unit == "ratio":
        return f"{sign}{mag:.2f}"
    rel = f" ({sign}{abs(d) / b * 100:.1f}%)" if b else ""
    return f"{sign}{mag:,.0f}{rel}"


def mart_rows(level_orgs: Sequence[tuple[str, str]], period_list: Sequence[str]) -> pd.DataFrame:
    """metric_values rows for (level, org) pairs and periods, one bound SELECT."""
    cond = " OR ".join("(level = ? AND org_code = ?)" for _ in level_orgs)
    params: list = [x for pair in level_orgs for x in pair]
    marks = ", ".join("?" for _ in period_list)
    return source.query(
        "SELECT level, org_code, period, basis, metric_id, stat, breakdown, numerator, "
        "denominator, value, suppressed, lower_998, upper_998, position, sd "
        f"FROM mart.metric_values WHERE ({cond}) AND period IN ({marks})",
        [*params, *period_list],
    )


Present = dict[tuple[str, str], set[tuple[str, str]]]


def present_keys(rows: pd.DataFrame) -> Present:
    """{(metric_id, basis): {(stat, breakdown)}} of the rows, built once per render."""
    out: Present = {}
    for mid, basis, stat, bd in zip(
        rows["metric_id"], rows["basis"], rows["stat"], rows["breakdown"], strict=True
    ):
        out.setdefault((mid, basis), set()).add((stat, bd))
    return out


def headline_keys(metric: Metric, present: Present) -> list[tuple[str, str, str]]:
    """(basis, stat, breakdown) shown for a metric: every published statistic of its headline
    basis for all cases (breakdown ''); a metric published only by breakdown (e.g. referrals
    by view) shows its first breakdown's categories."""
    basis = headline_basis(metric)
    mine = present.get((metric.id, basis), set())
    stats = [s for s in STAT_ORDER if s in metric.stats]
    alls = {s for s, b in mine if b == ""}
    if alls:
        return [(basis, s, "") for s in stats if s in alls]
    if not metric.breakdowns:
        return []
    first = metric.breakdowns[0] + "="
    cats = sorted({b for _, b in mine if b.startswith(first)})
    have = {s for s, _ in mine}
    return [(basis, s, b) for s in stats if s in have for b in cats]


def all_keys(metric: Metric, present: Present) -> list[tuple[str, str, str]]:
    """Every published (basis, stat, breakdown) of the metric's headline basis: all cases
    first, then each breakdown's categories."""
    basis = headline_basis(metric)
    return sorted(
        ((basis, s, b) for s, b in present.get((metric.id, basis), set())),
        key=lambda k: (
            k[2] != "",
            k[2].split("=")[0],
            STAT_ORDER.index(k[1]) if k[1] in STAT_ORDER else 9,
            k[2],
        ),
    )


KEY_COLUMNS = ("level", "org_code", "period", "metric_id", "basis", "stat", "breakdown")


_INDEXED_SIZE = 16
_indexed_cache: OrderedDict[int, tuple[pd.DataFrame, dict[tuple, dict], dict[str, Present]]] = (
    OrderedDict()
)


def indexed(rows: pd.DataFrame) -> tuple[dict[tuple, dict], dict[str, Present]]:
    """(rows keyed by (level, org, period, metric, basis, stat, breakdown), the present
    (metric, basis) -> (stat, breakdown) keys per period), built once per rows frame: an
    area render indexes the same memoised mart rows for its main table, its focus table and
    the withdrawal chart. Keyed by the frame's identity and holding the frame, so the id
    cannot be reused while cached; the result is only ever read. Columns go to Python lists
    once (row-wise ``to_dict`` over Arrow strings is ten times slower)."""
    with source.cache_lock:
        hit = _indexed_cache.get(id(rows))
        if hit is not None and hit[0] is rows:
            _indexed_cache.move_to_end(id(rows))
            return hit[1], hit[2]
    cols = {c: rows[c].tolist() for c in rows.columns}
    names = list(cols)
    records = [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    idx = {tuple(r[k] for k in KEY_COLUMNS): r for r in records}
    present: dict[str, Present] = {}
    for _lv, _org, period, mid, basis, stat, bd in idx:
        present.setdefault(period, {}).setdefault((mid, basis), set()).add((stat, bd))
    with source.cache_lock:
        _indexed_cache[id(rows)] = (rows, idx, present)
        while len(_indexed_cache) > _INDEXED_SIZE:
            _indexed_cache.popitem(last=False)
    return idx, present


def cell_text(row: dict | None, unit: str) -> str:
    if row is None:
        return "no data"
    return format_value(as_number(row.get("value")), unit, reason_of(row.get("suppressed")))
