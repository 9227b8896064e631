"""Load the versioned reference files into the ``ref`` schema (replacing what was there).

Runs inside one transaction so a reader never sees half a reference set.
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from scorecard import reference
from scorecard.settings import Settings
from warehouse.db import columns_of, qualified, transaction

log = logging.getLogger(__name__)


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {d}")


def default_due_date(due_rule: str, settings: Settings) -> date:
    months = settings.immediate_months if due_rule == "immediate" else settings.default_months
    return add_months(reference.publication_date(), months)


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    target = qualified("ref", table)
    con.execute(f"DELETE FROM {target}")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)


def load_reference(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Replace every ``ref`` table from the data files; return row counts per table."""
    counts: dict[str, int] = {}
    with transaction(con):
        for table, filename in reference.TABLE_FILES.items():
            cols = columns_of(con, "ref", table)
            rows = [
                tuple((r[c] if r[c] != "" else None) for c in cols)
                for r in reference.read_csv(filename)
            ]
            _replace(con, table, rows)
            counts[table] = len(rows)
        recs = reference.recommendations()
        _replace(
            con,
            "recommendations",
            [(r.rec_no, r.title, r.due, default_due_date(r.due, settings)) for r in recs],
        )
        owners = [
            (r.rec_no, code, reference.org_kind(code), rule)
            for r in recs
            for rule in r.owner_rules
            for code in reference.expand_owner_rule(rule)
        ]
        _replace(con, "recommendation_owners", owners)
        evidence = [(r.rec_no, m) for r in recs for m in r.evidence]
        _replace(con, "recommendation_evidence", evidence)
        counts.update(
            recommendations=len(recs),
            recommendation_owners=len(owners),
            recommendation_evidence=len(evidence),
        )
    log.info("reference data loaded: %s", counts)
    return counts
