"""The headline scorecard: the first screen of ``/`` and ``/area/<force>`` and page 1 of the
board pack. For each headline metric of the catalogue (``headline: true``, grouped by its
theme): the value for the period shown, the change on the same period a year earlier judged
with the metric's direction (:func:`warehouse.metrics.change.change_test`), the SPC judgement
of the quarter that period ends with, and on an area page the position against national in
words that say whether it is good or bad. Then what needs attention: concerning SPC signals,
metrics significantly worse than national and overdue recommendations, each with a link.

Everything here is built from the marts (one SELECT per source table, bound parameters) and
is exactly what the tiles, the list and the PDF show, so screen and paper agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from dashboard.data import recommendations, source
from dashboard.data.scorecard import (
    as_number,
    cell_text,
    change_text,
    headline_basis,
    indexed,
    mart_rows,
    reason_of,
    stat_unit,
)
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import (
    CHANGE_SYMBOL,
    SPC_TEXT,
    change_words,
    position_tone,
    position_words,
    spc_point_variation,
    spc_text,
)
from scorecard import periods
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import THEMES, Metric
from warehouse.metrics.change import Figure, change_test, judgement

# A tile shows one statistic: a rate where there is one, the count of a count metric, the
# mean of a days metric (the inspection's measure, and testable), else the median.
TILE_STAT_ORDER = ("rate", "count", "mean", "median")
STAGE_WORDS = {
    "report_to_police": "Report",
    "report": "Report",
    "investigation": "Investigation",
    "police_decision": "Police decision",
    "referral": "Referral to the CPS",
    "cps_decision": "CPS decision",
    "decisions": "Police and CPS decisions",
    "data": "Data",
    "all": "All stages",
}
# The order stages take inside a theme (report to charge).
STAGE_ORDER = tuple(STAGE_WORDS)


def quarter_words(quarter: str) -> str:
    """'2024-25-Q4' -> 'Quarter 4 of 2024-25' (as the period menu names it)."""
    return f"Quarter {quarter[-1]} of {quarter[:7]}"


def spc_quarter(period: str, as_at: date | None) -> tuple[str | None, str]:
    """The quarter whose SPC judgement goes with ``period``, and how to name it: the quarter
    itself, or the last quarter of a financial year (the latest complete one if the year
    is not over). None when no quarter of the period is complete."""
    if periods.kind(period) == "quarter":
        return period, f"{quarter_words(period)} (the quarter shown)"
    last = f"{period}-Q4"
    if as_at is not None and periods.bounds(last)[1] > as_at:
        done = periods.last_complete_quarter(as_at)
        if not done.startswith(period):
            return None, f"no complete quarter of {period} yet"
        return done, f"{quarter_words(done)} (the latest complete quarter of the year)"
    return last, f"{quarter_words(last)} (the last quarter of the year)"


def tile_stat(metric: Metric) -> str:
    return next(s for s in TILE_STAT_ORDER if s in metric.stats)


def test_kind(metric: Metric, stat: str) -> str:
    """What :func:`change_test` tests: the unit of a rate, the count, or mean/median."""
    if stat == "rate":
        return "per_100" if stat_unit(metric, stat) == "per_100" else "percent"
    return stat


def stage_order(metric: Metric) -> int:
    return STAGE_ORDER.index(metric.stage) if metric.stage in STAGE_ORDER else len(STAGE_ORDER)


@dataclass(frozen=True)
class Tile:
    """One headline tile, every line in words (see :func:`tile_frame` for the table)."""

    metric_id: str
    theme: str
    stage: str
    title: str
    value: str
    change: str
    judgement: str
    method: str
    spc: str
    spc_variation: str | None
    position: str | None = None
    position_tone: str = "neutral"
    href: str = ""


@dataclass(frozen=True)
class Attention:
    kind: str  # spc | national | overdue
    text: str
    href: str


@dataclass
class Headline:
    period: str
    year_earlier: str
    spc_quarter: str | None
    spc_label: str
    tiles: list[Tile] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)

    def by_theme(self) -> list[tuple[str, str, list[Tile]]]:
        """(theme, words, tiles) in theme order, themes without tiles left out."""
        out = []
        for key, words in THEMES.items():
            tiles = [t for t in self.tiles if t.theme == key]
            if tiles:
                out.append((key, words, tiles))
        return out


def _figure(row: dict | None) -> Figure:
    if row is None or reason_of(row.get("suppressed")):
        return Figure(None)
    return Figure(
        as_number(row.get("value")),
        as_number(row.get("numerator")),
        as_number(row.get("denominator")),
        as_number(row.get("sd")),
    )


def _spc_points(pairs: list[tuple[str, str]], quarter: str | None) -> dict[tuple, dict]:
    """The published SPC points of ``quarter`` for (level, org) pairs, keyed by (level,
    org, metric, basis, stat, breakdown)."""
    if quarter is None:
        return {}
    cond = " OR ".join("(level = ? AND org_code = ?)" for _ in pairs)
    got = source.query(
        "SELECT level, org_code, metric_id, basis, stat, breakdown, special_cause, cause_side, "
        f"suppressed FROM mart.spc WHERE ({cond}) AND period = ?",
        [*[x for p in pairs for x in p], quarter],
    )
    cols = {c: got[c].tolist() for c in got.columns}
    out = {}
    for i in range(len(got)):
        key = tuple(cols[c][i] for c in ("level", "org_code", "metric_id", "basis", "stat"))
        out[(*key, cols["breakdown"][i])] = {c: cols[c][i] for c in cols}
    return out


def _variation(point: dict | None, direction: str) -> str | None:
    if point is None or reason_of(point.get("suppressed")):
        return None
    special = point.get("special_cause")
    if special is None or (isinstance(special, float) and math.isnan(special)):
        return None
    return spc_point_variation(bool(special), point.get("cause_side"), direction)


def _href(path: str, **query: str) -> str:
    return f"{path}?{urlencode({k: v for k, v in query.items() if v})}"


@dataclass(frozen=True)
class Scope:
    """Whose scorecard: national, or a force (its joint/force rows) with its CPS Area(s)."""

    name: str
    force_code: str | None = None
    owner_codes: tuple[str, ...] = ()

    def level_org(self, metric: Metric) -> tuple[str, str] | None:
        if self.force_code is None:
            return ("national", "national")
        for lv in ("joint", "force"):
            if lv in metric.levels:
                return (lv, self.force_code)
        return None

    def pairs(self) -> list[tuple[str, str]]:
        if self.force_code is None:
            return [("national", "national")]
        return [("joint", self.force_code), ("force", self.force_code)]


def headline(scope: Scope, period: str, as_at: date | None) -> Headline:
    """The headline tiles and the needs-attention list of ``scope`` for ``period`` (the
    figures memoised per snapshot; overdue recommendations read fresh, as owners update)."""
    got = _headline(scope, period, as_at)
    overdue = overdue_items(scope.owner_codes if scope.force_code else None)
    return replace(got, attention=[*got.attention, *overdue])


@snapshot_cached
def _headline(scope: Scope, period: str, as_at: date | None) -> Headline:
    year = periods.year_earlier(period)
    quarter, quarter_label = spc_quarter(period, as_at)
    rows = mart_rows(scope.pairs(), [period, year])
    idx, by_period = indexed(rows)
    spc = _spc_points(scope.pairs(), quarter)
    out = Headline(period, year, quarter, quarter_label)
    area = scope.force_code is not None
    for m in sorted(catalogue.headline(), key=lambda m: (list(THEMES).index(str(m.theme)),
                                                         stage_order(m))):  # fmt: skip
        lo = scope.level_org(m)
        stat, basis = tile_stat(m), headline_basis(m)
        unit = stat_unit(m, stat)
        now = idx.get((*lo, period, m.id, basis, stat, "")) if lo else None
        before = idx.get((*lo, year, m.id, basis, stat, "")) if lo else None
        res = change_test(test_kind(m, stat), _figure(now), _figure(before))
        verdict = judgement(res, m.direction)
        moved = change_text(now, before, unit)
        if verdict in CHANGE_SYMBOL:
            moved = f"{CHANGE_SYMBOL[verdict]} {moved} on {year}: {change_words(verdict)}"
        else:
            moved = f"On {year}: {moved}"
        var = _variation(spc.get((*lo, m.id, basis, stat, "")) if lo else None, m.direction)
        spc_line = (
            f"SPC, {quarter_words(quarter)}: {spc_text(var)}"
            if quarter
            else f"SPC: {quarter_label}"
        )
        pos = pos_tone = None
        if area:
            shown_now = now is not None and not reason_of(now.get("suppressed"))
            got = reason_of(now.get("position")) if now is not None and shown_now else None
            pos = position_words(m.direction, got) if got else "not compared with national"
            pos_tone = position_tone(m.direction, got)
        name = m.name if stat in ("rate", "count") else f"{m.name} ({stat})"
        detail = (
            _href(f"/area/{scope.force_code}", period=period, metric=m.id) + "#area-trend"
            if area
            else _href("/", period=period, metric=m.id) + "#national-trend"
        )
        out.tiles.append(
            Tile(
                metric_id=m.id,
                theme=str(m.theme),
                stage=STAGE_WORDS.get(m.stage, m.stage.replace("_", " ").capitalize()),
                title=name,
                value=cell_text(now, unit),
                change=moved,
                judgement=verdict,
                method=res.method,
                spc=spc_line,
                spc_variation=var,
                position=pos,
                position_tone=pos_tone or "neutral",
                href=detail,
            )
        )
    out.attention = _attention(scope, period, quarter, idx, by_period, spc)
    return out


def _attention(
    scope: Scope,
    period: str,
    quarter: str | None,
    idx: dict[tuple, dict],
    by_period: dict,
    spc: dict[tuple, dict],
) -> list[Attention]:
    """Concerning SPC signals (every metric's all-cases series, headline metrics first),
    metrics significantly worse than national (area pages), overdue recommendations."""
    items: list[Attention] = []
    metrics = sorted(catalogue.load(), key=lambda m: not m.headline)
    area = scope.force_code is not None
    for m in metrics:
        lo = scope.level_org(m)
        if lo is None:
            continue
        basis = headline_basis(m)
        for stat in (tile_stat(m),):
            var = _variation(spc.get((*lo, m.id, basis, stat, "")), m.direction)
            if var == "concerning" and quarter:
                name = m.name if stat in ("rate", "count") else f"{m.name} ({stat})"
                href = (
                    _href("/compare", metric=m.id, force=scope.force_code or "", period=period)
                    if area and m.funnel and stat == "rate"
                    else (
                        _href(f"/area/{scope.force_code}", period=period, metric=m.id)
                        + "#area-trend"
                        if area
                        else _href("/", period=period, metric=m.id) + "#national-trend"
                    )
                )
                items.append(
                    Attention(
                        "spc",
                        f"{name}: {SPC_TEXT['concerning'][2:]} in {quarter_words(quarter)}",
                        href,
                    )
                )
    if area:
        present = by_period.get(period, {})
        for m in metrics:
            lo = scope.level_org(m)
            if lo is None:
                continue
            basis = headline_basis(m)
            for stat, bd in sorted(present.get((m.id, basis), set())):
                if bd:
                    continue
                row = idx.get((*lo, period, m.id, basis, stat, bd))
                if row is None or reason_of(row.get("suppressed")):
                    continue
                got = reason_of(row.get("position"))
                if position_tone(m.direction, got) == "bad":
                    name = m.name if stat in ("rate", "count") else f"{m.name} ({stat})"
                    items.append(
                        Attention(
                            "national",
                            f"{name}: {position_words(m.direction, got)}",
                            _href(
                                "/compare",
                                metric=m.id,
                                force=scope.force_code or "",
                                period=period,
                                basis=basis,
                            ),
                        )
                    )
    return items


def overdue_items(owner_codes: tuple[str, ...] | None) -> list[Attention]:
    """Overdue recommendation rows as owners' latest updates leave them (the recommendations
    page's rows): nationally one line per recommendation with how many owners are overdue;
    for a force, one line per overdue row of the force and its Area(s)."""
    got = recommendations.status_table()
    got = got[got["overdue"]]
    if owner_codes is not None:
        got = got[got["owner_code"].isin(owner_codes)]
    items = []
    if owner_codes is None:
        for (rec, title), part in got.groupby(["rec_no", "title"], sort=True):
            n = len(part)
            items.append(
                Attention(
                    "overdue",
                    f"Recommendation {int(rec)} ({title}): {n} owner{'s' if n != 1 else ''} "
                    "overdue",
                    f"/recommendations/{int(rec)}",
                )
            )
        return items
    for r in got.itertuples():
        items.append(
            Attention(
                "overdue",
                f"Recommendation {int(r.rec_no)} ({r.title}): {r.owner_name} overdue since "
                f"{r.target_date}",
                f"/recommendations/{int(r.rec_no)}",
            )
        )
    return items


TILE_COLUMNS = ("Theme", "Stage", "Metric", "Value", "Change on a year earlier", "SPC",
                "Against national")  # fmt: skip


def tile_frame(head: Headline, area: bool) -> pd.DataFrame:
    """The tiles as a table (the tiles' table alternative, CSV and the PDF's page 1)."""
    rows = [
        {
            "Theme": THEMES[t.theme],
            "Stage": t.stage,
            "Metric": t.title,
            "Value": t.value,
            "Change on a year earlier": t.change,
            "SPC": t.spc,
            "Against national": t.position or "",
        }
        for t in head.tiles
    ]
    cols = [c for c in TILE_COLUMNS if area or c != "Against national"]
    return pd.DataFrame(rows, columns=cols)
