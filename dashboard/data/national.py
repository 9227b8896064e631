"""Data for the national scorecard (``/``) and its board pack: every metric's headline
figures with the change on the previous period and a year earlier, the published series,
the recommendations' roll-up and the quarterly SPC series. Display frames are exactly what
is shown (see :mod:`dashboard.data.scorecard`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from dashboard.data import source
from dashboard.data.scorecard import (
    OTHER_GROUP,
    SIDE_LABEL,
    STAGE_GROUPS,
    STAT_ORDER,
    VOLUMES,
    as_number,
    breakdown_label,
    cell_text,
    change_text,
    group_of,
    headline_basis,
    headline_keys,
    indexed,
    mart_rows,
    reason_of,
    stat_label,
    stat_unit,
)
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import (
    format_value,
    spc_text,
)
from scorecard.periods import previous_period, year_earlier
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import Metric

log = logging.getLogger(__name__)


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
        (r["metric_id"], r["basis"], r["stat"], r["breakdown"]): reason_of(r["variation"])
        for r in got.to_dict("records")
    }
    quarter = max(got["period"]) if len(got) else None
    return icons, quarter


@snapshot_cached
def national_scorecard(period: str) -> Scorecard:
    """Every catalogue metric's headline figures nationally for ``period`` with the change on
    the previous period and on a year earlier, and its latest SPC icon, grouped by stage."""
    prev, year = previous_period(period), year_earlier(period)
    rows = mart_rows([("national", "national")], [period, prev, year])
    idx, by_period = indexed(rows)
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
                    "Value": cell_text(now, unit),
                    "Previous period": cell_text(before, unit),
                    "Change on previous": change_text(now, before, unit),
                    "Year earlier": cell_text(ago, unit),
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
