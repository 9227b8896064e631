"""Revisions: which headline cells of a published edition have since moved, and by whose data.

Pure functions over plain values and frames (no database), so the revisions policy is one
place and unit-tested. A cell has "moved" when it changed by at least the threshold of its
unit (:data:`THRESHOLDS`), or when it was shown and is now suppressed (or the reverse).
The senders that moved it are those whose current extract differs between the edition's
extract ledger and the latest one, among the organisations whose data feed the cell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from scorecard import reference

# Smaller changes than these are rounding or a handful of late records, not a revision a
# board would act on. Rates are shown to one decimal place: half a percentage point is the
# smallest move that is not rounding on a tile. A count moves when it changes by at least
# one and by at least 1% (a national count of 9,000 moving by 3 is not a revision). Days and
# ratios: at least one day (0.1 for a ratio) and 1%.
RATE_POINTS = 0.5
COUNT_MIN = 1.0
RELATIVE = 0.01
DAYS_MIN = 1.0
RATIO_MIN = 0.1
THRESHOLD_TEXT = (
    "A figure is listed when a rate has moved by 0.5 percentage points or more (0.5 per 100 "
    "for a rate per 100), a count by at least 1 and at least 1%, an average time by at least "
    "1 day and at least 1%, or when a figure shown then is now suppressed (or the reverse). "
    "Smaller changes are rounding or a few late records."
)


def as_number(v: object) -> float | None:
    """A figure as a float; None for missing, NaN or not a number (the pages use it too)."""
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def moved(old: object, new: object, unit: str) -> bool:
    """Whether a figure shown as ``unit`` ('percent', 'per_100', 'count', 'days', 'ratio')
    moved beyond the threshold; a figure appearing or disappearing (None: suppressed or no
    data) is a move."""
    a, b = as_number(old), as_number(new)
    if a is None or b is None:
        return (a is None) != (b is None)
    change = abs(b - a)
    if unit in ("percent", "per_100"):
        return change >= RATE_POINTS - 1e-9
    floor = {"count": COUNT_MIN, "days": DAYS_MIN, "ratio": RATIO_MIN}.get(unit, COUNT_MIN)
    return change >= floor - 1e-9 and change >= RELATIVE * abs(a) - 1e-9


CELL_KEY = ["level", "org_code", "period", "metric_id", "stat", "basis"]


def revised_cells(old: pd.DataFrame, new: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """Cells (``CELL_KEY`` + ``value``; NaN when suppressed) of ``old`` that moved in ``new``:
    one row each with ``old`` and ``new`` values (None where suppressed or gone) and
    ``unit``. ``units`` maps ``metric_id/stat`` to the unit the cell is shown in."""
    merged = old.merge(new, on=CELL_KEY, how="outer", suffixes=("_old", "_new"))
    rows = []
    for r in merged.to_dict("records"):
        unit = units.get(f"{r['metric_id']}/{r['stat']}", "count")
        a, b = as_number(r.get("value_old")), as_number(r.get("value_new"))
        if moved(a, b, unit):
            rows.append({**{k: r[k] for k in CELL_KEY}, "old": a, "new": b, "unit": unit})
    # object columns: a suppressed side stays None (not NaN) for the words that describe it
    out = pd.DataFrame(rows, columns=[*CELL_KEY, "old", "new", "unit"], dtype=object)
    return out.sort_values(["level", "org_code", "metric_id", "period"]).reset_index(drop=True)


def changed_senders(
    edition: Iterable[Mapping[str, object]], latest: Iterable[Mapping[str, object]]
) -> set[str]:
    """Organisations whose current extracts (kind and checksum) differ between two ledgers:
    a corrected, newer or withdrawn extract."""

    def by_org(rows: Iterable[Mapping[str, object]]) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = {}
        for r in rows:
            out.setdefault(str(r["org_code"]), set()).add((str(r["kind"]), str(r["checksum"])))
        return out

    a, b = by_org(edition), by_org(latest)
    return {org for org in a.keys() | b.keys() if a.get(org) != b.get(org)}


def feeding_orgs(level: str, org_code: str) -> set[str] | None:
    """The sending organisations whose extracts feed a cell (None: every sender, national).
    A force's figures use its own and its CPS Area(s)' extracts, an Area's its own and its
    forces', a region's those of its forces and their Areas."""
    if level == "national":
        return None
    if level in ("force", "joint"):
        return {org_code, *reference.areas_for_force(org_code)}
    if level == "cps_area":
        return {org_code, *reference.forces_for_area(org_code)}
    if level == "region":
        forces = {f.code for f in reference.forces() if f.region == org_code}
        return forces | {a for f in forces for a in reference.areas_for_force(f)}
    return {org_code}


def senders_for(level: str, org_code: str, changed: set[str]) -> list[str]:
    """The changed senders that feed this cell, sorted."""
    feeds = feeding_orgs(level, org_code)
    return sorted(changed if feeds is None else changed & feeds)
