"""Every contract rule fires, alone, on each of the three validation paths, and they agree.

``validate_frame`` checks a frame in one of three ways (``tests.helpers.validation.PATHS``):
the whole suite in one pass; split by the columns each expectation reads (frames of
``SPLIT_MIN_ROWS`` rows or more); split with the parts that allow it checked first on
distinct rows. Each kind's ``combined_frame`` breaks every rule on its own block of rows, so
one GX run per (path, kind), cached for the session, carries a test per (path, rule): the
rule's failure cites exactly its block's broken rows, and no other rule touches that block.
The split and distinct paths must then give the whole pass's failures, and distinct rows the
split pass's GX results.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from expectations import validate
from expectations.suites import CASE_KNOWN_COLUMN, CASE_RECEIVED_COLUMN, GX_DIR
from scorecard.contract import KINDS
from tests.helpers.validation import (
    PATHS,
    Combined,
    Validated,
    broken_police_frame,
    cases,
    combined_frame,
    failure_facts,
    run_on,
    valid_frame,
)


@pytest.fixture(params=list(PATHS))
def path(request: pytest.FixtureRequest) -> str:
    return request.param


@cache
def _combined(kind: str) -> Combined:
    return combined_frame(kind)


@cache
def _validated(path: str, kind: str) -> Validated:
    """The combined frame of ``kind`` validated on ``path``, once per session."""
    combined = _combined(kind)
    return run_on(path, kind, combined.frame, **combined.kwargs)


def _results(outcome: validate.ValidationOutcome) -> list[dict[str, Any]]:
    assert outcome.gx_result is not None
    return [r.to_json_dict() for r in outcome.gx_result.results]


@pytest.mark.parametrize(("kind", "rule_id", "column"), cases("must") + cases("should"))
def test_each_rule_fires_alone(path: str, kind: str, rule_id: str, column: str) -> None:
    planted = _combined(kind).planted[(rule_id, column)]
    outcome = _validated(path, kind).outcome
    mine = [f for f in outcome.failures if (f.rule_id, f.column) == (rule_id, column)]
    assert len(mine) == 1, mine
    failure = mine[0]
    assert failure.severity == planted.severity
    assert failure.row_numbers == planted.expected
    assert failure.count == len(planted.expected)
    assert failure.description
    # Alone: no other failure cites a row of this block. A failure citing fewer rows than it
    # counts (whole-file rules, or more than ten rows) might hide one, so it counts too. For
    # a should rule this also means its break caused no must failure.
    block = set(planted.rows)
    others = [
        (f.rule_id, f.column, f.row_numbers)
        for f in outcome.failures
        if f is not failure and (block & set(f.row_numbers) or f.count != len(f.row_numbers))
    ]
    assert others == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_only_the_planted_failures(path: str, kind: str) -> None:
    """Nothing fails but the planted breaks: the unbroken block (the valid rows) passes every
    rule, and twice the row count as the previous snapshot is still within +/-50%."""
    combined = _combined(kind)
    outcome = _validated(path, kind).outcome
    got = sorted(
        (f.rule_id, f.column, f.severity, f.count, f.row_numbers) for f in outcome.failures
    )
    expected = sorted(
        (p.rule_id, p.column, p.severity, len(p.expected), p.expected)
        for p in combined.planted.values()
    )
    assert got == expected
    assert not any(set(combined.clean) & set(f.row_numbers) for f in outcome.failures)
    assert outcome.skipped_rules == ()
    assert outcome.rows == len(combined.frame)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("path", ["split", "distinct"])
def test_path_reports_as_the_whole_pass(path: str, kind: str) -> None:
    """Rule, severity, column, count, row numbers and detail of every failure."""
    whole = _validated("whole", kind).outcome
    other = _validated(path, kind).outcome
    assert failure_facts(other) == failure_facts(whole)
    assert other.ok == whole.ok


@pytest.mark.parametrize("kind", list(KINDS))
def test_distinct_rows_give_the_split_results(kind: str) -> None:
    split, distinct = _validated("split", kind), _validated("distinct", kind)
    assert _results(distinct.outcome) == _results(split.outcome)
    assert _validated("whole", kind).used == [] == split.used
    assert distinct.used, "no part was checked on distinct rows"
    # The blocks repeat the valid rows, so distinct rows are fewer than rows.
    assert min(distinct.used) < len(_combined(kind).frame)


@pytest.mark.parametrize("path", ["split", "distinct"])
def test_result_keeps_suite_order_and_statistics(path: str) -> None:
    res = _validated(path, "cps_cases").outcome.gx_result
    assert res is not None
    suite = validate._suite_variant("cps_cases", str(GX_DIR), frozenset())
    assert [r.expectation_config.id for r in res.results] == [e.id for e in suite.expectations]
    assert res.statistics["evaluated_expectations"] == len(suite.expectations)
    assert res.statistics["unsuccessful_expectations"] == sum(not r.success for r in res.results)
    assert res.success is False


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


# Missing columns. One run per column (64 in all) is not needed: an expectation sees only
# the columns it reads, so columns never read by one expectation together may go missing in
# one run and each expectation still meets at most one missing column, as in a run without
# that column alone. validate_frame's helper columns are derived from urn.
_DERIVED = {CASE_RECEIVED_COLUMN: "urn", CASE_KNOWN_COLUMN: "urn"}


@cache
def _missing_groups(kind: str) -> tuple[tuple[str, ...], ...]:
    """The kind's columns in groups no expectation reads two of (greedy, contract order)."""
    names = KINDS[kind].column_names
    together: dict[str, set[str]] = {c: set() for c in names}
    suite = validate._suite_variant(kind, str(GX_DIR), frozenset())
    for exp in suite.to_json_dict()["expectations"]:
        used = {_DERIVED.get(c, c) for c in validate._columns_used(exp["kwargs"])}
        for c in used & set(names):
            together[c] |= used - {c}
    groups: list[list[str]] = []
    for c in names:
        group = next((g for g in groups if not together[c] & set(g)), None)
        if group is None:
            groups.append([c])
        else:
            group.append(c)
    return tuple(tuple(g) for g in groups)


def _group_of(kind: str, column: str) -> tuple[str, ...]:
    return next(g for g in _missing_groups(kind) if column in g)


@cache
def _missing(path: str, kind: str, group: tuple[str, ...]) -> Validated:
    return run_on(path, kind, valid_frame(kind).drop(columns=list(group)))


def _assert_header_only(outcome: validate.ValidationOutcome, group: tuple[str, ...]) -> None:
    assert not outcome.ok
    assert sorted((f.rule_id, f.column) for f in outcome.failures) == sorted(
        ("file.header", c) for c in group
    )
    for failure in outcome.failures:
        assert failure.count is None
        assert failure.detail == f"column {failure.column} is missing"


@pytest.mark.parametrize(
    ("kind", "column"), [(k, c) for k, spec in KINDS.items() for c in spec.column_names]
)
def test_missing_column_is_a_header_failure_only(kind: str, column: str) -> None:
    group = _group_of(kind, column)
    outcome = _missing("whole", kind, group).outcome
    _assert_header_only(outcome, group)
    assert ("file.header", column) in {(f.rule_id, f.column) for f in outcome.failures}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("path", ["split", "distinct"])
def test_missing_column_is_still_a_header_failure_only(path: str, kind: str) -> None:
    """On the split paths, the columns missing with the kind's last column (as whole)."""
    group = _group_of(kind, KINDS[kind].column_names[-1])
    outcome = _missing(path, kind, group).outcome
    _assert_header_only(outcome, group)
    assert failure_facts(outcome) == failure_facts(_missing("whole", kind, group).outcome)


@cache
def _large(path: str) -> Validated:
    """6,000 police rows (split by default) with several rules broken on many rows."""
    frame = broken_police_frame(6_000)
    frame.loc[frame.index % 19 == 0, "outcome_date"] = "2016-01-01"
    return run_on(path, "police_cases", frame)


def test_many_broken_rows_in_a_large_frame(path: str) -> None:
    n = 6_000
    assert n >= validate.SPLIT_MIN_ROWS
    outcome = _large(path).outcome
    assert failure_facts(outcome) == failure_facts(_large("whole").outcome)
    rules = {f.rule_id for f in outcome.failures}
    assert {
        "police_cases.offence_code.enum",
        "police_cases.recorded_date.type",
        "police_cases.crime_ref.unique",
        "police_cases.outcome_date.after_recorded",
    } <= rules
    enum = next(f for f in outcome.failures if f.rule_id == "police_cases.offence_code.enum")
    assert enum.count == len(range(0, n, 7)) and enum.row_numbers[:2] == (1, 8)
    if path == "distinct":
        assert _large(path).used
        assert _results(outcome) == _results(_large("split").outcome)
    else:
        assert _large(path).used == []


def test_distinct_rows_are_the_distinct_value_combinations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 0)
    monkeypatch.setattr(validate, "DISTINCT_MAX_SHARE", 1.0)
    rng = np.random.default_rng(7)
    a = rng.choice(np.array(["x", "y", None], dtype=object), 500)
    b = rng.choice(np.array(["2023-01-01", "2023-01-02", "bad", None], dtype=object), 500)
    frame = validate._as_text_frame("police_cases", pd.DataFrame({"a": a, "b": b}))
    rows = validate._Distinct().rows(frame[["a", "b"]])
    assert rows is not None
    assert list(rows.columns) == ["a", "b"]
    assert rows.dtypes.tolist() == [validate.TEXT_DTYPE] * 2

    def combos(f: pd.DataFrame) -> set[tuple[Any, ...]]:
        return {tuple(None if pd.isna(v) else v for v in r) for r in f.itertuples(index=False)}

    assert combos(rows) == combos(frame[["a", "b"]])
    assert len(rows) == len(combos(frame[["a", "b"]]))


def test_identifiers_are_not_deduplicated() -> None:
    """Nearly all-distinct columns (crime_ref) keep every row: deduplicating costs more."""
    n = 10_000
    refs = pd.Series([f"CR-{i:07d}" for i in range(n)], dtype=object)
    frame = validate._as_text_frame("police_cases", pd.DataFrame({"crime_ref": refs}))
    assert validate._Distinct().rows(frame) is None


def test_uniqueness_and_row_count_always_see_every_row() -> None:
    root = str(GX_DIR)
    for kind in KINDS:
        for part in validate._parts(kind, root, frozenset(), True):
            types = {e.expectation_type for e in part.suite.expectations}
            if part.distinct:
                assert types <= validate._DISTINCT_SAFE
            assert not (
                part.distinct
                and types
                & {
                    "expect_column_values_to_be_unique",
                    "expect_compound_columns_to_be_unique",
                    "expect_table_row_count_to_be_between",
                }
            )
