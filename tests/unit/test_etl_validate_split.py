"""Large frames are validated per set of columns; the outcome must be the one whole pass gives.

``validate_frame`` splits the suite by the columns each expectation reads once a frame has
``SPLIT_MIN_ROWS`` rows (GX copies the whole batch for every metric otherwise). These tests
force the split on the small hand-written frames of test_expectations and compare every
failure - rule, severity, column, count, row numbers, detail - with the unsplit run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from expectations import validate
from expectations.suites import GX_DIR
from scorecard.contract import KINDS
from tests.unit.test_expectations import (
    apply,
    break_for,
    broken_police_frame,
    cases,
    failure_facts,
    run,
    valid_frame,
)


@pytest.fixture
def split_always(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 0)
    yield


def _both(kind: str, frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, **kw: Any):
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 10**9)
    whole = run(kind, frame, **kw)
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 0)
    split = run(kind, frame, **kw)
    return whole, split


@pytest.mark.parametrize(("kind", "rule_id", "column"), cases("must") + cases("should"))
def test_split_reports_each_rule_as_the_whole_pass(
    kind: str, rule_id: str, column: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    brk = break_for(kind, rule_id, column)
    whole, split = _both(kind, apply(kind, brk), monkeypatch, **brk.kwargs)
    assert rule_id in {f.rule_id for f in split.failures}
    assert failure_facts(split) == failure_facts(whole)
    assert split.ok == whole.ok


@pytest.mark.parametrize("kind", list(KINDS))
def test_split_covers_every_expectation_once(kind: str) -> None:
    root = str(GX_DIR)
    suite = validate._suite_variant(kind, root, frozenset())
    parts = validate._parts(kind, root, frozenset(), True)
    ids = [e.id for p in parts for e in p.suite.expectations]
    assert sorted(ids) == sorted(e.id for e in suite.expectations)
    assert len(parts) > 1
    # Each part's frame holds exactly the columns its expectations read.
    for part in parts:
        exps = part.suite.to_json_dict()["expectations"]
        used = set().union(*(validate._columns_used(e["kwargs"]) for e in exps))
        assert set(part.columns or ()) == used


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing_column_is_still_a_header_failure_only(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    column = KINDS[kind].column_names[-1]
    frame = valid_frame(kind).drop(columns=[column])
    whole, split = _both(kind, frame, monkeypatch)
    assert {f.rule_id for f in split.failures} == {"file.header"}
    assert failure_facts(split) == failure_facts(whole)


def test_many_broken_rows_in_a_large_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6,000-row police frame (split by default) with several rules broken on many rows."""
    n = 6_000
    frame = broken_police_frame(n)
    assert n >= validate.SPLIT_MIN_ROWS
    whole, split = _both("police_cases", frame, monkeypatch)
    facts = failure_facts(split)
    assert facts == failure_facts(whole)
    rules = {f[0] for f in facts}
    assert {
        "police_cases.offence_code.enum",
        "police_cases.recorded_date.type",
        "police_cases.crime_ref.unique",
    } <= rules
    enum = next(f for f in split.failures if f.rule_id == "police_cases.offence_code.enum")
    assert enum.count == len(range(0, n, 7)) and enum.row_numbers[:2] == (1, 8)


def test_split_result_keeps_suite_order_and_statistics(
    split_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    brk = break_for("cps_cases", "cps_cases.urn.unique", "urn")
    outcome = run("cps_cases", apply("cps_cases", brk))
    res = outcome.gx_result
    assert res is not None
    suite = validate._suite_variant("cps_cases", str(GX_DIR), frozenset())
    assert [r.expectation_config.id for r in res.results] == [e.id for e in suite.expectations]
    assert res.statistics["evaluated_expectations"] == len(suite.expectations)
    assert res.statistics["unsuccessful_expectations"] == sum(not r.success for r in res.results)
    assert res.success is False
