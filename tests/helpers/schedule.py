"""The order test modules are handed to `make test`'s two pytest-xdist workers: longest
first, so that no expensive module starts last and leaves one worker running alone.

pytest-xdist's own ``--dist loadscope`` order puts modules with most tests first, which sent
the one-test modules that start servers (services, serving switch, refresh now: 1 test,
90-265 s each in the profiled run) to the very end. With ``--no-loadscope-reorder`` it hands
out modules in collection order, one at a time as a worker runs dry, so sorting the
collection by cost gives longest-processing-time-first scheduling.

The costs are wall seconds per module from one timeline of a full ``make test`` (profiled on
2026-12-04 with other work running, load average about 15, so roughly 2.2× a quiet run):
only their order matters. A module not listed costs :data:`PER_TEST` per test.
tests/unit/test_suite_layout.py checks that every module named here exists."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

# Module (relative to tests/) -> measured wall seconds in the profiled run.
COST: dict[str, float] = {
    "integration/test_pipeline_safety.py": 795,  # ten killed refreshes and their recoveries
    "integration/test_pipeline_flow.py": 538,  # includes the demo's own full run
    "browser/test_pages.py": 532,
    "integration/test_pipeline_rejection.py": 270,  # one run of 160 broken files
    "integration/test_services.py": 265,  # PostgreSQL, gunicorn, two refreshes
    "integration/test_serving_switch.py": 183,
    "unit/test_validate_batch.py": 175,
    "integration/test_metrics_build_equivalence.py": 150,
    "browser/test_area.py": 144,
    "integration/test_editions.py": 136,
    "browser/test_editions.py": 116,
    "browser/test_compare.py": 113,
    "integration/test_access_matrix.py": 107,
    "browser/test_national.py": 100,
    "integration/test_refresh_now.py": 90,
    "integration/test_court_pipeline.py": 72,
    "browser/test_recommendations.py": 65,
    "integration/test_metrics_marts.py": 54,
    "integration/test_pipeline_sources.py": 49,
    "integration/test_metrics_each.py": 47,
    "unit/test_suite_layout.py": 43,
    "unit/test_validation_paths.py": 37,
    "integration/test_pipeline_hostile.py": 35,
    "integration/test_build_incremental.py": 46,  # measured alone at load 1.6, not in the run
}
PER_TEST = 0.5  # seconds, for modules not listed (most unit modules run well under this)


def module_of(nodeid: str) -> str:
    """'tests/unit/test_x.py::test_y[1]' -> 'unit/test_x.py' (the key of COST)."""
    path = PurePosixPath(nodeid.split("::", 1)[0])
    parts = path.parts[1:] if path.parts and path.parts[0] == "tests" else path.parts
    return str(PurePosixPath(*parts))


def cost_order(nodeids: Iterable[str]) -> dict[str, int]:
    """Each module's place in the run: most expensive first (ties keep collection order)."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        m = module_of(nodeid)
        counts[m] = counts.get(m, 0) + 1
    ranked = sorted(counts, key=lambda m: -COST.get(m, PER_TEST * counts[m]))
    return {m: i for i, m in enumerate(ranked)}
