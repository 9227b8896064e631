"""Validating many files of one kind together (``validate_frames``) gives each file the
outcome it gets alone: a bad file is rejected with the same failures and row numbers, the
good files of the same batch pass without a run of their own, and only the expectations a
file failed are run again on it alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from expectations import validate
from expectations.validate import FrameToValidate, ValidationOutcome, validate_frames
from scorecard.contract import KINDS
from tests.helpers.validation import (
    AS_AT,
    ORG,
    apply,
    break_for,
    combined_frame,
    failure_facts,
    inputs,
    on_path,
    rules,
    run,
    valid_frame,
)

KIND_NAMES = [k for k in KINDS if k in ORG]


def _item(kind: str, frame: Any, **overrides: Any) -> FrameToValidate:
    """The inputs ``tests.helpers.validation.run`` gives ``validate_frame``."""
    return FrameToValidate(frame, **inputs(kind, frame, **overrides))


@pytest.fixture
def alone(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Positions (in each call) of the files the batch found failing, or -1 for a file
    validated wholly alone."""
    calls: list[int] = []
    real_alone, real_screen = FrameToValidate.alone, validate._screen

    def counting(self: FrameToValidate, kind: str, context_root: Any = None) -> ValidationOutcome:
        calls.append(-1)
        return real_alone(self, kind, context_root)

    def screening(*args: Any) -> Any:
        found, res = real_screen(*args)
        calls.extend(sorted(n for n, ids in found.items() if ids))
        return found, res

    monkeypatch.setattr(FrameToValidate, "alone", counting)
    monkeypatch.setattr(validate, "_screen", screening)
    yield calls


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_bad_file_in_a_batch_fails_exactly_as_alone_and_the_good_ones_pass(
    kind: str, alone: list[int]
) -> None:
    combined = combined_frame(kind)
    good, other = _item(kind, valid_frame(kind)), _item(kind, valid_frame(kind))
    bad = FrameToValidate(combined.frame, ORG[kind], AS_AT, **combined.kwargs)
    outcomes = validate_frames(kind, [good, bad, other])
    by_itself = run(kind, combined.frame, **combined.kwargs)
    assert not by_itself.ok
    assert failure_facts(outcomes[1]) == failure_facts(by_itself)
    assert outcomes[1].skipped_rules == by_itself.skipped_rules
    assert outcomes[1].gx_result is not None and by_itself.gx_result is not None
    got, want = outcomes[1].gx_result.to_json_dict(), by_itself.gx_result.to_json_dict()
    assert got["results"] == want["results"], "the same Data Docs entry as alone"
    assert got["statistics"] == want["statistics"]
    assert alone == [1], "only the bad file has expectations run again on its own"
    reference = run(kind, valid_frame(kind))
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.ok and outcome.failures == []
        assert outcome.gx_result is not None and reference.gx_result is not None
        got = outcome.gx_result.to_json_dict()
        want = reference.gx_result.to_json_dict()
        assert got["results"] == want["results"], "the same Data Docs entry as alone"
        assert got["statistics"] == want["statistics"]
        assert got["suite_parameters"] == want["suite_parameters"]


@pytest.mark.parametrize("path", ["whole", "distinct"])
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_every_rule_broken_in_one_file_of_a_batch_is_caught(
    kind: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No broken file passes the batch, on the small-frame path and the split/distinct one:
    each is found failing in its own file (its failed expectations then run on it alone)."""
    handed: list[int] = []

    def stub(self: FrameToValidate, kind: str, context_root: Any = None) -> ValidationOutcome:
        handed.append(id(self))
        return ValidationOutcome(kind, self.org_code, self.as_at, len(self.frame))

    monkeypatch.setattr(FrameToValidate, "alone", stub)
    found: dict[int, frozenset[str]] = {}
    real_screen = validate._screen

    def screening(*args: Any) -> Any:
        out, res = real_screen(*args)
        found.update(out)
        return out, res

    monkeypatch.setattr(validate, "_screen", screening)
    good = [_item(kind, valid_frame(kind)), _item(kind, valid_frame(kind), as_at=date(2025, 1, 1))]
    broken = []
    for rule_id, _severity, column in rules(kind):
        brk = break_for(kind, rule_id, column)
        broken.append(_item(kind, apply(kind, brk), **brk.kwargs))
    with on_path(path):
        outcomes = validate_frames(kind, [good[0], *broken, good[1]])
    assert handed == [], "one batch takes every file"
    assert found[0] == found[len(broken) + 1] == frozenset()
    missed = [rules(kind)[n - 1][0] for n in range(1, len(broken) + 1) if not found[n]]
    assert missed == [], "every broken rule is found in its own file"
    assert outcomes[0].ok and outcomes[-1].ok and not outcomes[0].failures


def test_rules_about_the_file_are_judged_per_file(alone: list[int]) -> None:
    """The org, as-at, uniqueness and row-count rules read each row's own file."""
    frame = valid_frame("workforce")
    same = [_item("workforce", frame), _item("workforce", frame)]  # duplicates across files
    other_org = _item("workforce", frame, org_code="kent")  # rows say gwent
    outcomes = validate_frames("workforce", [*same, other_org])
    assert [o.ok for o in outcomes] == [True, True, False]
    assert alone == [2]
    assert [f.rule_id for f in outcomes[2].must] == ["workforce.org_code.matches_file"]

    alone.clear()
    police = valid_frame("police_cases")
    latest = max(police["recorded_date"])
    early = _item("police_cases", police, as_at=date.fromisoformat(latest) - timedelta(days=1))
    shrunk = _item("police_cases", police, previous_rows=3 * len(police))
    ok = _item("police_cases", police, as_at=AS_AT + timedelta(days=400))
    outcomes = validate_frames("police_cases", [_item("police_cases", police), early, shrunk, ok])
    assert [o.ok for o in outcomes] == [True, False, True, True]
    assert alone == [1, 2]
    assert [f.rule_id for f in outcomes[2].should] == ["file.row_count_change"]
    for item, outcome in [(early, outcomes[1]), (shrunk, outcomes[2])]:
        by_itself = run("police_cases", police, as_at=item.as_at, previous_rows=item.previous_rows)
        assert failure_facts(outcome) == failure_facts(by_itself)
