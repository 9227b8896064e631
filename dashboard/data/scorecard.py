"""Data for the national (``/``) and joint area (``/area/<force>``) scorecards and their PDF.

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
import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.data import source
from dashboard.data.source import snapshot_cached
from dashboard.ui.status import rag_label
from dashboard.ui.wording import (
    POSITION_NONE,
    POSITION_SUPPRESSED,
    format_value,
    position_text,
    spc_text,
    suppressed_text,
)
from scorecard import periods
from scorecard.periods import previous_period, year_earlier
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import Metric

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
    """'' -> 'all'; 'team_type=non_specialist' -> 'team type: non specialist'."""
    if not breakdown:
        return "all"
    name, _, value = breakdown.partition("=")
    return f"{name.replace('_', ' ')}: {value.replace('_', ' ')}"


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


def _num(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _reason(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def change_text(current: dict | None, before: dict | None, unit: str) -> str:
    """Change from ``before`` to ``current`` (rows with value and suppressed), in the unit's
    terms: percentage points for a percentage, days, or a count with its relative change.
    Suppressed or missing values give a reason, never a number."""
    if current is None or before is None:
        return "no earlier figure"
    for row, which in ((current, "this period"), (before, "earlier period")):
        if _reason(row.get("suppressed")):
            return f"not compared ({which} {suppressed_text(row['suppressed'])})"
    a, b = _num(current.get("value")), _num(before.get("value"))
    if a is None or b is None:
        return "no earlier figure" if b is None else "no data"
    d = a - b
    digits = {"percent": 1, "per_100": 1, "days": 0, "ratio": 2}.get(unit, 0)
    mag = round(abs(d), digits)
    sign = "±" if mag == 0 else ("+" if d > 0 else "−")
    if unit == "percent":
        return f"{sign}{mag:.1f} pp"
    if unit == "per_100":
        return f"{sign}{mag:.1f} per 100"
    if unit == "days":
        return f"{sign}{mag:.0f} days"
    if unit == "ratio":
        return f"{sign}{mag:.2f}"
    rel = f" ({sign}{abs(d) / b * 100:.1f}%)" if b else ""
    return f"{sign}{mag:,.0f}{rel}"


def _values(level_orgs: Sequence[tuple[str, str]], period_list: Sequence[str]) -> pd.DataFrame:
    """metric_values rows for (level, org) pairs and periods, one bound SELECT."""
    cond = " OR ".join("(level = ? AND org_code = ?)" for _ in level_orgs)
    params: list = [x for pair in level_orgs for x in pair]
    marks = ", ".join("?" for _ in period_list)
    return source.query(
        "SELECT level, org_code, period, basis, metric_id, stat, breakdown, numerator, "
        "denominator, value, suppressed, lower_998, upper_998, position "
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


def _indexed(rows: pd.DataFrame) -> tuple[dict[tuple, dict], dict[str, Present]]:
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


# --- national scorecard -------------------------------------------------------------------


@dataclass
class Scorecard:
    """The frames of one scorecard page, in display order (title -> frame)."""

    period: str
    groups: list[tuple[str, str, pd.DataFrame]] = field(default_factory=list)
    spc_quarter: str | None = None
    message: str | None = None


NATIONAL_COLUMNS = (
    "Metric",
    "Owner side",
    "Breakdown",
    "Statistic",
    "Basis",
    "Value",
    "Previous period",
    "Change on previous",
    "Year earlier",
    "Change on year earlier",
    "SPC (latest quarter)",
)


def latest_spc(level: str, org: str) -> tuple[dict[tuple, str | None], str | None]:
    """Latest SPC variation per (metric, basis, stat, breakdown), and that quarter."""
    got = source.query(
        "SELECT metric_id, basis, stat, breakdown, period, variation FROM mart.spc "
        "WHERE level = ? AND org_code = ? AND is_latest",
        [level, org],
    )
    icons = {
        (r["metric_id"], r["basis"], r["stat"], r["breakdown"]): _reason(r["variation"])
        for r in got.to_dict("records")
    }
    quarter = max(got["period"]) if len(got) else None
    return icons, quarter


@snapshot_cached
def national_scorecard(period: str) -> Scorecard:
    """Every catalogue metric's headline figures nationally for ``period`` with the change on
    the previous period and on a year earlier, and its latest SPC icon, grouped by stage."""
    prev, year = previous_period(period), year_earlier(period)
    rows = _values([("national", "national")], [period, prev, year])
    idx, by_period = _indexed(rows)
    icons, quarter = latest_spc("national", "national")
    present = by_period.get(period, {})
    grouped: dict[tuple[str, str], list[dict]] = {}
    for m in catalogue.load():
        for basis, stat, bd in headline_keys(m, present):
            unit = stat_unit(m, stat)
            key = (m.id, basis, stat, bd)
            now = idx.get(("national", "national", period, *key))
            before = idx.get(("national", "national", prev, *key))
            ago = idx.get(("national", "national", year, *key))
            grouped.setdefault(group_of(m), []).append(
                {
                    "Metric": m.name,
                    "Owner side": SIDE_LABEL[m.side],
                    "Breakdown": breakdown_label(bd),
                    "Statistic": stat_label(m, stat),
                    "Basis": basis,
                    "Value": _fmt(now, unit),
                    "Previous period": _fmt(before, unit),
                    "Change on previous": change_text(now, before, unit),
                    "Year earlier": _fmt(ago, unit),
                    "Change on year earlier": change_text(now, ago, unit),
                    "SPC (latest quarter)": spc_text(icons.get(key)),
                }
            )
    card = Scorecard(period=period, spc_quarter=quarter)
    order = [VOLUMES] + [(k, t) for k, t, _ in STAGE_GROUPS] + [OTHER_GROUP]
    for key, title in order:
        if (key, title) in grouped:
            frame = pd.DataFrame(grouped[(key, title)], columns=list(NATIONAL_COLUMNS))
            card.groups.append((key, title, frame))
    return card


def _fmt(row: dict | None, unit: str) -> str:
    if row is None:
        return "no data"
    return format_value(_num(row.get("value")), unit, _reason(row.get("suppressed")))


def volumes_chart_frame(card: Scorecard) -> pd.DataFrame:
    """The volumes group's plain numbers (for the chart); suppressed or missing is None."""
    for key, _, frame in card.groups:
        if key == VOLUMES[0]:
            return frame
    return pd.DataFrame(columns=list(NATIONAL_COLUMNS))


@snapshot_cached
def published_series() -> pd.DataFrame:
    """The published national series (joint inspection, 2021) as shown: context only."""
    got = source.query(
        "SELECT name, financial_year, value, source FROM ref.published_series "
        "ORDER BY series_id, financial_year",
        [],
    )
    return pd.DataFrame(
        {
            "Series": got["name"],
            "Financial year": got["financial_year"],
            "Value": [f"{int(v):,}" for v in got["value"]],
            "Source": got["source"],
        }
    )


ROLLUP_COLUMNS = ("Recommendation", "Title", "Owners", "Green", "Amber", "Red", "Grey", "Overdue")


@snapshot_cached
def recommendation_rollup() -> pd.DataFrame:
    """Per recommendation: owners by RAG (counts as text), from mart.recommendation_status."""
    got = source.query(
        "SELECT r.rec_no, r.title, count(s.owner_code) AS owners, "
        "count(*) FILTER (WHERE s.rag = 'green') AS green, "
        "count(*) FILTER (WHERE s.rag = 'amber') AS amber, "
        "count(*) FILTER (WHERE s.rag = 'red') AS red, "
        "count(*) FILTER (WHERE s.rag = 'grey') AS grey, "
        "count(*) FILTER (WHERE s.overdue) AS overdue "
        "FROM ref.recommendations r "
        "LEFT JOIN mart.recommendation_status s ON s.rec_no = r.rec_no "
        "GROUP BY r.rec_no, r.title ORDER BY r.rec_no",
        [],
    )
    return pd.DataFrame(
        {
            "Recommendation": got["rec_no"].astype(int).astype(str),
            "Title": got["title"],
            "Owners": got["owners"].astype(int).astype(str),
            "Green": got["green"].astype(int).astype(str),
            "Amber": got["amber"].astype(int).astype(str),
            "Red": got["red"].astype(int).astype(str),
            "Grey": got["grey"].astype(int).astype(str),
            "Overdue": got["overdue"].astype(int).astype(str),
        },
        columns=list(ROLLUP_COLUMNS),
    )


# --- trends -------------------------------------------------------------------------------


def trend_metrics(level: str = "national") -> list[Metric]:
    """Catalogue metrics published quarterly at ``level`` (trend chart choices)."""
    return [m for m in catalogue.load() if "quarter" in m.periods and level in m.levels]


@snapshot_cached
def spc_series(
    level: str, org: str, metric_id: str
) -> tuple[pd.DataFrame, tuple[str, str, str] | None]:
    """Quarterly SPC points of a metric's headline series (basis, stat, breakdown chosen from
    what mart.spc holds: period basis, breakdown '' and the first statistic preferred)."""
    got = source.query(
        "SELECT basis, stat, breakdown, period, seq, value, centre, lower_3s, upper_3s, "
        "special_cause, cause_side, rules, suppressed, variation, is_latest FROM mart.spc "
        "WHERE level = ? AND org_code = ? AND metric_id = ? ORDER BY seq",
        [level, org, metric_id],
    )
    if not len(got):
        return got, None
    m = catalogue.get(metric_id)
    keys = {(r.basis, r.stat, r.breakdown) for r in got.itertuples()}

    def rank(k: tuple[str, str, str]) -> tuple:
        b, s, bd = k
        return (b != headline_basis(m), bd != "", STAT_ORDER.index(s) if s in STAT_ORDER else 9, bd)

    best = min(keys, key=rank)
    sel = got[(got.basis == best[0]) & (got.stat == best[1]) & (got.breakdown == best[2])]
    return sel.reset_index(drop=True), best


SPC_COLUMNS = (
    "Quarter",
    "Value",
    "Centre line",
    "Lower limit (3 sigma)",
    "Upper limit (3 sigma)",
    "Special cause",
)


def spc_frame(points: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The SPC chart's points as shown (suppressed quarters as text)."""
    rows = []
    for r in points.to_dict("records"):
        sup = _reason(r.get("suppressed"))
        rows.append(
            {
                "Quarter": r["period"],
                "Value": format_value(_num(r["value"]), unit, sup),
                "Centre line": format_value(_num(r["centre"]), unit),
                "Lower limit (3 sigma)": format_value(_num(r["lower_3s"]), unit),
                "Upper limit (3 sigma)": format_value(_num(r["upper_3s"]), unit),
                "Special cause": "not assessed (suppressed)"
                if sup
                else ("yes" if r.get("special_cause") else "no"),
            }
        )
    return pd.DataFrame(rows, columns=list(SPC_COLUMNS))


# --- joint area scorecard -----------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    code: str
    name: str


@dataclass(frozen=True)
class ForceInfo:
    code: str
    name: str
    region: str | None
    policing_body: str | None
    areas: tuple[Org, ...]


@snapshot_cached
def forces() -> list[Org]:
    got = source.query("SELECT code, name FROM ref.forces ORDER BY name", [])
    return [Org(r.code, r.name) for r in got.itertuples()]


@snapshot_cached
def force_info(code: str | None) -> ForceInfo | None:
    """The force and its CPS Area(s) (many-to-many: the Met has two); None if unknown."""
    if not code or not isinstance(code, str) or len(code) > 64:
        return None
    got = source.query(
        "SELECT f.code, f.name, g.name AS region, f.local_policing_body "
        "FROM ref.forces f LEFT JOIN ref.regions g ON g.code = f.region WHERE f.code = ?",
        [code],
    )
    if not len(got):
        return None
    areas = source.query(
        "SELECT a.code, a.name FROM ref.force_area_map m "
        "JOIN ref.cps_areas a ON a.code = m.area_code WHERE m.force_code = ? ORDER BY a.code",
        [code],
    )
    r = got.iloc[0]
    return ForceInfo(
        code=r["code"],
        name=r["name"],
        region=r["region"] if isinstance(r["region"], str) else None,
        policing_body=r["local_policing_body"]
        if isinstance(r["local_policing_body"], str)
        else None,
        areas=tuple(Org(a.code, a.name) for a in areas.itertuples()),
    )


def force_level(metric: Metric) -> str | None:
    """The level a force's column reads: its joint scorecard where the metric has one."""
    for lv in ("joint", "force"):
        if lv in metric.levels:
            return lv
    return None


def area_columns(force: ForceInfo) -> list[str]:
    cols = [
        "Metric",
        "Owner side",
        "Breakdown",
        "Statistic",
        "Basis",
        force.name,
        f"{force.name}: against national",
    ]
    for a in force.areas:
        cols += [a.name, f"{a.name}: against national"]
    return [*cols, "National"]


@snapshot_cached
def area_rows(force: ForceInfo, period: str) -> pd.DataFrame:
    """Mart rows for the force (joint and force level), its Areas and national in ``period``:
    the single query behind every table of the area scorecard."""
    pairs = [("joint", force.code), ("force", force.code), ("national", "national")]
    pairs += [("cps_area", a.code) for a in force.areas]
    return _values(pairs, [period])


def area_table(
    force: ForceInfo,
    period: str,
    metrics: Iterable[Metric] | None = None,
    *,
    rows: pd.DataFrame | None = None,
    all_breakdowns: bool = False,
) -> pd.DataFrame:
    """Force and Area(s) side by side with national: value and funnel position (as text and
    symbol) per metric statistic. ``all_breakdowns`` lists every breakdown (for the tabs)."""
    if rows is None:
        rows = area_rows(force, period)
    idx, by_period = _indexed(rows)
    present = by_period.get(period, {})
    out = []
    for m in metrics if metrics is not None else catalogue.load():
        flv = force_level(m)
        keys = all_keys(m, present) if all_breakdowns else headline_keys(m, present)
        for basis, stat, bd in keys:
            unit = stat_unit(m, stat)
            key = (period, m.id, basis, stat, bd)
            row = {
                "Metric": m.name,
                "Owner side": SIDE_LABEL[m.side],
                "Breakdown": breakdown_label(bd),
                "Statistic": stat_label(m, stat),
                "Basis": basis,
            }
            f = idx.get((flv, force.code, *key)) if flv else None
            row[force.name] = _fmt(f, unit) if flv else "Area only"
            row[f"{force.name}: against national"] = _position(f, stat)
            for a in force.areas:
                if "cps_area" in m.levels:
                    ar = idx.get(("cps_area", a.code, *key))
                    row[a.name] = _fmt(ar, unit)
                    row[f"{a.name}: against national"] = _position(ar, stat)
                else:
                    row[a.name] = "force only"
                    row[f"{a.name}: against national"] = POSITION_NONE
            row["National"] = _fmt(idx.get(("national", "national", *key)), unit)
            out.append(row)
    return pd.DataFrame(out, columns=area_columns(force))


def _position(row: dict | None, stat: str) -> str:
    if row is None or stat != "rate":
        return POSITION_NONE
    if _reason(row.get("suppressed")):
        return POSITION_SUPPRESSED
    return position_text(_reason(row.get("position")))


def metrics_for_rec(rec_no: int) -> list[Metric]:
    """Catalogue metrics evidencing a recommendation (the area page's tabs)."""
    return [m for m in catalogue.load() if rec_no in m.recs]


# --- victim withdrawal by stage and reason -------------------------------------------------

WITHDRAWAL_METRIC = "engage.withdrawal_stage_reason"
# Display order and words for the categories the metric publishes (scorecard/contract.py's
# withdrawal_stage and withdrawal_reason values; 'u' and missing are not_recorded). A value
# not listed is still shown, after these, with its code tidied.
WITHDRAWAL_GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "stage",
        "Stage",
        (
            ("before_account", "Before giving an account"),
            ("investigation", "During the investigation"),
            ("awaiting_cps", "Awaiting the CPS decision"),
            ("after_charge", "After charge"),
            ("not_recorded", "Not recorded"),
        ),
    ),
    (
        "reason",
        "Reason",
        (
            ("time_taken", "Time taken"),
            ("relationship_with_suspect", "Relationship with the suspect"),
            ("recovery_wellbeing", "Recovery and wellbeing"),
            ("fear_of_process", "Fear of the process"),
            ("lack_of_support", "Lack of support"),
            ("other", "Other"),
            ("not_recorded", "Not recorded (unknown or missing)"),
        ),
    ),
)


def withdrawal_columns(force: ForceInfo) -> list[str]:
    return ["Withdrawal by", "Category", force.name, "National"]


def withdrawal_title(force: ForceInfo) -> str:
    """The stage and reason chart's title, one wording for the page and the board pack."""
    return f"{catalogue.get(WITHDRAWAL_METRIC).name}: {force.name} and national"


def withdrawal_breakdown(
    force: ForceInfo,
    period: str,
    *,
    rows: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Share of withdrawals by stage and by reason, the force beside national, on the
    metric's headline basis: (plot frame, display frame). The plot frame has one row per
    category and organisation with the axis label ("Stage: After charge"), the number (None
    when suppressed or missing) and the text shown, so the page's chart and the board pack's
    draw the same bars; the display frame is what the table and CSV show (suppressed as
    text)."""
    m = catalogue.get(WITHDRAWAL_METRIC)
    if rows is None:
        rows = area_rows(force, period)
    idx, by_period = _indexed(rows)
    basis, flv = headline_basis(m), force_level(m)
    published = {bd for st, bd in by_period.get(period, {}).get((m.id, basis), ()) if st == "rate"}
    orgs = [(flv, force.code, force.name), ("national", "national", "National")]
    shown: list[dict] = []
    plot: list[dict] = []
    for name, label, known in WITHDRAWAL_GROUPS:
        prefix = f"{name}="
        codes = [c for c, _ in known if prefix + c in published]
        extra = sorted(b[len(prefix) :] for b in published if b.startswith(prefix))
        codes += [c for c in extra if c not in codes]
        words = dict(known)
        for code in codes:
            category = words.get(code, code.replace("_", " ").capitalize())
            row = {"Withdrawal by": label, "Category": category}
            for level, org, col in orgs:
                got = idx.get((level, org, period, m.id, basis, "rate", prefix + code))
                text = _fmt(got, "percent")
                row[col] = text
                plot.append(
                    {
                        "group": label,
                        "category": category,
                        "label": f"{label}: {category}",
                        "org": col,
                        "value": None
                        if got is None or _reason(got.get("suppressed"))
                        else _num(got.get("value")),
                        "text": text,
                    }
                )
            shown.append(row)
    return (
        pd.DataFrame(plot, columns=["group", "category", "label", "org", "value", "text"]),
        pd.DataFrame(shown, columns=withdrawal_columns(force)),
    )


TREND_COLUMNS = ("Quarter", "Organisation", "Value")


@snapshot_cached
def area_trend(
    force: ForceInfo, metric_id: str
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, str, str] | None]:
    """Quarterly values of a metric's headline series for the force, its Area(s) and national:
    (plot frame with numeric values, display frame, series key)."""
    m = catalogue.get(metric_id)
    flv = force_level(m)
    pairs = [("national", "national")]
    if flv:
        pairs.append((flv, force.code))
    if "cps_area" in m.levels:
        pairs += [("cps_area", a.code) for a in force.areas]
    cond = " OR ".join("(level = ? AND org_code = ?)" for _ in pairs)
    got = source.query(
        "SELECT level, org_code, period, basis, stat, breakdown, value, suppressed "
        f"FROM mart.metric_values WHERE metric_id = ? AND ({cond}) "
        "AND period LIKE '____-__-Q_' ORDER BY period",
        [metric_id, *[x for p in pairs for x in p]],
    )
    if not len(got):
        empty = pd.DataFrame(columns=list(TREND_COLUMNS))
        return empty, empty, None
    keys = {(r.basis, r.stat, r.breakdown) for r in got.itertuples()}
    best = min(
        keys,
        key=lambda k: (
            k[0] != headline_basis(m),
            k[2] != "",
            STAT_ORDER.index(k[1]) if k[1] in STAT_ORDER else 9,
            k[2],
        ),
    )
    sel = got[(got.basis == best[0]) & (got.stat == best[1]) & (got.breakdown == best[2])]
    names = {"national": "National", force.code: force.name}
    names.update({a.code: a.name for a in force.areas})
    unit = stat_unit(m, best[1])
    plot = pd.DataFrame(
        {
            "period": sel["period"],
            "org": [names.get(o, o) for o in sel["org_code"]],
            "value": [
                None if _reason(s) else _num(v)
                for v, s in zip(sel["value"], sel["suppressed"], strict=True)
            ],
        }
    )
    shown = pd.DataFrame(
        {
            "Quarter": sel["period"],
            "Organisation": plot["org"],
            "Value": [
                format_value(_num(v), unit, _reason(s))
                for v, s in zip(sel["value"], sel["suppressed"], strict=True)
            ],
        },
        columns=list(TREND_COLUMNS),
    )
    return plot.reset_index(drop=True), shown.reset_index(drop=True), best


REC_COLUMNS = (
    "Recommendation",
    "Title",
    "Owner",
    "Status",
    "RAG",
    "Target date",
    "Overdue",
    "Last update",
)


@snapshot_cached
def owned_recommendations(owners: Sequence[Org]) -> pd.DataFrame:
    """Recommendations owned by the force (and its Areas): status, RAG as words, target."""
    if not owners:
        return pd.DataFrame(columns=list(REC_COLUMNS))
    names = {o.code: o.name for o in owners}
    got = source.query(
        "SELECT rec_no, title, owner_code, status, rag, target_date, target_source, overdue, "
        "last_updated_on FROM mart.recommendation_status "
        "WHERE list_contains(?, owner_code) ORDER BY rec_no, owner_code",
        [list(names)],
    )
    return pd.DataFrame(
        {
            "Recommendation": got["rec_no"].astype(int).astype(str),
            "Title": got["title"],
            "Owner": [names.get(c, c) for c in got["owner_code"]],
            "Status": [str(s).replace("_", " ") for s in got["status"]],
            "RAG": [rag_label(r) for r in got["rag"]],
            "Target date": [
                f"{_d(t)} ({'owner' if src == 'owner' else 'default'})"
                for t, src in zip(got["target_date"], got["target_source"], strict=True)
            ],
            "Overdue": ["yes" if o else "no" for o in got["overdue"]],
            "Last update": [_d(x) or "no return" for x in got["last_updated_on"]],
        },
        columns=list(REC_COLUMNS),
    )


def _d(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    try:
        return pd.Timestamp(v).date().isoformat()
    except (TypeError, ValueError):
        return str(v)
