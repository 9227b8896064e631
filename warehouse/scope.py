"""Which organisations' metric facts a build must recompute: the incremental build's scope.

core.metric_facts keeps every metric's facts per organisation pair (force_code, area_code),
so a refresh that changed some senders' extracts can recompute just the facts those changes
reach and keep the rest (warehouse/build.py). A change reaches further than its sender: a
police record joins a CPS case of another organisation (linkage), and a force's stage three
waits on every Area it maps to. So the scope is closed over every (force, Area) pair that
joins them - the linkage pairs of this build and the last (``core.build_links``) and the
reference force-Area map - until nothing new is added. Facts with neither organisation (a
national workforce return) are always recomputed: they are few.

The kept state - the extracts the facts were built from (``core.build_extracts``), the linkage
pairs and a fingerprint of everything else the facts depend on (core and metric SQL, the
catalogue, the reference tables) - is written with the facts, in their transaction. No state,
or a different fingerprint, means a full build.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from warehouse.db import qualified

log = logging.getLogger(__name__)

STATE_TABLES = ("build_extracts", "build_links", "build_fingerprint")
POLICE_KINDS = frozenset({"police_cases"})
AREA_KINDS = frozenset({"cps_cases", "cps_action_plans", "cps_court_outcomes"})
FACT_KINDS = POLICE_KINDS | AREA_KINDS | {"workforce"}
# An extract as the state keeps it: the file's checksum too, should an id ever be reused.
EXTRACT_COLUMNS = "kind, org_code, extract_id, checksum"
# This build's (force, Area) pairs: linked records, and CPS cases naming a police force.
LINKS_SQL = (
    "SELECT force_code, area_code FROM temp.case_links "
    "UNION SELECT force_code, area_code FROM temp.cps_cases WHERE force_code IS NOT NULL"
)


@dataclass(frozen=True)
class Scope:
    """The organisations whose facts are recomputed (sorted, for bound list parameters)."""

    forces: tuple[str, ...]
    areas: tuple[str, ...]


def close_over(
    forces: Iterable[str], areas: Iterable[str], pairs: Iterable[tuple[str, str]]
) -> Scope:
    """The forces and Areas reachable from the changed ones through (force, Area) pairs."""
    f, a = set(forces), set(areas)
    links = list(pairs)
    while True:
        more_f = {x for x, y in links if y in a} - f
        more_a = {y for x, y in links if x in f} - a
        if not more_f and not more_a:
            return Scope(tuple(sorted(f)), tuple(sorted(a)))
        f |= more_f
        a |= more_a


def predicate_sql() -> str:
    """The facts a scope covers, on their own organisation columns ($forces, $areas bound);
    the same test selects the kept facts to delete and the new rows to insert (a metric's
    NULL organisation may be an untyped NULL, hence the casts)."""
    return (
        "(coalesce(list_contains(CAST($forces AS VARCHAR[]), CAST(force_code AS VARCHAR)), "
        "FALSE) OR coalesce(list_contains(CAST($areas AS VARCHAR[]), CAST(area_code AS VARCHAR)), "
        "FALSE) "
        "OR (force_code IS NULL AND area_code IS NULL))"
    )


def fingerprint(con: duckdb.DuckDBPyConnection, sql_texts: Iterable[str]) -> str:
    """SHA-256 of the SQL the facts come from and of every reference table."""
    h = hashlib.sha256()
    for text in sql_texts:
        h.update(text.encode("utf-8"))
        h.update(b"\0")
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'ref' AND table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    for (name,) in tables:
        rows = con.execute(f"SELECT * FROM {qualified('ref', name)} ORDER BY ALL").fetchall()
        h.update(f"{name}:{rows!r}".encode())
    return h.hexdigest()


def _has_state(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' "
        "AND table_name IN ('metric_facts', 'build_extracts', 'build_links', 'build_fingerprint')"
    ).fetchone()
    return bool(row and row[0] == 4)


def plan(con: duckdb.DuckDBPyConnection, print_: str) -> Scope | None:
    """The scope of an incremental facts build, or None for a full one (no kept state, or
    its fingerprint is not ``print_``). Call after core is built (reads temp.case_links)."""
    if not _has_state(con):
        log.info("facts: full build (no kept state)")
        return None
    row = con.execute("SELECT fingerprint FROM core.build_fingerprint").fetchone()
    if not row or row[0] != print_:
        log.info("facts: full build (SQL, catalogue or reference data changed)")
        return None
    changed = con.execute(
        f"WITH now AS (SELECT {EXTRACT_COLUMNS} FROM raw.extracts "
        "WHERE is_current AND list_contains($kinds, kind)), "
        "diff AS ((SELECT * FROM now EXCEPT SELECT * FROM core.build_extracts) UNION ALL "
        "(SELECT * FROM core.build_extracts EXCEPT SELECT * FROM now)) "
        "SELECT DISTINCT d.kind, d.org_code, f.code IS NOT NULL, a.code IS NOT NULL FROM diff d "
        "LEFT JOIN ref.forces f ON f.code = d.org_code "
        "LEFT JOIN ref.cps_areas a ON a.code = d.org_code ORDER BY ALL",
        {"kinds": sorted(FACT_KINDS)},
    ).fetchall()
    forces = {org for kind, org, is_force, _ in changed if kind in POLICE_KINDS or is_force}
    areas = {org for kind, org, _, is_area in changed if kind in AREA_KINDS or is_area}
    pairs = con.execute(
        f"SELECT force_code, area_code FROM core.build_links UNION {LINKS_SQL} "
        "UNION SELECT force_code, area_code FROM ref.force_area_map"
    ).fetchall()
    scope = close_over(forces, areas, pairs)
    log.info("facts: incremental for forces %s, areas %s", scope.forces, scope.areas)
    return scope


def save(con: duckdb.DuckDBPyConnection, print_: str) -> None:
    """Keep the state the next build's plan compares with (in the facts' transaction)."""
    con.execute(
        f"CREATE OR REPLACE TABLE core.build_extracts AS SELECT {EXTRACT_COLUMNS} "
        "FROM raw.extracts WHERE is_current AND list_contains($kinds, kind)",
        {"kinds": sorted(FACT_KINDS)},
    )
    con.execute(f"CREATE OR REPLACE TABLE core.build_links AS {LINKS_SQL}")
    con.execute("CREATE OR REPLACE TABLE core.build_fingerprint (fingerprint VARCHAR)")
    con.execute("INSERT INTO core.build_fingerprint VALUES (?)", [print_])


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the kept state: the next build recomputes every fact (``--rebuild``)."""
    for name in STATE_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {qualified('core', name)}")
