"""The GX suites: row counts, dates, enumerations, optional inputs, values kept out, docs.

The hand-written frames and one mutation per contract rule live in tests.helpers.validation;
tests/unit/test_validation_paths.py checks with them that every rule fires alone, on each
validation path. The coverage test here fails for a contract rule without a mutation.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

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
from tests.helpers.validation import (
    AS_AT,
    BREAKS,
    ORG,
    POLICE_ROWS,
    apply,
    break_for,
    run,
    valid_frame,
)


@pytest.mark.parametrize("kind", list(KINDS))
def test_row_count_change_is_a_warning(kind: str) -> None:
    outcome = run(kind, valid_frame(kind), previous_rows=100)
    assert outcome.ok
    assert [f.rule_id for f in outcome.failures] == ["file.row_count_change"]
    assert "100" in outcome.failures[0].detail
    # Twice the rows of the file is still within +/-50%: every combined_frame run checks
    # that boundary (tests/unit/test_validation_paths.py::test_only_the_planted_failures).


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


def test_every_column_declaration_has_its_rules() -> None:
    """The rules a column's declaration implies are in the suite (the per-rule tests take their
    list from the suite, so a type rule dropped from its generation would go unnoticed)."""
    for kind, spec in KINDS.items():
        declared = set()
        for col in spec.columns:
            suffixes = {"required"} if col.required else set()
            if col.type in {"date", "fy", "integer", "number"}:
                suffixes.add("type")
            if col.type in {"enum", "flag"}:
                suffixes.add("enum")
            if col.max_len is not None:
                suffixes.add("max_length")
            if col.type in {"integer", "number"} and {col.min_value, col.max_value} != {None}:
                suffixes.add("range")
            declared |= {(f"{kind}.{col.name}.{s}", "must", col.name) for s in suffixes}
        assert declared <= set(all_rule_ids(kind)), kind


BAD_DATES = (
    "2023-02-30",
    "2023-02-29",
    "2023-13-01",
    "2023-04-31",
    "31/03/2023",
    "2023-3-1",
    "20230301",
)
GOOD_DATES = ("2024-02-29", "2020-02-29", "2023-12-31", "2023-04-30")


def _police_copies(column: str, row: int, values: tuple[str, ...]) -> pd.DataFrame:
    """One copy of the valid police rows per value, ``values[i]`` in row ``row`` of copy i;
    crime_refs made unique across copies. One GX run then checks every value."""
    copies = []
    for i, value in enumerate(values):
        frame = valid_frame("police_cases")
        frame["crime_ref"] = [f"{ref}-{i}" for ref in frame["crime_ref"]]
        frame.at[row - 1, column] = value
        copies.append(frame)
    frame = pd.concat(copies, ignore_index=True)
    frame["row_no"] = range(1, len(frame) + 1)
    return frame


@cache
def _dates_outcome(good: bool) -> ValidationOutcome:
    if good:  # row 3 has no other dates to order against
        frame = _police_copies("recorded_date", 3, GOOD_DATES)
        return run("police_cases", frame, as_at=date(2024, 12, 31))
    return run("police_cases", _police_copies("first_referral_date", 1, BAD_DATES))


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_calendar_dates_are_type_failures_only(bad: str) -> None:
    outcome = _dates_outcome(good=False)
    assert [f.rule_id for f in outcome.failures] == ["police_cases.first_referral_date.type"]
    n = len(POLICE_ROWS)
    assert outcome.failures[0].row_numbers == tuple(i * n + 1 for i in range(len(BAD_DATES)))
    assert outcome.failures[0].count == len(BAD_DATES)
    assert BAD_DATES.index(bad) * n + 1 in outcome.failures[0].row_numbers


@pytest.mark.parametrize("good", GOOD_DATES)
def test_real_dates_pass(good: str) -> None:
    frame = _police_copies("recorded_date", 3, GOOD_DATES)
    assert good in set(frame["recorded_date"])
    assert _dates_outcome(good=True).failures == []


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
