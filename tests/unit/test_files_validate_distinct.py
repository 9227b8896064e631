"""Parts whose expectations only look at which values occur are first checked on distinct rows.

``validate_frame`` checks such parts of a large frame on the distinct rows of their columns
(``_Distinct.rows``) and goes back to every row only for the expectations that failed. These
tests force that path on the small hand-written frames of test_expectations and compare every
failure (rule, severity, column, count, row numbers, detail) and every GX result with the
whole pass and with the split pass that never deduplicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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


def _results(outcome: validate.ValidationOutcome) -> list[dict[str, Any]]:
    assert outcome.gx_result is not None
    return [r.to_json_dict() for r in outcome.gx_result.results]


def _three(
    kind: str,
    frame: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    *,
    whole: bool = True,
    **kw: Any,
) -> tuple[validate.ValidationOutcome, ...]:
    """Whole pass (unless ``whole`` is False: test_etl_validate_split proves split == whole),
    split pass without and with distinct rows (forced on any frame)."""
    used: list[int] = []
    rows = validate._Distinct.rows

    def counting(self: validate._Distinct, part: pd.DataFrame) -> pd.DataFrame | None:
        out = rows(self, part)
        if out is not None:
            used.append(len(out))
        return out

    monkeypatch.setattr(validate._Distinct, "rows", counting)
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 10**9)
    whole_pass = run(kind, frame, **kw) if whole else None
    monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 0)
    monkeypatch.setattr(validate, "DISTINCT_MAX_SHARE", 0.0)
    split = run(kind, frame, **kw)
    assert used == []
    monkeypatch.setattr(validate, "DISTINCT_MAX_SHARE", 1.0)
    distinct = run(kind, frame, **kw)
    assert used, "no part was checked on distinct rows"
    return whole_pass or split, split, distinct


@pytest.mark.parametrize(("kind", "rule_id", "column"), cases("must") + cases("should"))
def test_distinct_rows_report_each_rule_as_every_row(
    kind: str, rule_id: str, column: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    brk = break_for(kind, rule_id, column)
    whole, split, distinct = _three(kind, apply(kind, brk), monkeypatch, whole=False, **brk.kwargs)
    assert rule_id in {f.rule_id for f in distinct.failures}
    assert failure_facts(distinct) == failure_facts(whole)
    assert _results(distinct) == _results(split)
    assert distinct.ok == whole.ok


@pytest.mark.parametrize("kind", list(KINDS))
def test_valid_frames_pass_on_distinct_rows(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, split, distinct = _three(kind, valid_frame(kind), monkeypatch)
    assert distinct.failures == [] == whole.failures
    assert _results(distinct) == _results(split)


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing_column_is_still_a_header_failure_only(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = valid_frame(kind).drop(columns=[KINDS[kind].column_names[-1]])
    whole, _, distinct = _three(kind, frame, monkeypatch)
    assert {f.rule_id for f in distinct.failures} == {"file.header"}
    assert failure_facts(distinct) == failure_facts(whole)


def test_many_broken_rows_in_a_large_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """6,000 police rows with several rules broken on many rows: same counts and rows."""
    n = 6_000
    frame = broken_police_frame(n)
    frame.loc[frame.index % 19 == 0, "outcome_date"] = "2016-01-01"
    whole, split, distinct = _three("police_cases", frame, monkeypatch)
    assert failure_facts(distinct) == failure_facts(whole)
    assert _results(distinct) == _results(split)
    rules = {f.rule_id for f in distinct.failures}
    assert {
        "police_cases.offence_code.enum",
        "police_cases.recorded_date.type",
        "police_cases.crime_ref.unique",
        "police_cases.outcome_date.after_recorded",
    } <= rules
    enum = next(f for f in distinct.failures if f.rule_id == "police_cases.offence_code.enum")
    assert enum.count == len(range(0, n, 7)) and enum.row_numbers[:2] == (1, 8)


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
