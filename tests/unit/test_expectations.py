"""The GX suites enforce every contract rule, one rule at a time.

Each kind has a small hand-written frame that satisfies every rule. Each test breaks exactly
one rule (a mutation chosen so no other rule is touched) and checks that only that rule fails,
on the right column and rows. The rule list comes from the contract via ``all_rule_ids``, so a
new contract rule without a mutation here fails the coverage test.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from expectations.suites import (
    GX_DIR,
    all_rule_ids,
    committed_suite_json,
    init_context,
    suite_json,
)
from expectations.validate import ValidationOutcome, validate_frame
from scorecard.contract import KINDS

log = logging.getLogger(__name__)

AS_AT = date(2024, 3, 31)
ORG = {
    "police_cases": "gwent",
    "cps_cases": "cps_cymru_wales",
    "cps_action_plans": "cps_cymru_wales",
    "workforce": "gwent",
    "recommendation_updates": "cps_hq",
}

POLICE_ROWS = [
    {
        "crime_ref": "CR-0001",
        "offence_code": "19c",
        "recorded_date": "2023-01-10",
        "victim_sex": "f",
        "victim_age_band": "25-34",
        "victim_ethnicity": "white",
        "victim_disability": "y",
        "victim_mental_health": "n",
        "victim_sexual_orientation": "heterosexual",
        "relationship": "partner",
        "team_type": "specialist",
        "investigator_trained": "y",
        "victim_supported_at_outset": "y",
        "isva_referral": "y",
        "safeguarding_referral": "na",
        "victim_contact_contract": "y",
        "early_advice": "not_sought",
        "early_advice_reason": "Suspect admitted the offence",
        "first_referral_date": "2023-02-01",
        "cps_urn": "52AB0000123",
        "outcome_code": "1",
        "outcome_date": "2023-06-01",
        "victim_informed_date": "2023-06-02",
        "vrr_informed": "y",
        "vrr_requested": "n",
    },
    {
        "crime_ref": "CR-0002",
        "offence_code": "19f",
        "recorded_date": "2022-05-05",
        "victim_sex": "m",
        "victim_age_band": "18-24",
        "victim_ethnicity": "black",
        "victim_sexual_orientation": "gay_lesbian",
        "relationship": "acquaintance",
        "team_type": "specialist",
        "safeguarding_referral": "y",
        "early_advice": "sought",
        "withdrawal_date": "2022-06-01",
        "withdrawal_stage": "investigation",
        "withdrawal_reason": "time_taken",
        "outcome_code": "16",
        "outcome_date": "2022-06-10",
        "victim_informed_date": "2022-06-11",
        "vrr_informed": "n",
    },
    {
        "crime_ref": "CR-0003",
        "offence_code": "19c",
        "recorded_date": "2024-03-01",
        "victim_sex": "x",
        "victim_age_band": "65+",
        "victim_ethnicity": "u",
        "victim_sexual_orientation": "u",
        "relationship": "u",
        "team_type": "non_specialist",
    },
]

CPS_ROWS = [
    {
        "urn": "U1",
        "police_force_code": "gwent",
        "crime_ref": "CR-0001",
        "received_date": "2023-01-05",
        "referral_type": "charging_decision",
        "file_standard_met": "y",
        "decision": "nfa",
        "decision_date": "2023-03-01",
        "face_to_face_before_nfa": "y",
        "victim_letter_date": "2023-03-02",
        "vrr_requested": "y",
        "vrr_upheld": "n",
        "police_appeal": "n",
    },
    {
        "urn": "U2",
        "police_force_code": "south_wales",
        "crime_ref": "CR-0002",
        "received_date": "2022-02-01",
        "referral_type": "early_advice",
        "file_standard_met": "n",
        "decision": "admin_finalised",
        "decision_date": "2022-04-01",
        "reactivated_date": "2022-05-01",
        "police_appeal": "y",
        "police_appeal_upheld": "y",
    },
    {
        "urn": "U3",
        "police_force_code": "north_wales",
        "crime_ref": "CR-0003",
        "received_date": "2024-02-01",
        "referral_type": "charging_decision",
        "decision": "pending",
        "reactivated_date": "2024-02-20",
    },
    {
        "urn": "U4",
        "police_force_code": "dyfed_powys",
        "crime_ref": "CR-0004",
        "received_date": "2021-01-01",
        "referral_type": "charging_decision",
        "decision": "charge",
        "decision_date": "2021-06-01",
        "reactivated_date": "2021-03-01",
        "victim_letter_date": "2021-06-02",
    },
]

PLAN_ROWS = [
    {
        "urn": "U1",
        "plan_no": "1",
        "issued_date": "2023-01-10",
        "target_date": "2023-02-10",
        "response_date": "2023-02-01",
        "items": "3",
        "escalated": "n",
    },
    {"urn": "U1", "plan_no": "2", "issued_date": "2023-02-05", "items": "100"},
    {
        "urn": "U2",
        "plan_no": "1",
        "issued_date": "2022-03-01",
        "target_date": "2022-03-15",
        "response_date": "2022-03-20",
        "items": "1",
        "escalated": "y",
    },
]

WORKFORCE_ROWS = [
    {
        "org_code": "gwent",
        "financial_year": "2022-23",
        "rasso_investigators_qualified": "10",
        "ssaidp_attendance": "3",
        "detective_vacancies": "2",
        "rasso_prosecutors_fte": "0",
        "rasso_prosecutor_vacancies": "0.5",
        "joint_trauma_training_staff": "5",
    },
    {
        "org_code": "gwent",
        "financial_year": "2023-24",
        "rasso_investigators_qualified": "12",
        "ssaidp_attendance": "4",
        "detective_vacancies": "0",
        "joint_trauma_training_staff": "6",
    },
]

REC_ROWS = [
    {
        "rec_no": "4",
        "owner_code": "cps_hq",
        "status": "implemented",
        "target_date": "2022-01-01",
        "evidence": "Action plan audit",
        "updated_on": "2024-03-01",
    },
    {"rec_no": "9", "owner_code": "cps_hq", "status": "in_progress", "updated_on": "2024-02-01"},
    {
        "rec_no": "13",
        "owner_code": "cps_hq",
        "status": "verified",
        "target_date": "2023-06-30",
        "evidence": "Training records",
        "updated_on": "2024-03-15",
    },
]

ROWS = {
    "police_cases": POLICE_ROWS,
    "cps_cases": CPS_ROWS,
    "cps_action_plans": PLAN_ROWS,
    "workforce": WORKFORCE_ROWS,
    "recommendation_updates": REC_ROWS,
}
CASE_RECEIVED = {r["urn"]: r["received_date"] for r in CPS_ROWS}


def valid_frame(kind: str) -> pd.DataFrame:
    """The reader's shape: contract columns as object strings (None if empty) + row_no."""
    rows = ROWS[kind]
    data: dict[str, Any] = {"row_no": list(range(1, len(rows) + 1))}
    for col in KINDS[kind].column_names:
        data[col] = pd.Series([r.get(col) for r in rows], dtype=object)
    return pd.DataFrame(data)


def broken_police_frame(n: int = 6_000) -> pd.DataFrame:
    """``n`` police rows (large enough to be split) with several rules broken on many rows:
    offence code every 7th row, recorded date every 11th, early-advice reason every 13th,
    and every 17th row shares one crime_ref."""
    base = valid_frame("police_cases")
    frame = base.iloc[np.arange(n) % len(base)].reset_index(drop=True)
    frame["crime_ref"] = pd.Series([f"CR-{i:07d}" for i in range(n)], dtype=object)
    frame["row_no"] = range(1, n + 1)
    frame.loc[frame.index % 7 == 0, "offence_code"] = "99z"
    frame.loc[frame.index % 11 == 0, "recorded_date"] = "2023-02-30"
    frame.loc[frame.index % 13 == 0, "early_advice_reason"] = None
    frame.loc[frame.index % 17 == 0, "crime_ref"] = "CR-DUP"
    return frame


def failure_facts(outcome: ValidationOutcome) -> list[tuple[Any, ...]]:
    """Every failure as (rule, severity, column, count, row numbers, detail), sorted: what two
    ways of validating one frame must agree on."""
    return sorted(
        (f.rule_id, f.severity, f.column, f.count, f.row_numbers, f.detail)
        for f in outcome.failures
    )


def run(kind: str, frame: pd.DataFrame, **overrides: Any) -> ValidationOutcome:
    kwargs: dict[str, Any] = {
        "org_code": ORG[kind],
        "as_at": AS_AT,
        "previous_rows": len(frame),
    }
    if kind == "cps_action_plans":
        kwargs["known_urns"] = set(CASE_RECEIVED)
        kwargs["case_received"] = dict(CASE_RECEIVED)
    kwargs.update(overrides)
    return validate_frame(kind, frame, **kwargs)


@dataclass(frozen=True)
class Break:
    """Change ``changes`` in data row ``row`` (1-based); expect failures on ``rows``."""

    row: int
    changes: dict[str, Any]
    rows: tuple[int, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


# Contract rules (and type rules whose generic mutation would touch another rule).
BREAKS: dict[str, Break] = {
    # police_cases
    "police_cases.crime_ref.unique": Break(2, {"crime_ref": "CR-0001"}, (1, 2)),
    "police_cases.recorded_date.min": Break(3, {"recorded_date": "2016-03-31"}),
    "police_cases.recorded_date.as_at": Break(3, {"recorded_date": "2024-04-01"}),
    "police_cases.early_advice_reason.when_not_sought": Break(1, {"early_advice_reason": None}),
    "police_cases.first_referral_date.after_recorded": Break(
        1, {"first_referral_date": "2023-01-09"}
    ),
    "police_cases.first_referral_date.as_at": Break(1, {"first_referral_date": "2024-04-01"}),
    "police_cases.cps_urn.when_referred": Break(1, {"cps_urn": None}),
    "police_cases.withdrawal_date.after_recorded": Break(2, {"withdrawal_date": "2022-05-04"}),
    "police_cases.withdrawal_date.as_at": Break(2, {"withdrawal_date": "2024-04-01"}),
    "police_cases.withdrawal_stage.when_withdrawn": Break(2, {"withdrawal_stage": None}),
    "police_cases.withdrawal_reason.when_withdrawn": Break(2, {"withdrawal_reason": None}),
    "police_cases.outcome_date.iff_outcome": Break(1, {"outcome_date": None}),
    "police_cases.outcome_date.after_recorded": Break(2, {"outcome_date": "2022-05-01"}),
    "police_cases.outcome_date.as_at": Break(
        1, {"outcome_date": "2024-04-01", "victim_informed_date": None}
    ),
    "police_cases.victim_informed_date.after_outcome": Break(
        1, {"victim_informed_date": "2023-05-31"}
    ),
    # cps_cases
    "cps_cases.urn.unique": Break(2, {"urn": "U1"}, (1, 2)),
    "cps_cases.police_force_code.in_area": Break(1, {"police_force_code": "kent"}),
    "cps_cases.crime_ref.present": Break(1, {"crime_ref": None}),
    "cps_cases.received_date.min": Break(4, {"received_date": "2016-03-31"}),
    "cps_cases.received_date.as_at": Break(3, {"received_date": "2024-04-01"}),
    "cps_cases.decision_date.unless_pending": Break(1, {"decision_date": None}),
    "cps_cases.decision_date.after_received": Break(1, {"decision_date": "2023-01-04"}),
    "cps_cases.decision_date.as_at": Break(
        1, {"decision_date": "2024-04-01", "victim_letter_date": None}
    ),
    "cps_cases.reactivated_date.after_admin_finalised": Break(
        4, {"reactivated_date": "2021-07-01"}
    ),
    "cps_cases.face_to_face_before_nfa.when_nfa": Break(1, {"face_to_face_before_nfa": None}),
    "cps_cases.victim_letter_date.after_decision": Break(1, {"victim_letter_date": "2023-02-28"}),
    "cps_cases.vrr_upheld.unless_requested": Break(1, {"vrr_requested": "n"}),
    "cps_cases.police_appeal_upheld.unless_appeal": Break(2, {"police_appeal": None}),
    "cps_cases.vrr_requested.enum": Break(4, {"vrr_requested": "maybe"}),
    "cps_cases.police_appeal.enum": Break(1, {"police_appeal": "maybe"}),
    # cps_action_plans
    "cps_action_plans.urn.in_cases": Break(3, {"urn": "U9"}),
    "cps_action_plans.plan_no.unique_per_urn": Break(2, {"plan_no": "1"}, (1, 2)),
    "cps_action_plans.issued_date.after_received": Break(1, {"issued_date": "2023-01-04"}),
    "cps_action_plans.issued_date.as_at": Break(2, {"issued_date": "2024-04-01"}),
    "cps_action_plans.target_date.after_issued": Break(1, {"target_date": "2023-01-09"}),
    "cps_action_plans.response_date.after_issued": Break(1, {"response_date": "2023-01-09"}),
    "cps_action_plans.response_date.as_at": Break(1, {"response_date": "2024-04-01"}),
    "cps_action_plans.urn.max_length": Break(
        1, {"urn": "U" * 41}, kwargs={"known_urns": {*CASE_RECEIVED, "U" * 41}}
    ),
    # workforce
    "workforce.org_code.matches_file": Break(1, {"org_code": "dyfed_powys"}),
    "workforce.financial_year.unique": Break(2, {"financial_year": "2022-23"}, (1, 2)),
    # recommendation_updates
    "recommendation_updates.owner_code.matches_file": Break(1, {"owner_code": "npcc_aso"}),
    "recommendation_updates.owner_code.owner_of_rec": Break(1, {"rec_no": "1"}),
    "recommendation_updates.evidence.when_implemented": Break(3, {"evidence": None}),
    "recommendation_updates.updated_on.as_at": Break(2, {"updated_on": "2024-04-01"}),
}

# Generic breaks for the column-type rules, by id suffix and column type.
BAD_TYPE = {"date": "2023-02-30", "integer": "1.5", "number": "1.2.3", "fy": "2023-25"}


def generic_break(kind: str, rule_id: str, column: str) -> Break:
    col = KINDS[kind].column(column)
    suffix = rule_id.rsplit(".", 1)[1]
    # Spoil a value the sender gave (an empty cell would wake "present when" rules).
    row = next((n for n, r in enumerate(ROWS[kind], 1) if r.get(column) is not None), 1)
    if suffix == "required":
        return Break(1, {column: None})
    if suffix == "enum":
        return Break(row, {column: "zzz"})
    if suffix == "type":
        return Break(row, {column: BAD_TYPE[col.type]})
    if suffix == "max_length":
        assert col.max_len is not None
        return Break(row, {column: "x" * (col.max_len + 1)})
    if suffix == "range":
        bad = col.max_value + 1 if col.max_value is not None else (col.min_value or 0) - 1
        return Break(row, {column: f"{bad:g}"})
    raise AssertionError(f"no mutation for {rule_id}; add one to BREAKS")


def cases(severity: str) -> list[Any]:
    out = []
    for kind in KINDS:
        for rule_id, sev, column in all_rule_ids(kind):
            if sev == severity and rule_id not in {"file.header", "file.row_count_change"}:
                out.append(pytest.param(kind, rule_id, column, id=f"{rule_id}[{column}]"))
    return out


def break_for(kind: str, rule_id: str, column: str) -> Break:
    if rule_id in BREAKS:
        return BREAKS[rule_id]
    return generic_break(kind, rule_id, column)


def apply(kind: str, brk: Break) -> pd.DataFrame:
    frame = valid_frame(kind)
    for col, value in brk.changes.items():
        frame.at[brk.row - 1, col] = value
    return frame


@pytest.mark.parametrize("kind", list(KINDS))
def test_valid_frame_passes_every_rule(kind: str) -> None:
    outcome = run(kind, valid_frame(kind))
    assert outcome.failures == []
    assert outcome.ok
    assert outcome.skipped_rules == ()


@pytest.mark.parametrize(("kind", "rule_id", "column"), cases("must"))
def test_each_must_rule_rejects_alone(kind: str, rule_id: str, column: str) -> None:
    brk = break_for(kind, rule_id, column)
    outcome = run(kind, apply(kind, brk), **brk.kwargs)
    assert not outcome.ok
    assert [(f.rule_id, f.column) for f in outcome.failures] == [(rule_id, column)]
    failure = outcome.failures[0]
    assert failure.severity == "must"
    assert failure.row_numbers == (brk.rows or (brk.row,))
    assert failure.count == len(brk.rows or (brk.row,))
    assert failure.description


@pytest.mark.parametrize(("kind", "rule_id", "column"), cases("should"))
def test_each_should_rule_warns_alone(kind: str, rule_id: str, column: str) -> None:
    brk = break_for(kind, rule_id, column)
    outcome = run(kind, apply(kind, brk), **brk.kwargs)
    assert outcome.ok
    assert [(f.rule_id, f.column) for f in outcome.should] == [(rule_id, column)]
    assert outcome.must == []
    assert outcome.should[0].row_numbers == (brk.rows or (brk.row,))


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing_column_is_a_header_failure_only(kind: str) -> None:
    for column in KINDS[kind].column_names:
        frame = valid_frame(kind).drop(columns=[column])
        outcome = run(kind, frame)
        assert not outcome.ok
        assert [(f.rule_id, f.column) for f in outcome.failures] == [("file.header", column)], (
            column
        )
        assert outcome.failures[0].count is None


@pytest.mark.parametrize("kind", list(KINDS))
def test_row_count_change_is_a_warning(kind: str) -> None:
    outcome = run(kind, valid_frame(kind), previous_rows=100)
    assert outcome.ok
    assert [f.rule_id for f in outcome.failures] == ["file.row_count_change"]
    assert "100" in outcome.failures[0].detail
    assert run(kind, valid_frame(kind), previous_rows=len(ROWS[kind]) * 2).failures == []


def test_every_rule_is_covered_by_the_suite_and_these_tests() -> None:
    """A contract rule without an expectation or a mutation here fails this test."""
    for kind, spec in KINDS.items():
        ids = {rule_id for rule_id, _, _ in all_rule_ids(kind)}
        assert {r.id for r in spec.rules} <= ids
        assert {"file.header", "file.row_count_change"} <= ids
        for rule_id, _, column in all_rule_ids(kind):
            if rule_id not in {"file.header", "file.row_count_change"}:
                break_for(kind, rule_id, column)
    assert set(BREAKS) <= {r for k in KINDS for r, _, _ in all_rule_ids(k)}


@pytest.mark.parametrize(
    "bad",
    ["2023-02-30", "2023-02-29", "2023-13-01", "2023-04-31", "31/03/2023", "2023-3-1", "20230301"],
)
def test_invalid_calendar_dates_are_type_failures_only(bad: str) -> None:
    frame = valid_frame("police_cases")
    frame.at[0, "first_referral_date"] = bad
    outcome = run("police_cases", frame)
    assert [f.rule_id for f in outcome.failures] == ["police_cases.first_referral_date.type"]


@pytest.mark.parametrize("good", ["2024-02-29", "2020-02-29", "2023-12-31", "2023-04-30"])
def test_real_dates_pass(good: str) -> None:
    frame = valid_frame("police_cases")
    frame.at[2, "recorded_date"] = good  # row 3 has no other dates to order against
    outcome = run("police_cases", frame, as_at=date(2024, 12, 31))
    assert outcome.failures == []


def test_date_regex_agrees_with_the_calendar() -> None:
    import re
    from datetime import timedelta

    from expectations.custom import DATE_REGEX

    pattern = re.compile(DATE_REGEX)
    day = date(1896, 1, 1)
    while day < date(2105, 1, 1):
        assert pattern.match(day.isoformat()), day
        day += timedelta(days=1)
    for y in (1900, 2023, 2100):
        assert not pattern.match(f"{y}-02-29")
    for y in (1904, 2000, 2024):
        assert pattern.match(f"{y}-02-29")


def test_enumerations_are_case_insensitive_through_the_reader(tmp_path: Path) -> None:
    from pipelines.read import read_extract

    frame = valid_frame("police_cases").drop(columns=["row_no"])
    upper = frame.apply(
        lambda s: s.map(lambda v: v.upper() if isinstance(v, str) and len(v) < 4 else v)
    )
    assert upper.at[0, "offence_code"] == "19C" and upper.at[0, "victim_sex"] == "F"
    path = tmp_path / "police_cases__gwent__2024-03-31.csv"
    upper.to_csv(path, index=False)
    read = read_extract(path, "police_cases")
    outcome = run("police_cases", read)
    assert outcome.failures == []
    upper.at[1, "victim_sex"] = "Q"
    upper.to_csv(path, index=False)
    outcome = run("police_cases", read_extract(path, "police_cases"))
    assert [(f.rule_id, f.row_numbers) for f in outcome.failures] == [
        ("police_cases.victim_sex.enum", (2,))
    ]


def test_optional_inputs_skip_their_rules() -> None:
    frame = valid_frame("cps_action_plans")
    frame.at[0, "urn"] = "U9"
    outcome = validate_frame(
        "cps_action_plans", frame, org_code=ORG["cps_action_plans"], as_at=AS_AT
    )
    assert outcome.ok
    assert set(outcome.skipped_rules) == {
        "cps_action_plans.urn.in_cases",
        "cps_action_plans.issued_date.after_received",
        "file.row_count_change",
    }
    empty = run("cps_action_plans", valid_frame("cps_action_plans"), known_urns=[])
    assert [(f.rule_id, f.count) for f in empty.failures] == [("cps_action_plans.urn.in_cases", 3)]


def test_row_numbers_are_capped_at_ten_and_values_never_leave() -> None:
    rows = [dict(POLICE_ROWS[2], crime_ref=f"SECRET-{i:03d}") for i in range(25)]
    frame = pd.DataFrame(
        {"row_no": range(1, 26)}
        | {
            c: pd.Series([r.get(c) for r in rows], dtype=object)
            for c in KINDS["police_cases"].column_names
        }
    )
    frame["victim_sex"] = "q"
    outcome = run("police_cases", frame)
    (failure,) = outcome.failures
    assert failure.count == 25
    assert failure.row_numbers == tuple(range(1, 11))
    assert outcome.gx_result is not None
    dumped = json.dumps(outcome.gx_result.to_json_dict(), default=str)
    assert "SECRET-" not in dumped
    assert '"q"' not in dumped


def test_committed_suites_match_the_contract(tmp_path: Path) -> None:
    """`python -m expectations.suites` output is committed; the code and JSON must agree."""
    for kind in KINDS:
        assert committed_suite_json(kind) == suite_json(kind), (
            f"{kind}: run `python -m expectations.suites` and commit expectations/gx"
        )
    init_context(tmp_path / "gx")
    for kind in KINDS:
        assert committed_suite_json(kind, tmp_path / "gx") == committed_suite_json(kind)
    assert (tmp_path / "gx" / "great_expectations.yml").read_text() == (
        GX_DIR / "great_expectations.yml"
    ).read_text()


def test_every_expectation_names_its_rule() -> None:
    for kind in KINDS:
        for exp in suite_json(kind)["expectations"]:
            assert set(exp["meta"]) == {"rule_id", "severity", "column"}
            assert exp["meta"]["severity"] in {"must", "should"}


def test_data_docs_build_offline(tmp_path: Path) -> None:
    from expectations.validate import build_data_docs

    frame = apply("police_cases", BREAKS["police_cases.crime_ref.unique"])
    outcomes = [run("police_cases", frame), run("workforce", valid_frame("workforce"))]
    index = build_data_docs(tmp_path, outcomes)
    assert index.is_file() and index.name == "index.html"
    pages = list((tmp_path / "data_docs").rglob("*.html"))
    assert len(pages) >= 3
    assert not any("CR-0001" in p.read_text(encoding="utf-8") for p in pages)


@pytest.mark.slow
def test_million_rows_benchmark() -> None:
    """Not an assertion on time: prints how long a ~1M-row police_cases frame takes."""
    n = 1_000_000
    base = valid_frame("police_cases")
    frame = base.iloc[[i % len(base) for i in range(n)]].reset_index(drop=True)
    frame["crime_ref"] = pd.Series([f"CR-{i:07d}" for i in range(n)], dtype=object)
    frame["row_no"] = range(1, n + 1)
    started = time.perf_counter()
    outcome = run("police_cases", frame)
    elapsed = time.perf_counter() - started
    print(f"\nvalidate_frame police_cases {n:,} rows: {elapsed:.1f}s")
    assert outcome.ok, outcome.failures
