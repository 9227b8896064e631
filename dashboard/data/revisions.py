"""The revisions of a published edition: its headline cells that have since moved.

The headline cells are those the tiles show (each headline metric's tile statistic on its
headline basis, all cases) at every level a page shows (national, force, joint, CPS Area)
and every period. Both sides are read through the one query seam: the edition's file, then
the latest snapshot. The policy (what counts as a move, which senders moved it) is
:mod:`warehouse.metrics.revisions`; this module only reads and puts codes into words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.data import source
from dashboard.data.headline import period_short, tile_stat
from dashboard.data.scorecard import headline_basis, stat_unit
from dashboard.ui.wording import format_value
from scorecard import labels, reference
from warehouse import editions
from warehouse.metrics import catalogue
from warehouse.metrics import revisions as policy

LEVELS = ("national", "force", "joint", "cps_area")
NOT_SHOWN = "not shown (suppressed or no figure)"
COLUMNS = ["Organisation", "Level", "Period", "Metric", "Then", "Now", "Change", "Moved by"]


def _headline_keys() -> list[tuple[str, str, str]]:
    """(metric id, statistic, basis) of every headline tile."""
    return [(m.id, tile_stat(m), headline_basis(m)) for m in catalogue.headline()]


def _units() -> dict[str, str]:
    by_id = catalogue.by_id()
    return {f"{mid}/{stat}": stat_unit(by_id[mid], stat) for mid, stat, _ in _headline_keys()}


def headline_cells() -> pd.DataFrame:
    """The headline cells of the snapshot in use (value NaN where suppressed)."""
    keys = _headline_keys()
    cond = " OR ".join("(metric_id = ? AND stat = ? AND basis = ?)" for _ in keys)
    levels = ", ".join("?" for _ in LEVELS)
    frame = source.query(
        "SELECT level, org_code, period, metric_id, stat, basis, "
        "CASE WHEN suppressed IS NULL OR suppressed = '' THEN value END AS value "
        f"FROM mart.metric_values WHERE breakdown = '' AND level IN ({levels}) AND ({cond})",
        [*LEVELS, *(x for k in keys for x in k)],
    )
    return frame


def extract_ledger() -> list[dict[str, object]]:
    """The current extract of each kind and sender in the snapshot in use."""
    frame = source.query("SELECT kind, org_code, checksum FROM raw.extracts WHERE is_current", [])
    return frame.to_dict("records")


@dataclass(frozen=True)
class Revisions:
    edition: editions.Edition
    cells: pd.DataFrame  # policy.revised_cells + "senders"
    changed_senders: tuple[str, ...]
    compared: int  # headline cells in the edition


def revisions(label: str) -> Revisions:
    """What moved since edition ``label`` (an unknown label raises UnknownEditionError)."""
    with source.showing(label):
        found = source.edition()
        assert found is not None
        old = headline_cells()
        old_ledger = extract_ledger()
    with source.showing(None):
        new = headline_cells()
        new_ledger = extract_ledger()
    changed = policy.changed_senders(old_ledger, new_ledger)
    cells = policy.revised_cells(old, new, _units())
    order = {lv: i for i, lv in enumerate(LEVELS)}  # national first, as the pages go
    cells = cells.sort_values(
        ["level", "org_code", "metric_id", "period"],
        key=lambda c: c.map(order) if c.name == "level" else c,
    ).reset_index(drop=True)
    cells["senders"] = [
        policy.senders_for(lv, org, changed)
        for lv, org in zip(cells["level"], cells["org_code"], strict=True)
    ]
    return Revisions(found, cells, tuple(sorted(changed)), len(old))


def org_name(code: str) -> str:
    """An organisation code in words (forces, CPS Areas, national)."""
    names = {f.code: f.name for f in reference.forces()}
    names.update({a.code: a.name for a in reference.cps_areas()})
    names["national"] = "England and Wales"
    return names.get(code, labels.humanise(code))


def _change(old: float | None, new: float | None, unit: str) -> str:
    if old is None and new is not None:
        return "now shown"
    if new is None:
        return "no longer shown"
    diff = new - old if old is not None else 0.0
    sign = "+" if diff > 0 else "−" if diff < 0 else ""
    if unit == "percent":
        return f"{sign}{abs(diff):.1f} {labels.change_unit(unit)}"
    text = format_value(abs(diff), unit)
    return f"{sign}{text}"


def table(rev: Revisions) -> pd.DataFrame:
    """The revisions as the page and its CSV show them: words, no codes."""
    by_id = catalogue.by_id()
    rows = []
    for r in rev.cells.to_dict("records"):
        m = by_id[r["metric_id"]]
        rows.append(
            [
                org_name(r["org_code"]),
                labels.level(r["level"]),
                period_short(r["period"]),
                f"{m.name} ({labels.statistic(r['stat'])})",
                format_value(r["old"], r["unit"]) if r["old"] is not None else NOT_SHOWN,
                format_value(r["new"], r["unit"]) if r["new"] is not None else NOT_SHOWN,
                _change(r["old"], r["new"], r["unit"]),
                ", ".join(org_name(s) for s in r["senders"]) or "no sender's extract changed",
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)
