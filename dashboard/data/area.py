"""Data for the joint area scorecard (``/area/<force>``) and its board pack: the force beside
its CPS Area(s) and national, withdrawal by stage and reason, trends and the recommendations
the force and its Areas own. Display frames are exactly what is shown (see
:mod:`dashboard.data.scorecard`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.data import source
from dashboard.data.scorecard import (
    SIDE_LABEL,
    STAT_ORDER,
    all_keys,
    as_number,
    breakdown_label,
    cell_text,
    headline_basis,
    headline_keys,
    indexed,
    mart_rows,
    reason_of,
    stat_label,
    stat_unit,
)
from dashboard.data.source import snapshot_cached
from dashboard.ui.status import STATUS_TEXT, rag_label
from dashboard.ui.wording import (
    POSITION_NONE,
    POSITION_SUPPRESSED,
    format_value,
    position_words,
)
from scorecard import labels
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import Metric

log = logging.getLogger(__name__)


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
    return mart_rows(pairs, [period])


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
    idx, by_period = indexed(rows)
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
                "Basis": labels.basis(basis),
            }
            f = idx.get((flv, force.code, *key)) if flv else None
            row[force.name] = cell_text(f, unit) if flv else "Area only"
            row[f"{force.name}: against national"] = _position(f, m.direction)
            for a in force.areas:
                if "cps_area" in m.levels:
                    ar = idx.get(("cps_area", a.code, *key))
                    row[a.name] = cell_text(ar, unit)
                    row[f"{a.name}: against national"] = _position(ar, m.direction)
                else:
                    row[a.name] = "force only"
                    row[f"{a.name}: against national"] = POSITION_NONE
            row["National"] = cell_text(idx.get(("national", "national", *key)), unit)
            out.append(row)
    return pd.DataFrame(out, columns=area_columns(force))


def _position(row: dict | None, direction: str) -> str:
    """The row's funnel position in words with the metric's direction ('significantly worse
    than national: outside the 99.8% limits'); any statistic the mart compares is shown."""
    if row is None:
        return POSITION_NONE
    if reason_of(row.get("suppressed")):
        return POSITION_SUPPRESSED
    pos = reason_of(row.get("position"))
    return position_words(direction, pos) if pos else POSITION_NONE


def metrics_for_rec(rec_no: int) -> list[Metric]:
    """Catalogue metrics evidencing a recommendation (the area page's tabs)."""
    return [m for m in catalogue.load() if rec_no in m.recs]


# --- victim withdrawal by stage and reason -------------------------------------------------

WITHDRAWAL_METRIC = "engage.withdrawal_stage_reason"
# Display order of the categories the metric publishes (scorecard/contract.py's
# withdrawal_stage and withdrawal_reason values; 'u' and missing are not_recorded), with the
# short group word the chart's axis shows; the categories' words come from scorecard.labels.
# A value not listed is still shown, after these.
WITHDRAWAL_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("stage", "Stage", ("before_account", "investigation", "awaiting_cps", "after_charge",
                        "not_recorded")),
    ("reason", "Reason", ("time_taken", "relationship_with_suspect", "recovery_wellbeing",
                          "fear_of_process", "lack_of_support", "other", "not_recorded")),
)  # fmt: skip


def _category(breakdown: str, code: str) -> str:
    words = labels.breakdown_value(breakdown, code)
    return words[:1].upper() + words[1:]


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
    idx, by_period = indexed(rows)
    basis, flv = headline_basis(m), force_level(m)
    published = {bd for st, bd in by_period.get(period, {}).get((m.id, basis), ()) if st == "rate"}
    orgs = [(flv, force.code, force.name), ("national", "national", "National")]
    shown: list[dict] = []
    plot: list[dict] = []
    for name, label, known in WITHDRAWAL_GROUPS:
        prefix = f"{name}="
        codes = [c for c in known if prefix + c in published]
        extra = sorted(b[len(prefix) :] for b in published if b.startswith(prefix))
        codes += [c for c in extra if c not in codes]
        for code in codes:
            category = _category(name, code)
            row = {"Withdrawal by": label, "Category": category}
            for level, org, col in orgs:
                got = idx.get((level, org, period, m.id, basis, "rate", prefix + code))
                text = cell_text(got, "percent")
                row[col] = text
                plot.append(
                    {
                        "group": label,
                        "category": category,
                        "label": f"{label}: {category}",
                        "org": col,
                        "value": None
                        if got is None or reason_of(got.get("suppressed"))
                        else as_number(got.get("value")),
                        "text": text,
                    }
                )
            shown.append(row)
    return (
        pd.DataFrame(plot, columns=["group", "category", "label", "org", "value", "text"]),
        pd.DataFrame(shown, columns=withdrawal_columns(force)),
    )


TREND_COLUMNS = ("Quarter", "Organisation", "Value")
INDEX_COLUMN = "Index (base year = 100)"


def index_base_year(plot: pd.DataFrame) -> str | None:
    """The first financial year in which every organisation of the plot frame has a number
    for all four quarters: the base of an indexed count trend (None if there is none)."""
    if not len(plot):
        return None
    orgs = set(plot["org"])
    have = plot[plot["value"].notna()].assign(fy=lambda f: f["period"].str[:7])
    for fy in sorted(set(have["fy"])):
        part = have[have["fy"] == fy]
        if all(part[part["org"] == o]["period"].nunique() == 4 for o in orgs):
            return str(fy)
    return None


def indexed_counts(plot: pd.DataFrame, base_fy: str) -> list[float | None]:
    """Each organisation's quarterly count as an index: 100 = its mean quarter in the base
    year, so a force of 500 offences and a nation of 60,000 share one axis like with like."""
    base = plot[plot["period"].str.startswith(base_fy)].groupby("org")["value"].mean().to_dict()
    out: list[float | None] = []
    for org, v in zip(plot["org"], plot["value"], strict=True):
        b = base.get(org)
        out.append(None if v is None or pd.isna(v) or not b else round(100.0 * v / b, 1))
    return out


@snapshot_cached
def area_trend(
    force: ForceInfo, metric_id: str
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, str, str] | None, str | None]:
    """Quarterly values of a metric's headline series for the force, its Area(s) and national:
    (plot frame, display frame, series key, base year). Like is compared with like: a rate or
    a number of days is plotted as it is; a count is plotted as an index (each organisation's
    mean quarter of the base year = 100), never a force's count against the national count
    on one axis. The base year is None for a series that is not a count (or has no complete
    year to index on, when the plot's values are None and the table says why)."""
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
        "AND period LIKE '____-__-Q_' "
        # a total order: the same snapshot always draws the same traces and table rows
        "ORDER BY period, CASE level WHEN 'national' THEN 2 WHEN 'cps_area' THEN 1 ELSE 0 END, "
        "org_code, basis, stat, breakdown",
        [metric_id, *[x for p in pairs for x in p]],
    )
    if not len(got):
        empty = pd.DataFrame(columns=list(TREND_COLUMNS))
        return empty, empty, None, None
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
                None if reason_of(s) else as_number(v)
                for v, s in zip(sel["value"], sel["suppressed"], strict=True)
            ],
        }
    ).reset_index(drop=True)
    shown = pd.DataFrame(
        {
            "Quarter": sel["period"],
            "Organisation": plot["org"].tolist(),
            "Value": [
                format_value(as_number(v), unit, reason_of(s))
                for v, s in zip(sel["value"], sel["suppressed"], strict=True)
            ],
        },
        columns=list(TREND_COLUMNS),
    ).reset_index(drop=True)
    base = None
    if best[1] == "count":
        base = index_base_year(plot)
        index = indexed_counts(plot, base) if base else [None] * len(plot)
        plot["value"] = index
        shown[INDEX_COLUMN] = [
            "no base year" if base is None else ("not indexed" if i is None else f"{i:.1f}")
            for i in index
        ]
    return plot, shown, best, base


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
            "Status": [STATUS_TEXT.get(str(s), str(s)) for s in got["status"]],
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
