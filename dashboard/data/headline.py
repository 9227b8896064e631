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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from dashboard.data import area as area_data
from dashboard.data import attrition as attrition_data
from dashboard.data import national as national_data
from dashboard.data import recommendations, source
from dashboard.data.compare import FunnelCurves, funnel_curves
from dashboard.data.scorecard import (
    as_number,
    cell_text,
    change_text,
    headline_basis,
    indexed,
    mart_rows,
    quarter_words,
    reason_of,
    stat_unit,
)
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import (
    CHANGE_SYMBOL,
    NOT_YET_SENT,
    SPC_TEXT,
    change_words,
    court_not_sent_words,
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
    "court": "Court",
    "data": "Data",
    "all": "All stages",
}
# The order stages take inside a theme (report to charge, then court).
STAGE_ORDER = tuple(STAGE_WORDS)
COURT_STAGE = "court"  # stage three: its metrics have their own tiles beside the headline


def period_short(period: str) -> str:
    """'2023-24' stays; '2023-24-Q3' -> '2023-24 Q3' (short enough for a tile's line)."""
    return f"{period[:7]} Q{period[-1]}" if periods.kind(period) == "quarter" else period


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
    # stage three (charge to completion at court): its tiles, and what its figures cover
    court: list[Tile] = field(default_factory=list)
    court_note: str | None = None

    def by_theme(self, court: bool = False) -> list[tuple[str, str, list[Tile]]]:
        """(theme, words, tiles) in theme order, themes without tiles left out: the
        headline's tiles, or (``court``) stage three's."""
        out = []
        for key, words in THEMES.items():
            tiles = [t for t in (self.court if court else self.tiles) if t.theme == key]
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
    year = period_short(periods.year_earlier(period))
    quarter, quarter_label = spc_quarter(period, as_at)
    rows = mart_rows(scope.pairs(), [period, year])
    idx, by_period = indexed(rows)
    spc = _spc_points(scope.pairs(), quarter)
    out = Headline(period, year, quarter, quarter_label)  # year: as the tiles write it
    figures = _Figures(scope, period, year, quarter, quarter_label, idx, spc, by_period)
    out.tiles = [figures.tile(m) for m in _ordered(catalogue.headline())]
    unsent, out.court_note = court_scope(scope)
    out.court = [figures.tile(m, unsent) for m in _ordered(court_metrics())]
    out.attention = _attention(scope, period, quarter, idx, by_period, spc)
    return out


def _ordered(metrics: Iterable[Metric]) -> list[Metric]:
    """By theme (in :data:`THEMES` order), then stage, then catalogue order."""
    return sorted(metrics, key=lambda m: (list(THEMES).index(str(m.theme)), stage_order(m)))


def court_metrics() -> tuple[Metric, ...]:
    """Stage three's metrics, one tile each: the catalogue's court-stage metrics with a
    theme (the cohort ``flow.attrition`` has its own view)."""
    return tuple(m for m in catalogue.load() if m.stage == COURT_STAGE and m.theme)


def court_scope(scope: Scope) -> tuple[str | None, str | None]:
    """(the words for a stage-three tile with no figure because court outcomes are not yet
    sent, else None; a note on what the stage-three figures cover) for ``scope``, from
    ``mart.court_coverage``: a force's figures need every one of its CPS Areas to have
    sent; national figures cover the Areas that have."""
    cover = attrition_data.court_coverage()
    names = attrition_data.area_names()
    areas = [(code, sent) for (lv, code), (sent, _) in cover.items() if lv == "cps_area"]
    if scope.force_code is None:
        unsent = sorted(names.get(a, a) for a, sent in areas if not sent)
        if len(unsent) == len(areas):
            return court_not_sent_words(["any CPS Area"]), None
        if not unsent:
            return None, None
        return None, (
            f"National stage-three figures cover the CPS Areas that have sent court "
            f"outcomes: {len(unsent)} of {len(areas)} have not yet sent "
            f"({', '.join(unsent)})."
        )
    if cover.get(("force", scope.force_code), (False, None))[0]:
        return None, None
    own = attrition_data.force_areas(scope.force_code)
    unsent = [names.get(a, a) for a in own if not cover.get(("cps_area", a), (False, None))[0]]
    words = court_not_sent_words(unsent or ["the force's CPS Area"])
    return words, f"{words}: the stage-three figures for {scope.name} are not shown."


@dataclass(frozen=True)
class _Figures:
    """What every tile of one headline reads: the scope's rows of the period and a year
    earlier, and the SPC points of the quarter shown."""

    scope: Scope
    period: str
    year: str
    quarter: str | None
    quarter_label: str
    idx: dict[tuple, dict]
    spc: dict[tuple, dict]
    by_period: dict = field(default_factory=dict)  # :func:`indexed`'s present keys

    def stat(self, m: Metric) -> str:
        """:func:`tile_stat`, passing over a statistic published only by breakdown (the
        ineffective trials' rate is split by trials; its all-cases figure is the mean)."""
        basis = headline_basis(m)
        whole = {
            s
            for p in (self.period, self.year)
            for s, bd in self.by_period.get(p, {}).get((m.id, basis), set())
            if not bd
        }
        return next((s for s in TILE_STAT_ORDER if s in m.stats and s in whole), tile_stat(m))

    def tile(self, m: Metric, not_sent: str | None = None) -> Tile:
        """``m``'s tile; ``not_sent`` (words) for a stage-three metric whose court outcomes
        are not yet sent: "not yet sent" in place of every figure, never a zero."""
        scope, period, year, quarter = self.scope, self.period, self.year, self.quarter
        lo = scope.level_org(m)
        stat, basis = self.stat(m), headline_basis(m)
        unit = stat_unit(m, stat)
        area = scope.force_code is not None
        name = m.name if stat in ("rate", "count") else f"{m.name} ({stat})"
        detail = (
            _href(f"/area/{scope.force_code}", period=period, metric=m.id) + "#area-trend"
            if area
            else _href("/", period=period, metric=m.id) + "#national-trend"
        )
        stage = STAGE_WORDS.get(m.stage, m.stage.replace("_", " ").capitalize())
        if not_sent is not None:
            return Tile(
                metric_id=m.id,
                theme=str(m.theme),
                stage=stage,
                title=name,
                value=NOT_YET_SENT,
                change=f"{not_sent}.",
                judgement="",
                method="",
                spc="SPC: no figure",
                spc_variation=None,
                position="not compared with national" if area else None,
                href=detail,
            )
        now = self.idx.get((*lo, period, m.id, basis, stat, "")) if lo else None
        before = self.idx.get((*lo, year, m.id, basis, stat, "")) if lo else None
        res = change_test(test_kind(m, stat), _figure(now), _figure(before))
        verdict = judgement(res, m.direction)
        moved = change_text(now, before, unit)
        if verdict in CHANGE_SYMBOL:
            moved = f"{CHANGE_SYMBOL[verdict]} {moved} on {year}: {change_words(verdict)}"
        else:
            moved = f"On {year}: {moved}"
        point = self.spc.get((*lo, m.id, basis, stat, "")) if lo else None
        var = _variation(point, m.direction)
        spc_line = (
            f"SPC, {quarter_words(quarter)}: {spc_text(var)}"
            if quarter
            else f"SPC: {self.quarter_label}"
        )
        pos = pos_tone = None
        if area:
            shown_now = now is not None and not reason_of(now.get("suppressed"))
            got = reason_of(now.get("position")) if now is not None and shown_now else None
            pos = position_words(m.direction, got) if got else "not compared with national"
            pos_tone = position_tone(m.direction, got)
        return Tile(
            metric_id=m.id,
            theme=str(m.theme),
            stage=stage,
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
    page's rows), one line per recommendation: nationally how many owners are overdue; for
    a force, which of the force and its Area(s) are overdue and since when."""
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
    for (rec, title), part in got.groupby(["rec_no", "title"], sort=True):
        who = "; ".join(
            f"{r.owner_name} since {r.target_date}" for r in part.itertuples(index=False)
        )
        items.append(
            Attention(
                "overdue",
                f"Recommendation {int(rec)} ({title}): overdue for {who}",
                f"/recommendations/{int(rec)}",
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


# --- the board pack's funnel plot and trend of each headline rate ---------------------------


@dataclass(frozen=True)
class Funnel:
    """Every unit's rate against its denominator (points: denominator, rate, highlighted?),
    the limit curves, and words for the axes and legend."""

    points: tuple[tuple[float, float, bool], ...]
    curves: FunnelCurves | None
    unit_word: str
    x_title: str
    highlight: str | None
    above: int
    below: int


@dataclass(frozen=True)
class Trend:
    """Quarterly series (name, values; None is a gap) on one axis, like with like: rates."""

    quarters: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    limits: tuple[tuple[str, tuple[float | None, ...]], ...] = ()


def funnel_level(metric: Metric) -> str:
    """The units a headline rate's funnel compares: each force's joint scorecard where the
    metric has one (the level of an area page's tile), else forces, else CPS Areas."""
    return next((lv for lv in ("joint", "force", "cps_area") if lv in metric.levels), "force")


UNIT_WORDS = {"joint": "Forces (joint scorecards)", "force": "Forces", "cps_area": "CPS Areas"}


@snapshot_cached
def funnel_for(metric_id: str, period: str, highlight: str | None) -> Funnel:
    m = catalogue.get(metric_id)
    level, basis = funnel_level(m), headline_basis(m)
    got = source.query(
        "SELECT level, org_code, numerator, denominator, value, suppressed, position, phi "
        "FROM mart.metric_values WHERE level IN (?, 'national') AND metric_id = ? AND basis = ? "
        "AND stat = 'rate' AND breakdown = '' AND period = ?",
        [level, m.id, basis, period],
    )
    units = got[got["level"] == level]
    nat = got[got["level"] == "national"]
    national = None
    if len(nat):
        r = nat.iloc[0]
        national = {
            c: (None if pd.isna(r[c]) else r[c])
            for c in ("numerator", "denominator", "value", "suppressed")
        }
    shown = units[
        units["suppressed"].isna() & units["value"].notna() & units["denominator"].notna()
    ]
    points = tuple(
        (float(d), float(v), o == highlight)
        for o, d, v in zip(shown["org_code"], shown["denominator"], shown["value"], strict=True)
    )
    curves = funnel_curves(units, national, stat_unit(m, "rate")) if len(units) else None
    name = None
    if highlight:
        names = source.query("SELECT name FROM ref.forces WHERE code = ?", [highlight])
        name = str(names["name"].iloc[0]) if len(names) else highlight
    return Funnel(
        points=points,
        curves=curves,
        unit_word=UNIT_WORDS[level],
        x_title=f"Cases in the denominator ({m.denominator or 'cases'})",
        highlight=name,
        above=int((shown["position"] == "above").sum()),
        below=int((shown["position"] == "below").sum()),
    )


def trend_for(scope: Scope, metric_id: str) -> Trend:
    """Nationally: the quarterly SPC chart's values and limits. For a force: the force's
    quarterly rate, its Area(s)' where published, and national: rates, so like with like."""
    m = catalogue.get(metric_id)
    if scope.force_code is None:
        points, key = national_data.spc_series("national", "national", m.id)
        if key is None:
            return Trend((), ())
        nums = lambda col: tuple(  # noqa: E731
            None if pd.isna(v) else float(v) for v in points[col]
        )
        return Trend(
            tuple(points["period"]),
            (("National", nums("value")),),
            (("Control limits (3 sigma)", nums("upper_3s")), ("", nums("lower_3s")),
             ("Centre line", nums("centre"))),
        )  # fmt: skip
    force = area_data.force_info(scope.force_code)
    if force is None:
        return Trend((), ())
    plot, _, key, _ = area_data.area_trend(force, m.id)
    if key is None:
        return Trend((), ())
    quarters = tuple(sorted(set(plot["period"])))
    series = []
    order = [force.name, *(a.name for a in force.areas), "National"]
    for org, part in sorted(
        plot.groupby("org", sort=False),
        key=lambda g: order.index(str(g[0])) if g[0] in order else len(order),
    ):
        got = dict(zip(part["period"], part["value"], strict=True))
        series.append(
            (
                str(org),
                tuple(
                    None if got.get(q) is None or pd.isna(got.get(q)) else float(got[q])
                    for q in quarters
                ),
            )
        )
    return Trend(quarters, tuple(series))


def rate_charts(
    scope: Scope, period: str, as_at: date | None
) -> list[tuple[Metric, Funnel, Trend, str]]:
    """For each headline rate: (metric, funnel, trend, one line saying what they show)."""
    out = []
    head = {t.metric_id: t for t in _headline(scope, period, as_at).tiles}
    for m in catalogue.headline():
        if tile_stat(m) != "rate":
            continue
        funnel = funnel_for(m.id, period, scope.force_code)
        trend = trend_for(scope, m.id)
        tile = head.get(m.id)
        n = len(funnel.points)
        where = (
            f"{scope.name}: {tile.value}, {tile.position}. "
            if tile is not None and tile.position is not None
            else (f"National: {tile.value}. " if tile is not None else "")
        )
        caption = (
            f"{where}Funnel ({period}): {n} {funnel.unit_word.lower()}, {funnel.above} above "
            f"and {funnel.below} below the national 99.8% limits. Trend: "
            + (
                "national quarterly rate with its SPC limits."
                if scope.force_code is None
                else f"{scope.name} beside national, quarterly rates."
            )
        )
        out.append((m, funnel, trend, caption))
    return out
