"""Queries and arithmetic behind ``/compare``: which metrics can be compared, the forces'
rates (or mean days) with their funnel limits, the funnel curves, peer groups and each
force's SPC series.

Two kinds of funnel: a rate against the national rate, and for timeliness (unit ``days``)
the mean days against the national mean (limits ``mu0 +/- z sqrt(phi) sd0 / sqrt(n)``, from
``warehouse/sql/mart/025_funnel.sql``), with each force's median days and the median's own
position (a sign test) beside it in the table.

Every query is a simple filtered select on the precomputed marts (``mart.metric_values``,
``mart.spc``, ``ref.forces``); the only computation here is drawing the funnel curves, with
:mod:`warehouse.metrics.funnel` and the over-dispersion factor the mart published
(``mart.metric_values.phi``), so the curves and the per-force limits agree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

from dashboard.data import source
from dashboard.data.source import snapshot_cached
from dashboard.ui.charts.spc import baseline_text
from dashboard.ui.wording import (
    format_value,
    not_compared_text,
    position_words,
    spc_rules_text,
    special_cause_text,
)
from scorecard import periods, reference
from warehouse.metrics import catalogue, funnel

log = logging.getLogger(__name__)

LEVEL = "force"
DEFAULT_METRIC = "rate.referral"
PEER_MODES = ("region", "configured", "none")
ALL_CASES = "all"  # select value for breakdown '' (a native select shows '' as blank)
NO_FORCE = "none"  # select value for "no force highlighted"
PEER_GROUPS_FILE = "peer_groups.yaml"
CURVE_POINTS = 120


# --- metrics ---------------------------------------------------------------------------


def is_days(m: catalogue.Metric) -> bool:
    """A timeliness metric: compared on its mean days (and median beside it)."""
    return m.unit == "days" and "mean" in m.stats


def stat_of(metric_id: str) -> str:
    """The statistic a metric's funnel plots: 'mean' for timeliness, else 'rate'."""
    return "mean" if is_days(catalogue.get(metric_id)) else "rate"


def comparable_metrics() -> tuple[catalogue.Metric, ...]:
    """Catalogue metrics with force-level values and a funnel: rates with a funnel, and
    timeliness (mean days) - catalogue order."""
    return tuple(
        m
        for m in catalogue.load()
        if LEVEL in m.levels and (("rate" in m.stats and m.funnel) or is_days(m))
    )


def metric_options() -> list[dict[str, str]]:
    return [{"label": m.name, "value": m.id} for m in comparable_metrics()]


# --- selection from the URL ------------------------------------------------------------


@dataclass
class Selection:
    """What the page shows; built from the query string, then checked against the data."""

    metric: str = DEFAULT_METRIC
    basis: str = "period"
    period: str | None = None
    breakdown: str = ""
    force: str = ""
    peers: str = "region"
    problems: list[str] = field(default_factory=list)
    # Filled by resolve(): what the snapshot offers for this metric and basis.
    breakdowns: list[str] = field(default_factory=list)
    period_choices: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """The query-string form (only non-empty values), so a view is linkable."""
        out = {"metric": self.metric, "basis": self.basis, "period": self.period or ""}
        out.update(breakdown=self.breakdown, force=self.force, peers=self.peers)
        return {k: v for k, v in out.items() if v}


def parse_query(params: Mapping[str, object]) -> Selection:
    """A :class:`Selection` from query parameters; anything unknown is replaced by the
    default and named in ``problems`` (shown to the user, never raised)."""
    sel = Selection()
    known = {m.id: m for m in comparable_metrics()}

    def text(name: str) -> str | None:
        raw = params.get(name)
        if raw is None:
            return None
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        return str(raw).strip()

    metric = text("metric")
    if metric:
        if metric in known:
            sel.metric = metric
        else:
            sel.problems.append(f"metric {metric!r} cannot be compared on a funnel plot")
    m = known[sel.metric]
    basis = text("basis")
    sel.basis = m.basis[0]
    if basis:
        if basis in m.basis:
            sel.basis = basis
        else:
            sel.problems.append(f"basis {basis!r} is not available for {m.name}")
    period = text("period")
    if period:
        if periods.is_valid(period):
            sel.period = period
        else:
            sel.problems.append(f"period {period!r} is not a financial year or quarter")
    breakdown = text("breakdown")
    if breakdown and breakdown != ALL_CASES:
        sel.breakdown = breakdown
    force = text("force")
    if force and force != NO_FORCE:
        if force in force_names():
            sel.force = force
        else:
            sel.problems.append(f"force {force!r} is not one of the 43 forces")
    peers = text("peers")
    if peers:
        if peers in PEER_MODES:
            sel.peers = peers
        else:
            sel.problems.append(f"peer group {peers!r} is not region, configured or none")
    unknown = sorted(set(params) - {"metric", "basis", "period", "breakdown", "force", "peers"})
    if unknown:
        sel.problems.append(f"ignored unknown parameter(s) {', '.join(unknown)}")
    return sel


def resolve(sel: Selection) -> Selection:
    """Check the period and breakdown against what the snapshot holds; fall back to the
    current financial year and the metric's first breakdown, saying so."""
    breakdowns = sel.breakdowns = available_breakdowns(sel.metric, sel.basis)
    if sel.breakdown not in breakdowns:
        if sel.breakdown:
            sel.problems.append(f"breakdown {sel.breakdown!r} has no force figures")
        sel.breakdown = breakdowns[0] if breakdowns else ""
    avail = sel.period_choices = available_periods(sel.metric, sel.basis, sel.breakdown)
    if sel.period not in avail:
        if sel.period:
            sel.problems.append(f"period {sel.period} has no force figures for this metric")
        sel.period = default_period(avail)
    return sel


# --- reference -------------------------------------------------------------------------


@cache
def force_names() -> dict[str, str]:
    return {f.code: f.name for f in reference.forces()}


@cache
def region_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in reference.read_csv("regions.csv")}


@cache
def configured_peer_groups() -> dict[str, tuple[str, ...]]:
    """Peer groups from ``scorecard/reference/data/peer_groups.yaml`` (name -> force codes);
    unknown force codes fail loudly so a typo never silently drops a peer."""
    doc = yaml.safe_load(reference.read_text(PEER_GROUPS_FILE)) or {}
    groups: dict[str, tuple[str, ...]] = {}
    for g in doc.get("groups") or ():
        codes = tuple(str(c) for c in g.get("forces") or ())
        bad = [c for c in codes if c not in force_names()]
        if bad:
            raise ValueError(f"{PEER_GROUPS_FILE}: group {g.get('name')!r} names unknown {bad}")
        groups[str(g["name"])] = codes
    return groups


def peers_of(force: str, mode: str) -> tuple[str, tuple[str, ...]]:
    """(description, peer force codes excluding the force itself) for a peer mode.

    ``configured`` uses the first configured group containing the force and falls back to
    the police region when none does (the description says which)."""
    if not force or mode == "none":
        return "", ()
    by_code = {f.code: f for f in reference.forces()}
    if mode == "configured":
        for name, codes in configured_peer_groups().items():
            if force in codes:
                return f"peer group: {name}", tuple(c for c in codes if c != force)
    region = by_code[force].region
    peers = tuple(c for c, f in by_code.items() if f.region == region and c != force)
    prefix = "" if mode == "region" else "no configured peer group; "
    return f"{prefix}police region: {region_names().get(region, region)}", peers


# --- snapshot queries ------------------------------------------------------------------
#
# Each read is memoised per serving snapshot (:func:`dashboard.data.source.snapshot_cached`).
# mart.metric_values is ordered by level, organisation and period, not by metric, so one
# metric's rows sit in every block of the table: a read's cost is the blocks it must
# decompress, not the rows it returns. Reading every period of a metric (or every force's
# SPC series) cost 4-6 times a read of the one period (or one organisation) on show, so each
# read is narrowed to exactly what a callback draws; what metrics, breakdowns and periods
# exist comes from one narrow read per snapshot.


@snapshot_cached
def _compare_catalogue() -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(metric, basis) -> breakdown ('' first) -> periods with force rates, newest first:
    one narrow read per snapshot answers every choice list of the page."""
    df = source.query(
        "SELECT DISTINCT metric_id, stat, basis, breakdown, period FROM mart.metric_values "
        "WHERE level = ? AND stat IN ('rate', 'mean') "
        "ORDER BY metric_id, basis, breakdown, period DESC",
        [LEVEL],
    )
    wanted = {m.id: ("mean" if is_days(m) else "rate") for m in comparable_metrics()}
    out: dict[tuple[str, str], dict[str, list[str]]] = {}
    cols = (df[c].tolist() for c in ("metric_id", "stat", "basis", "breakdown", "period"))
    for mid, stat, basis, bd, period in zip(*cols, strict=True):
        if wanted.get(mid) == stat:
            out.setdefault((mid, basis), {}).setdefault(bd, []).append(period)
    return {k: {bd: tuple(ps) for bd, ps in v.items()} for k, v in out.items()}


@snapshot_cached
def _compare_current_fy() -> str | None:
    df = source.query("SELECT current_fy FROM mart.build_info LIMIT 1", [])
    return None if df.empty else str(df["current_fy"].iloc[0])


SPC_SERIES_COLUMNS = (
    "period", "seq", "chart", "value", "centre", "lower_3s", "upper_3s", "lower_2s",
    "upper_2s", "special_cause", "rules", "cause_side", "suppressed", "is_latest", "variation",
    "phase",
)  # fmt: skip
RATE_COLUMNS = (
    "numerator", "denominator", "value", "suppressed", "lower_95", "upper_95", "lower_998",
    "upper_998", "position", "phi",
)  # fmt: skip
NATIONAL_FIELDS = ("numerator", "denominator", "value", "suppressed")
MEDIAN_FIELDS = ("median", "median_suppressed", "median_position")


@snapshot_cached
def _compare_period(
    metric: str, basis: str, breakdown: str, period: str
) -> tuple[pd.DataFrame, dict[str, object] | None]:
    """(all 43 forces with their rate and limits, national rate) of one metric and period,
    in one read: every force is on show at once, so this is the least a funnel can read."""
    df = source.query(
        "SELECT level AS _level, org_code, "
        + ", ".join(RATE_COLUMNS)
        + " FROM mart.metric_values WHERE level IN (?, 'national') AND metric_id = ? "
        "AND basis = ? AND stat = ? AND breakdown = ? AND period = ?",
        [LEVEL, metric, basis, stat_of(metric), breakdown, period],
    )
    if stat_of(metric) == "mean":  # the medians and their positions beside the means
        med = source.query(
            "SELECT level AS _level, org_code, value AS median, suppressed AS median_suppressed,"
            " position AS median_position FROM mart.metric_values WHERE level IN (?, 'national')"
            " AND metric_id = ? AND basis = ? AND stat = 'median' AND breakdown = ? "
            "AND period = ?",
            [LEVEL, metric, basis, breakdown, period],
        )
        df = df.merge(med, on=["_level", "org_code"], how="left", sort=False)
    is_force = (df["_level"] == LEVEL).to_numpy(dtype=bool)
    nat = df[~is_force]
    national = None
    if len(nat):
        first = {c: nat[c].iloc[0] for c in NATIONAL_FIELDS + MEDIAN_FIELDS if c in nat}
        national = {c: None if pd.isna(v) else v for c, v in first.items()}
    # Every force, in name order, once per read (a merge per call cost more than the read).
    forces = _compare_forces()
    if not is_force.any():
        return forces.assign(**{c: np.nan for c in RATE_COLUMNS + MEDIAN_FIELDS}), national
    rows = df[is_force].drop(columns=["_level"])
    return forces.merge(rows, on="org_code", how="left", sort=False), national


@snapshot_cached
def _compare_forces() -> pd.DataFrame:
    """The 43 forces in name order (code, name, region): every funnel lists all of them."""
    return source.query("SELECT code AS org_code, name, region FROM ref.forces ORDER BY name", [])


@snapshot_cached
def _compare_spc(metric: str, basis: str, breakdown: str, level: str, org: str) -> pd.DataFrame:
    """One organisation's quarterly SPC series for one metric (the chart shows one)."""
    return source.query(
        "SELECT " + ", ".join(SPC_SERIES_COLUMNS) + " FROM mart.spc WHERE level = ? "
        "AND org_code = ? AND metric_id = ? AND basis = ? AND stat = ? AND breakdown = ? "
        "ORDER BY seq",
        [level, org, metric, basis, stat_of(metric), breakdown],
    )


def available_breakdowns(metric: str, basis: str) -> list[str]:
    """Breakdowns with force rates ('' - all cases - first when present)."""
    return list(_compare_catalogue().get((metric, basis), {}))


def available_periods(metric: str, basis: str, breakdown: str) -> list[str]:
    """Periods with force rates, newest first."""
    got = _compare_catalogue().get((metric, basis), {})
    return list(got.get(breakdown, ()))


def current_fy() -> str | None:
    """The latest complete financial year of the snapshot (``mart.build_info``)."""
    return _compare_current_fy()


def default_period(avail: list[str]) -> str | None:
    """The snapshot's current (latest complete) financial year, else the newest year."""
    fy = current_fy()
    if fy in avail:
        return fy
    years = [p for p in avail if periods.kind(p) == "fy"]
    pool = years or avail
    return pool[0] if pool else None


def period_options(avail: list[str]) -> list[dict[str, str]]:
    """Financial years first (newest first), then quarters."""
    years = [p for p in avail if periods.kind(p) == "fy"]
    quarters = [p for p in avail if periods.kind(p) == "quarter"]
    return [{"label": f"Year {p}", "value": p} for p in years] + [
        {"label": f"{p[:7]} {p[-2:]}", "value": p} for p in quarters
    ]


def _period_read(sel: Selection) -> tuple[pd.DataFrame | None, dict[str, object] | None]:
    if not sel.period:
        return None, None
    return _compare_period(sel.metric, sel.basis, sel.breakdown, sel.period)


def force_rates(sel: Selection) -> pd.DataFrame:
    """One row per force (all 43 in name order, suppressed ones included, missing values
    when a force has no figures) with value and limits; a copy, the caller's own (the read
    is memoised and shared)."""
    rows, _ = _period_read(sel)
    if rows is None:
        forces = _compare_forces()
        return forces.assign(**{c: np.nan for c in RATE_COLUMNS + MEDIAN_FIELDS})
    return rows.copy()


def national_rate(sel: Selection) -> dict[str, float | str | None] | None:
    _, national = _period_read(sel)
    return None if national is None else dict(national)  # type: ignore[arg-type]


def spc_series(sel: Selection, org_code: str | None) -> pd.DataFrame:
    """Quarterly SPC points for one force (or national when no force is chosen); a copy."""
    level, org = (LEVEL, org_code) if org_code else ("national", "national")
    got = _compare_spc(sel.metric, sel.basis, sel.breakdown, level, org)
    return got.copy()


# --- funnel curves ---------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelCurves:
    """Control-limit curves over a grid of denominators, on the metric's display scale."""

    n: np.ndarray
    centre: float
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    phi: float


def _floats(column: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing (numpy, not pandas: boolean masks on the
    43-row frames cost more in pandas than the arithmetic)."""
    return np.asarray(column.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def mart_phi(rates: pd.DataFrame) -> float:
    """The over-dispersion factor the mart's limits use (``mart.metric_values.phi``, one
    per funnel); 1.0 when no force has one (nothing on the plot to adjust for)."""
    got = _floats(rates["phi"]) if "phi" in rates.columns else np.array([])
    got = got[~np.isnan(got)]
    return float(got[0]) if len(got) else 1.0


def funnel_curves(
    rates: pd.DataFrame, national: Mapping[str, object] | None, unit: str
) -> FunnelCurves | None:
    """Curves drawn from the national rate, the forces' denominators and the mart's phi with
    :func:`warehouse.metrics.funnel.limits` (Spiegelhalter 2005, multiplicative phi), so the
    curves pass through every force's published limits."""
    if not national or national.get("suppressed") or not national.get("denominator"):
        return None
    if unit == "days":
        return _mean_curves(rates, float(national["value"]))  # type: ignore[arg-type]
    num, den = float(national["numerator"] or 0), float(national["denominator"])  # type: ignore[arg-type]
    p0 = num / den
    value = float(national["value"])  # type: ignore[arg-type]
    scale = value / p0 if p0 > 0 else 100.0
    phi = mart_phi(rates)
    dens = _floats(rates["denominator"])
    dens = dens[~np.isnan(dens)]
    top = float(dens.max()) if len(dens) else den / 10
    lo = max(1.0, float(dens.min()) * 0.5) if len(dens) else 1.0
    grid = np.unique(np.geomspace(lo, top * 1.1, CURVE_POINTS).round(2))
    cap = None if unit == "per_100" else 1.0
    l95, u95, l998, u998 = funnel.limits(p0, grid, phi, upper_cap=cap)
    return FunnelCurves(grid, value, l95 * scale, u95 * scale, l998 * scale, u998 * scale, phi)


def _grid(dens: np.ndarray, fallback: float) -> np.ndarray:
    top = float(dens.max()) if len(dens) else fallback
    lo = max(1.0, float(dens.min()) * 0.5) if len(dens) else 1.0
    return np.unique(np.geomspace(lo, top * 1.1, CURVE_POINTS).round(2))


def _mean_curves(rates: pd.DataFrame, mu0: float) -> FunnelCurves | None:
    """Funnel of mean days: limits mu0 +/- z * s / sqrt(n), where s = sqrt(phi) * sd0 is read
    back from the forces' published 99.8% upper limits (the same for every force up to
    rounding; the median is taken), so the curves pass through every force's limits."""
    n = _floats(rates["denominator"])
    up = _floats(rates["upper_998"])
    ok = ~np.isnan(n) & ~np.isnan(up) & (n > 0)
    if not ok.any():
        return None
    s = float(np.median((up[ok] - mu0) * np.sqrt(n[ok]))) / funnel.Z998
    grid = _grid(n[ok], 1.0)
    half95, half998 = funnel.Z95 * s / np.sqrt(grid), funnel.Z998 * s / np.sqrt(grid)
    return FunnelCurves(
        grid, mu0, np.maximum(mu0 - half95, 0), mu0 + half95, np.maximum(mu0 - half998, 0),
        mu0 + half998, mart_phi(rates),
    )  # fmt: skip


@snapshot_cached
def _compare_curves(
    metric: str, basis: str, breakdown: str, period: str, unit: str
) -> FunnelCurves | None:
    sel = Selection(metric=metric, basis=basis, period=period, breakdown=breakdown)
    return funnel_curves(force_rates(sel), national_rate(sel), unit)


def curves_for(sel: Selection, unit: str) -> FunnelCurves | None:
    """:func:`funnel_curves` for a resolved selection, memoised per snapshot (the curves do
    not depend on which force is highlighted)."""
    if sel.period is None:
        return funnel_curves(force_rates(sel), national_rate(sel), unit)
    return _compare_curves(sel.metric, sel.basis, sel.breakdown, sel.period, unit)


# --- shown figures (table alternative, CSV, grid) ---------------------------------------

ROLE_TEXT = {"selected": "selected", "peer": "peer", "other": ""}
FUNNEL_COLUMNS = (
    "Force",
    "Police region",
    "Highlight",
    "Numerator",
    "Denominator",
    "Rate",
    "95% lower",
    "95% upper",
    "99.8% lower",
    "99.8% upper",
    "Against national",
)
# Timeliness: the mean's funnel, then the median with its own position (a sign test).
DAYS_COLUMNS = (
    "Force",
    "Police region",
    "Highlight",
    "Cases",
    "Mean days",
    "95% lower",
    "95% upper",
    "99.8% lower",
    "99.8% upper",
    "Mean against national",
    "Median days",
    "Median against national",
)


def columns_for(unit: str) -> tuple[str, ...]:
    return DAYS_COLUMNS if unit == "days" else FUNNEL_COLUMNS


def _rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> Iterator[SimpleNamespace]:
    """Rows as attribute records from whole-column lists: ``itertuples`` slices every column
    per call, which cost more than formatting 43 rows. Missing columns read as None."""
    n = len(frame)
    cols = [frame[c].tolist() if c in frame.columns else [None] * n for c in columns]
    for values in zip(*cols, strict=True):
        yield SimpleNamespace(**dict(zip(columns, values, strict=True)))


RATE_FIELDS = (
    "name", "region", "role", "numerator", "denominator", "value", "suppressed",
    "lower_95", "upper_95", "lower_998", "upper_998", "position", "median",
    "median_suppressed", "median_position",
)  # fmt: skip
SPC_FIELDS = (
    "period", "value", "centre", "lower_3s", "upper_3s", "special_cause", "rules",
    "cause_side", "suppressed",
)  # fmt: skip


def with_roles(rates: pd.DataFrame, force: str, peers: tuple[str, ...]) -> pd.DataFrame:
    out = rates.copy()
    out["role"] = [
        "selected" if c == force else "peer" if c in peers else "other" for c in out["org_code"]
    ]
    return out


def _reason(suppressed: object) -> str | None:
    return suppressed if isinstance(suppressed, str) and suppressed else None


def against(position: object, suppressed: object, direction: str) -> str:
    """The funnel position in words with the metric's direction ("significantly worse than
    national: outside the 99.8% limits", "no different from national"); a unit left out
    says why ("not compared: fewer than 10 cases")."""
    reason = _reason(suppressed)
    if reason or not isinstance(position, str) or not position:
        return not_compared_text(reason)
    return position_words(direction, position)


def _fmt(value: object, unit: str, suppressed: object = None) -> str:
    reason = suppressed if isinstance(suppressed, str) and suppressed else None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        value = None
    return format_value(value, unit, reason)


def funnel_table(
    rates: pd.DataFrame, national: Mapping[str, object] | None, unit: str,
    direction: str = "neutral",
) -> pd.DataFrame:  # fmt: skip
    """Exactly the figures the funnel plot and grid show: national first, then each force
    (suppressed ones say so, with the reason, instead of a number)."""
    days = unit == "days"
    rows = []
    if national:
        nat_sup = national.get("suppressed")
        first: dict[str, str] = {c: "" for c in columns_for(unit)}
        first["Force"] = "England and Wales (national)"
        if days:
            first["Cases"] = _fmt(national.get("denominator"), "count")
            first["Mean days"] = _fmt(national.get("value"), unit, nat_sup)
            first["Median days"] = _fmt(
                national.get("median"), unit, national.get("median_suppressed")
            )
        else:
            first["Numerator"] = _fmt(national.get("numerator"), "count", nat_sup)
            first["Denominator"] = _fmt(national.get("denominator"), "count")
            first["Rate"] = _fmt(national.get("value"), unit, nat_sup)
        rows.append(first)
    for r in _rows(rates, RATE_FIELDS):
        sup = _reason(r.suppressed)
        row = {
            "Force": r.name,
            "Police region": region_names().get(r.region, r.region),
            "Highlight": ROLE_TEXT.get(r.role or "other", ""),
            "95% lower": "" if sup else _fmt(r.lower_95, unit),
            "95% upper": "" if sup else _fmt(r.upper_95, unit),
            "99.8% lower": "" if sup else _fmt(r.lower_998, unit),
            "99.8% upper": "" if sup else _fmt(r.upper_998, unit),
        }
        if days:
            msup = _reason(r.median_suppressed)
            row |= {
                "Cases": "" if sup else _fmt(r.denominator, "count"),
                "Mean days": _fmt(r.value, unit, sup),
                "Mean against national": against(r.position, sup, direction),
                "Median days": _fmt(r.median, unit, msup),
                "Median against national": against(r.median_position, msup, direction),
            }
        else:
            row |= {
                "Numerator": "" if sup else _fmt(r.numerator, "count"),
                "Denominator": "" if sup else _fmt(r.denominator, "count"),
                "Rate": _fmt(r.value, unit, sup),
                "Against national": against(r.position, sup, direction),
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=list(columns_for(unit)))


def grid_rows(
    rates: pd.DataFrame, unit: str, direction: str = "neutral"
) -> list[dict[str, object]]:
    """Rows for the sortable grid: numbers rounded as displayed (so sorting is numeric and
    the displayed text equals the CSV), and a note carrying any suppression reason."""
    digits = 0 if unit == "days" else 1

    def num(v: object, places: int) -> float | None:
        if v is None or pd.isna(v):
            return None
        return round(float(v), places)  # type: ignore[arg-type]

    out = []
    for r in _rows(rates, RATE_FIELDS):
        sup = _reason(r.suppressed)
        msup = _reason(r.median_suppressed)
        out.append(
            {
                "force": r.name,
                "region": region_names().get(r.region, r.region),
                "highlight": ROLE_TEXT.get(r.role or "other", ""),
                "numerator": None if sup else num(r.numerator, 0),
                "denominator": None if sup else num(r.denominator, 0),
                "value": None if sup else num(r.value, digits),
                "lower_95": None if sup else num(r.lower_95, digits),
                "upper_95": None if sup else num(r.upper_95, digits),
                "lower_998": None if sup else num(r.lower_998, digits),
                "upper_998": None if sup else num(r.upper_998, digits),
                "position": against(r.position, sup, direction),
                "note": _fmt(None, unit, sup) if sup else "",
                "median": None if msup else num(r.median, 0),
                "median_position": against(r.median_position, msup, direction),
                "median_note": _fmt(None, unit, msup) if msup else "",
            }
        )
    return out


SPC_COLUMNS = (
    "Quarter",
    "Value",
    "Mean",
    "Lower limit (3 sigma)",
    "Upper limit (3 sigma)",
    "Special cause",
    "Rules",
    "Baseline",
)


def spc_table(series: pd.DataFrame, unit: str, direction: str) -> pd.DataFrame:
    """The SPC chart's figures, one row per quarter, special causes named in words and each
    quarter's baseline (the limits are recalculated after a sustained shift)."""
    phase = series["phase"] if "phase" in series.columns else [None] * len(series)
    baselines = baseline_text(series["period"], phase)
    rows = []
    for r, baseline in zip(_rows(series, SPC_FIELDS), baselines, strict=True):
        sup = r.suppressed if isinstance(r.suppressed, str) else None
        special = bool(r.special_cause) if not pd.isna(r.special_cause) else False
        cause = special_cause_text(str(r.cause_side), direction) if special else ""
        rows.append(
            {
                "Quarter": r.period,
                "Value": _fmt(r.value, unit, sup),
                "Mean": _fmt(r.centre, unit),
                "Lower limit (3 sigma)": "" if sup else _fmt(r.lower_3s, unit),
                "Upper limit (3 sigma)": "" if sup else _fmt(r.upper_3s, unit),
                "Special cause": cause,
                "Rules": spc_rules_text(r.rules) if special else "",
                "Baseline": baseline,
            }
        )
    return pd.DataFrame(rows, columns=list(SPC_COLUMNS))
