"""The incremental build gives the marts of a full rebuild, byte for byte.

A nation is loaded and built; then one newer police file for one force (a fifth of its
records gone, so its CPS Areas' linkage changes too) is loaded and built incrementally - only
the facts that change reaches are recomputed (warehouse/scope.py) - and a full rebuild on
the same inputs must give identical marts and facts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench.build_bench import load_newer, load_raw, newer_police_file
from scorecard.synthetic import GenerateOptions, generate_all
from tests.helpers.pipeline import marts_digest
from tests.helpers.warehouse import settings
from warehouse import build as wbuild
from warehouse import scope
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference

FORCE = "kent"


def _facts(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT * FROM core.metric_facts ORDER BY ALL").fetchall()


def _build(con: duckdb.DuckDBPyConnection, **kw: bool) -> list[str]:
    stages: list[str] = []
    wbuild.build(con, settings(), on_stage=lambda name, _s: stages.append(name), **kw)
    return [s for s in stages if s.startswith("metric facts")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small nation loaded and fully built once (the first build has no kept state); each
    test builds on its own copy of the warehouse file. Returns (warehouse, extracts)."""
    root = tmp_path_factory.mktemp("incremental")
    data = root / "extracts"
    generate_all(GenerateOptions(out=data, scale=0.01, as_at=date(2024, 9, 30)))
    db = root / "built.duckdb"
    with duckdb.connect(str(db)) as con:
        migrate(con)
        load_reference(con, settings())
        load_raw(con, data)
        assert _build(con) == ["metric facts (41 metrics, all)"], "no kept state: a full build"
    return db, data


def _copy(built: tuple[Path, Path]) -> duckdb.DuckDBPyConnection:
    """The built warehouse copied into memory (builds there run as the first one did)."""
    con = duckdb.connect(":memory:")
    path = str(built[0]).replace("'", "''")  # ATTACH takes no bound parameter
    con.execute(f"ATTACH '{path}' AS built (READ_ONLY)")
    con.execute("COPY FROM DATABASE built TO memory")
    con.execute("DETACH built")
    return con


def test_an_incremental_build_gives_the_marts_of_a_full_rebuild(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    con = _copy(built)
    before = marts_digest(con)

    load_newer(con, newer_police_file(built[1], FORCE, tmp_path / "newer", "2024-10-31"))
    assert _build(con) == ["metric facts (41 metrics, incremental)"]
    incremental, incremental_facts = marts_digest(con), _facts(con)
    assert incremental["metric_values"] != before["metric_values"], "the new file counts"

    assert _build(con, rebuild=True) == ["metric facts (41 metrics, all)"]
    assert marts_digest(con) == incremental
    assert _facts(con) == incremental_facts


def test_nothing_changed_recomputes_only_the_organisation_less_facts(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    con = _copy(built)
    full = marts_digest(con)
    with pytest.MonkeyPatch.context() as mp:
        seen: list[scope.Scope | None] = []
        plan = scope.plan
        mp.setattr(scope, "plan", lambda c, p: seen.append(plan(c, p)) or seen[-1])
        _build(con)
    assert seen == [scope.Scope((), ())]
    assert marts_digest(con) == full
    scope.forget(con)  # what `scorecard etl run --rebuild` does first
    assert scope.plan(con, wbuild.facts_fingerprint(con)) is None, "the next build is full"


def test_the_scope_closes_over_linked_organisations() -> None:
    pairs = [("kent", "cps_south_east"), ("surrey", "cps_south_east"),
             ("metropolitan", "cps_london_north"), ("metropolitan", "cps_london_south"),
             ("city_of_london", "cps_london_north")]  # fmt: skip
    assert scope.close_over({"kent"}, set(), pairs) == scope.Scope(
        ("kent", "surrey"), ("cps_south_east",)
    )
    assert scope.close_over(set(), {"cps_london_south"}, pairs) == scope.Scope(
        ("city_of_london", "metropolitan"), ("cps_london_north", "cps_london_south")
    )
    assert scope.close_over(set(), set(), pairs) == scope.Scope((), ())
