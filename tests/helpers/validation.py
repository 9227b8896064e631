"""Hand-written extracts, one mutation per contract rule, and the three validation paths.

Shared by the GX unit tests (test modules never import each other). Each kind has a small
frame that satisfies every rule (``valid_frame``); ``break_for`` gives, for every rule id in
the suites (``all_rule_ids``), a mutation of one row chosen so that no other rule is touched.
``combined_frame`` puts every such mutation of a kind in one frame, each on its own block of
rows, so one GX run per kind and path checks every rule (a run costs ~1-2 s; per rule and
path that was ~400 runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from expectations import validate
from expectations.suites import all_rule_ids
from expectations.validate import ValidationOutcome, validate_frame
from scorecard.contract import KINDS

AS_AT = date(2024, 3, 31)
ORG = {
    "police_cases": "gwent",
    "cps_cases": "cps_cymru_wales",
    "cps_action_plans": "cps_cymru_wales",
    "cps_court_outcomes": "cps_cymru_wales",
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

COURT_ROWS = [
    {
        "urn": "U4",
        "charge_date": "2021-06-02",
        "first_hearing_date": "2021-06-20",
        "plea": "not_guilty",
        "trial_start_date": "2022-05-10",
        "ineffective_trials": "1",
        "completion_date": "2022-05-20",
        "outcome": "convicted_rape",
        "special_measures": "y",
        "isva_at_trial": "y",
    },
    {
        "urn": "U5",
        "charge_date": "2022-01-10",
        "first_hearing_date": "2022-02-01",
        "ineffective_trials": "0",
        "completion_date": "2022-06-01",
        "outcome": "discontinued",
        "victim_withdrew_after_charge": "y",
        "special_measures": "n",
    },
    {
        "urn": "U6",
        "charge_date": "2023-05-02",
        "first_hearing_date": "2023-05-20",
        "plea": "not_guilty",
        "trial_start_date": "2024-06-01",  # listed after as_at: allowed
        "ineffective_trials": "0",
    },
]
# The Area's charged cases (urn -> decision_date) the court rows are checked against. U0 was
# decided before the contract's start (only so charge_date.min can be broken alone).
CASE_DECIDED = {"U4": "2021-06-01", "U5": "2022-01-10", "U6": "2023-05-01", "U0": "2016-03-30"}

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
    "cps_court_outcomes": COURT_ROWS,
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


def inputs(kind: str, frame: pd.DataFrame, **overrides: Any) -> dict[str, Any]:
    """The per-file inputs the tests validate ``frame`` with: its sender, date, a previous
    snapshot of the same size and the cases a plan or court outcome is checked against."""
    kwargs: dict[str, Any] = {
        "org_code": ORG[kind],
        "as_at": AS_AT,
        "previous_rows": len(frame),
    }
    if kind == "cps_action_plans":
        kwargs["known_urns"] = set(CASE_RECEIVED)
        kwargs["case_received"] = dict(CASE_RECEIVED)
    if kind == "cps_court_outcomes":
        kwargs["known_urns"] = set(CASE_DECIDED)
        kwargs["case_decided"] = dict(CASE_DECIDED)
    kwargs.update(overrides)
    return kwargs


def run(kind: str, frame: pd.DataFrame, **overrides: Any) -> ValidationOutcome:
    return validate_frame(kind, frame, **inputs(kind, frame, **overrides))


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
    # cps_court_outcomes
    "cps_court_outcomes.urn.unique": Break(2, {"urn": "U4"}, (1, 2)),
    "cps_court_outcomes.urn.in_charged_cases": Break(3, {"urn": "U9"}),
    "cps_court_outcomes.urn.max_length": Break(
        1, {"urn": "U" * 41}, kwargs={"known_urns": {*CASE_DECIDED, "U" * 41}}
    ),
    "cps_court_outcomes.charge_date.min": Break(2, {"urn": "U0", "charge_date": "2016-03-31"}),
    "cps_court_outcomes.charge_date.after_decision": Break(1, {"charge_date": "2021-05-31"}),
    "cps_court_outcomes.charge_date.as_at": Break(
        3, {"charge_date": "2024-04-01", "first_hearing_date": None}
    ),
    "cps_court_outcomes.first_hearing_date.after_charge": Break(
        1, {"first_hearing_date": "2021-06-01"}
    ),
    "cps_court_outcomes.first_hearing_date.as_at": Break(3, {"first_hearing_date": "2024-04-01"}),
    "cps_court_outcomes.trial_start_date.after_first_hearing": Break(
        1, {"trial_start_date": "2021-06-19"}
    ),
    "cps_court_outcomes.completion_date.iff_outcome": Break(1, {"completion_date": None}),
    "cps_court_outcomes.completion_date.after_charge": Break(2, {"completion_date": "2022-01-09"}),
    "cps_court_outcomes.completion_date.as_at": Break(2, {"completion_date": "2024-04-01"}),
    "cps_court_outcomes.victim_withdrew_after_charge.when_discontinued": Break(
        2, {"victim_withdrew_after_charge": None}
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


# Every contract rule of a kind, broken on its own block of rows, in one frame.


def _crime_ref(value: str, block: int) -> str:
    return f"CR-{block:04d}{value[3:]}"  # CR-0001 -> CR-00070001


def _cps_urn(value: str, block: int) -> str:
    return f"{value[:4]}{block:04d}{value[-3:]}"  # 52AB0000123 -> 52AB0007123 (same length)


def _urn(value: str, block: int) -> str:
    return f"U{block:04d}{value[1:]}"  # U1 -> U00071


def _financial_year(value: str, block: int) -> str:
    first = int(value[:4]) - 2 * block  # two years per block: 2022-23, 2023-24 -> 2020-21, ...
    return f"{first}-{(first + 1) % 100:02d}"


# Values a rule checks across rows (uniqueness, urn lookups): renamed per block so blocks
# never collide. Only the valid rows' own values are renamed (consistently within a block,
# so a break that copies row 1's crime_ref into row 2 still duplicates it); a break's own
# value (U9, 41 x's, 2023-25) is left as it is.
IDENTIFIERS: dict[str, dict[str, Callable[[str, int], str]]] = {
    "police_cases": {"crime_ref": _crime_ref, "cps_urn": _cps_urn},
    "cps_cases": {"urn": _urn, "crime_ref": _crime_ref},
    "cps_action_plans": {"urn": _urn},
    "cps_court_outcomes": {"urn": _urn},
    "workforce": {"financial_year": _financial_year},
    "recommendation_updates": {},
}


def _own_values(kind: str, column: str) -> set[str]:
    values = {r[column] for r in ROWS[kind] if r.get(column) is not None}
    if kind == "cps_action_plans" and column == "urn":
        values |= set(CASE_RECEIVED)
    if kind == "cps_court_outcomes" and column == "urn":
        values |= set(CASE_DECIDED)
    return values


@dataclass(frozen=True)
class Planted:
    """One rule's block: its rows and the rows (all in the block) the rule must cite."""

    rule_id: str
    column: str
    severity: str
    rows: tuple[int, ...]
    expected: tuple[int, ...]


@dataclass(frozen=True)
class Combined:
    """A kind's frame of blocks: one unbroken (``clean``), then one per rule (``planted``)."""

    kind: str
    frame: pd.DataFrame
    kwargs: dict[str, Any]
    clean: tuple[int, ...]
    planted: dict[tuple[str, str], Planted]


def rules(kind: str) -> list[tuple[str, str, str]]:
    """(rule_id, severity, column) of every rule a row can break (not header, row count)."""
    return [r for r in all_rule_ids(kind) if r[0] not in {"file.header", "file.row_count_change"}]


def combined_frame(kind: str) -> Combined:
    """Valid rows, then one block of them per rule with that rule's break applied.

    Row numbers run on across blocks; identifiers are renamed per block (IDENTIFIERS), and the
    action plans' known urns and case received dates are those of every block, plus any urn a
    break adds (``Break.kwargs``). ``previous_rows`` is twice the row count: the lowest count
    the +/-50% rule still accepts, so that boundary is checked on every path too.
    """
    n = len(ROWS[kind])
    breaks = [
        (rule_id, sev, column, break_for(kind, rule_id, column))
        for rule_id, sev, column in rules(kind)
    ]
    blocks: list[pd.DataFrame] = [valid_frame(kind)]
    blocks += [apply(kind, brk) for *_, brk in breaks]
    renames = IDENTIFIERS[kind]
    for b, block in enumerate(blocks):
        for column, rename in renames.items():
            own = _own_values(kind, column)
            block[column] = pd.Series(
                [rename(v, b) if v in own else v for v in block[column]], dtype=object
            )
    frame = pd.concat(blocks, ignore_index=True)
    frame["row_no"] = range(1, len(frame) + 1)
    planted: dict[tuple[str, str], Planted] = {}
    known: set[str] = set()
    received: dict[str, str] = {}
    for b, (rule_id, sev, column, brk) in enumerate(breaks, start=1):
        offset = b * n
        planted[(rule_id, column)] = Planted(
            rule_id,
            column,
            sev,
            tuple(range(offset + 1, offset + n + 1)),
            tuple(offset + r for r in (brk.rows or (brk.row,))),
        )
        for key, value in brk.kwargs.items():
            if key != "known_urns":
                raise AssertionError(f"{rule_id}: merge {key} into combined_frame")
            own = _own_values(kind, "urn")
            known |= {_urn(u, b) if u in own else u for u in value}
    kwargs: dict[str, Any] = {"previous_rows": 2 * len(frame)}
    if kind == "cps_action_plans":
        for b in range(len(blocks)):
            received |= {_urn(u, b): d for u, d in CASE_RECEIVED.items()}
        kwargs["known_urns"] = known | set(received)
        kwargs["case_received"] = received
    if kind == "cps_court_outcomes":
        decided: dict[str, str] = {}
        for b in range(len(blocks)):
            decided |= {_urn(u, b): d for u, d in CASE_DECIDED.items()}
        kwargs["known_urns"] = known | set(decided)
        kwargs["case_decided"] = decided
    return Combined(kind, frame, kwargs, tuple(range(1, n + 1)), planted)


# The three ways validate_frame checks a frame (see expectations.validate): the whole suite
# in one pass; split by the columns each expectation reads; split, with the parts that allow
# it checked first on distinct rows. Small frames take the first unless forced.
PATHS: dict[str, tuple[int, float | None]] = {
    "whole": (10**9, None),  # (SPLIT_MIN_ROWS, DISTINCT_MAX_SHARE)
    "split": (0, 0.0),
    "distinct": (0, 1.0),
}


@dataclass
class Validated:
    """An outcome and the sizes of the distinct-row frames the run used (``used``)."""

    outcome: ValidationOutcome
    used: list[int] = field(default_factory=list)


@contextmanager
def on_path(path: str) -> Iterator[list[int]]:
    """Force ``path`` for validate_frame; yield the list that counts distinct-row frames."""
    split_min, share = PATHS[path]
    used: list[int] = []
    rows = validate._Distinct.rows

    def counting(self: validate._Distinct, part: pd.DataFrame) -> pd.DataFrame | None:
        out = rows(self, part)
        if out is not None:
            used.append(len(out))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(validate._Distinct, "rows", counting)
        mp.setattr(validate, "SPLIT_MIN_ROWS", split_min)
        if share is not None:
            mp.setattr(validate, "DISTINCT_MAX_SHARE", share)
        yield used


def run_on(path: str, kind: str, frame: pd.DataFrame, **overrides: Any) -> Validated:
    """``run`` on the given path."""
    with on_path(path) as used:
        outcome = run(kind, frame, **overrides)
    return Validated(outcome, used)
