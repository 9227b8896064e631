"""Data for the national scorecard (``/``) and its board pack: every metric's figures by
theme with the change on the same period a year earlier (and the previous quarter for a
quarter) and the SPC judgement of the quarter shown, the published series,
the recommendations' roll-up and the quarterly SPC series. Display frames are exactly what
is shown (see :mod:`dashboard.data.scorecard`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from dashboard.data import source
from dashboard.data.scorecard import (
    SIDE_LABEL,
    STAT_ORDER,
    as_number,
    breakdown_label,
    cell_text,
    change_text,
    headline_basis,
    headline_keys,
    indexed,
    mart_rows,
    quarter_words,
    reason_of,
    stat_label,
    stat_unit,
)
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import (
    format_value,
    spc_point_variation,
    spc_text,
)
from scorecard import labels, periods
from scorecard.periods import previous_period, year_earlier
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import THEMES, Metric

log = logging.getLogger(__name__)


# --- national scorecard -------------------------------------------------------------------


@dataclass
class Scorecard:
    """The frames of one scorecard page by theme, in display order (key, title, frame)."""

    period: str
    groups: list[tuple[str, str, pd.DataFrame]] = field(default_factory=list)
    spc_quarter: str | None = None
    message: str | None = None


def national_columns(period: str, spc_quarter: str | None) -> list[str]:
    """One column per meaning: for a financial year the previous period IS the year earlier,
    so it is shown once; a quarter has both. The SPC column names its quarter."""
    cols = ["Metric", "Owner side", "Breakdown", "Statistic", "Basis", "Value"]
    if periods.kind(period) == "quarter":
        cols += ["Previous quarter", "Change on previous quarter"]
    cols += ["Year earlier", "Change on year earlier"]
    return [*cols, spc_column(spc_quarter)]


def spc_column(spc_quarter: str | None) -> str:
    return f"SPC, {quarter_words(spc_quarter)}" if spc_quarter else "SPC"


def spc_at(level: str, org: str, quarter: str | None) -> dict[tuple, str | None]:
    """The SPC variation of every (metric, basis, stat, breakdown) series at ``quarter``,
    judged with the metric's direction (None: no point or suppressed)."""
    if quarter is None:
        return {}
    got = source.query(
        "SELECT metric_id, basis, stat, breakdown, special_cause, cause_side, suppressed "
        "FROM mart.spc WHERE level = ? AND org_code = ? AND period = ?",
        [level, org, quarter],
    )
    metrics = catalogue.by_id()
    out: dict[tuple, str | None] = {}
    for r in got.to_dict("records"):
        m = metrics.get(r["metric_id"])
        special = (
            None
            if reason_of(r["suppressed"]) or pd.isna(r["special_cause"])
            else r["special_cause"]
        )
        out[(r["metric_id"], r["basis"], r["stat"], r["breakdown"])] = (
            spc_point_variation(special, r["cause_side"], m.direction) if m else None
        )
    return out


def theme_groups() -> list[tuple[str, str]]:
    return [*THEMES.items(), OTHER_THEME]


OTHER_THEME = ("other", "Other measures")


@snapshot_cached
def national_scorecard(period: str, spc_quarter: str | None = None) -> Scorecard:
    """Every catalogue metric's figures nationally for ``period`` with the change on the same
    period a year earlier (and, for a quarter, on the previous quarter) and the SPC
    judgement of ``spc_quarter`` (the quarter the period ends with), grouped by theme."""
    quarterly = periods.kind(period) == "quarter"
    prev, year = previous_period(period), year_earlier(period)
    rows = mart_rows([("national", "national")], [period, prev, year])
    idx, by_period = indexed(rows)
    icons = spc_at("national", "national", spc_quarter)
    spc_col = spc_column(spc_quarter)
    present = by_period.get(period, {})
    grouped: dict[str, list[dict]] = {}
    for m in catalogue.load():
        for basis, stat, bd in headline_keys(m, present):
            unit = stat_unit(m, stat)
            key = (m.id, basis, stat, bd)
            now = idx.get(("national", "national", period, *key))
            before = idx.get(("national", "national", prev, *key))
            ago = idx.get(("national", "national", year, *key))
            row = {
                "Metric": m.name,
                "Owner side": SIDE_LABEL[m.side],
                "Breakdown": breakdown_label(bd),
                "Statistic": stat_label(m, stat),
                "Basis": labels.basis(basis),
                "Value": cell_text(now, unit),
            }
            if quarterly:
                row["Previous quarter"] = cell_text(before, unit)
                row["Change on previous quarter"] = change_text(now, before, unit)
            row["Year earlier"] = cell_text(ago, unit)
            row["Change on year earlier"] = change_text(now, ago, unit)
            row[spc_col] = spc_text(icons.get(key)) if spc_quarter else "no complete quarter"
            grouped.setdefault(m.theme or OTHER_THEME[0], []).append(row)
    card = Scorecard(period=period, spc_quarter=spc_quarter)
    cols = national_columns(period, spc_quarter)
    for theme, title in theme_groups():
        if theme in grouped:
            card.groups.append((theme, title, pd.DataFrame(grouped[theme], columns=cols)))
    return card


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
        "special_cause, cause_side, rules, suppressed, variation, is_latest, phase FROM mart.spc "
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
        sup = reason_of(r.get("suppressed"))
        rows.append(
            {
                "Quarter": r["period"],
                "Value": format_value(as_number(r["value"]), unit, sup),
                "Centre line": format_value(as_number(r["centre"]), unit),
                "Lower limit (3 sigma)": format_value(as_number(r["lower_3s"]), unit),
                "Upper limit (3 sigma)": format_value(as_number(r["upper_3s"]), unit),
                "Special cause": "not assessed (suppressed)"
                if sup
                else ("yes" if r.get("special_cause") else "no"),
            }
        )
    return pd.DataFrame(rows, columns=list(SPC_COLUMNS))
