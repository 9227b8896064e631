"""Load the single metric catalogue (``catalogue.yaml``) into typed, validated entries.

Everything that names a metric (SQL build, export, dashboard, definitions page) reads this
loader, so a typo in the YAML fails loudly here rather than as a silently missing figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

LEVELS = ("national", "force", "cps_area", "joint", "region")
SIDES = ("police", "cps", "joint")
BASES = ("period", "cohort")
STATS = ("count", "rate", "mean", "median")
UNITS = ("count", "percent", "per_100", "days", "ratio")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
PERIOD_KINDS = ("fy", "quarter")
# The scorecard's themes (the MoJ criminal justice delivery dashboard's), in display order,
# with the words a person reads. A headline metric must name one; the stages sit inside them.
THEMES: dict[str, str] = {
    "volume": "Volume",
    "timeliness": "Timeliness",
    "engagement": "Victim engagement",
    "quality": "Quality",
}
HEADLINE_MIN, HEADLINE_MAX = 8, 12
SQL_PACKAGE = "warehouse.sql.mart"

DEFAULT_LEVELS: dict[str, tuple[str, ...]] = {
    "police": ("national", "force", "joint", "region"),
    "cps": ("national", "cps_area", "joint", "region"),
    "joint": LEVELS,
}


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    definition: str
    stage: str
    side: str
    basis: tuple[str, ...]
    numerator: str | None
    denominator: str | None
    unit: str
    direction: str
    recs: tuple[int, ...]
    stats: tuple[str, ...]
    breakdowns: tuple[str, ...]
    levels: tuple[str, ...]
    periods: tuple[str, ...]
    funnel: bool
    sql: str
    theme: str | None = None
    headline: bool = False

    def sql_text(self) -> str:
        """The SELECT that returns this metric's facts (see warehouse/build.py)."""
        return resources.files(SQL_PACKAGE).joinpath(self.sql).read_text(encoding="utf-8")


def _tuple(value: object, field: str, mid: str) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CatalogueError(f"{mid}: {field} must be a list")
    return tuple(value)


def _check_subset(values: tuple, allowed: tuple, field: str, mid: str) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise CatalogueError(f"{mid}: {field} has {bad}; allowed {list(allowed)}")


def _metric(raw: dict) -> Metric:
    mid = str(raw.get("id", "?"))
    required = ("id", "name", "definition", "stage", "side", "basis", "unit", "direction",
                "stats", "sql")  # fmt: skip
    missing = [k for k in required if not raw.get(k)]
    if missing:
        raise CatalogueError(f"{mid}: missing {missing}")
    side = str(raw["side"])
    _check_subset((side,), SIDES, "side", mid)
    basis = _tuple(raw["basis"], "basis", mid)
    stats = _tuple(raw["stats"], "stats", mid)
    levels = _tuple(raw.get("levels"), "levels", mid) or DEFAULT_LEVELS[side]
    periods = _tuple(raw.get("periods"), "periods", mid) or PERIOD_KINDS
    _check_subset(basis, BASES, "basis", mid)
    _check_subset(stats, STATS, "stats", mid)
    _check_subset(levels, LEVELS, "levels", mid)
    _check_subset(periods, PERIOD_KINDS, "periods", mid)
    _check_subset((raw["unit"],), UNITS, "unit", mid)
    _check_subset((raw["direction"],), DIRECTIONS, "direction", mid)
    theme = raw.get("theme")
    if theme is not None:
        _check_subset((theme,), tuple(THEMES), "theme", mid)
    headline = raw.get("headline", False)
    if not isinstance(headline, bool):
        raise CatalogueError(f"{mid}: headline must be true or false")
    if headline and theme is None:
        raise CatalogueError(f"{mid}: a headline metric needs a theme")
    recs = tuple(int(r) for r in _tuple(raw.get("recs"), "recs", mid))
    if any(not 1 <= r <= 13 for r in recs):
        raise CatalogueError(f"{mid}: recs must be 1-13, got {recs}")
    return Metric(
        id=mid,
        name=str(raw["name"]),
        definition=" ".join(str(raw["definition"]).split()),
        stage=str(raw["stage"]),
        side=side,
        basis=basis,
        numerator=raw.get("numerator"),
        denominator=raw.get("denominator"),
        unit=str(raw["unit"]),
        direction=str(raw["direction"]),
        recs=recs,
        stats=stats,
        breakdowns=tuple(str(b) for b in _tuple(raw.get("breakdowns"), "breakdowns", mid)),
        levels=levels,
        periods=periods,
        funnel=bool(raw.get("funnel", "rate" in stats)),
        sql=str(raw["sql"]),
        theme=str(theme) if theme is not None else None,
        headline=headline,
    )


def parse(text: str) -> tuple[Metric, ...]:
    """Parse catalogue YAML text; raises :class:`CatalogueError` on any inconsistency."""
    doc = yaml.safe_load(text) or {}
    metrics = tuple(_metric(m) for m in doc.get("metrics") or ())
    ids = [m.id for m in metrics]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogueError(f"duplicate metric ids {dupes}")
    heads = [m for m in metrics if m.headline]
    if heads and not HEADLINE_MIN <= len(heads) <= HEADLINE_MAX:
        raise CatalogueError(
            f"{len(heads)} headline metrics; a scorecard's summary holds "
            f"{HEADLINE_MIN}-{HEADLINE_MAX}"
        )
    return metrics


@cache
def load() -> tuple[Metric, ...]:
    """Every metric in catalogue order."""
    text = resources.files("warehouse.metrics").joinpath("catalogue.yaml").read_text("utf-8")
    return parse(text)


def headline() -> tuple[Metric, ...]:
    """The headline metrics, by theme (in :data:`THEMES` order) then catalogue order."""
    order = list(THEMES)
    return tuple(sorted((m for m in load() if m.headline), key=lambda m: order.index(str(m.theme))))


def by_id() -> dict[str, Metric]:
    return {m.id: m for m in load()}


def get(metric_id: str) -> Metric:
    try:
        return by_id()[metric_id]
    except KeyError:
        raise KeyError(f"no metric {metric_id!r} in the catalogue") from None
