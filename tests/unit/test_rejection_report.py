"""Rejection reports name the file, rule, column, count and rows, and never a value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expectations.report import failure_line, write_report
from expectations.validate import RuleFailure, ValidationOutcome
from scorecard.contract import ContractError
from tests.helpers.validation import AS_AT, ORG, run, valid_frame

SECRET = "ZQ-SECRET-CRIME-REF-7731"
SECRET_URN = "52ZZ9999999"
FILE = "police_cases__gwent__2024-03-31.csv"


def _bad_outcome() -> ValidationOutcome:
    """Duplicate the planted crime_ref (rows 1 and 3), bad victim_sex in row 2, no urn row 1."""
    frame = valid_frame("police_cases")
    frame.at[0, "crime_ref"] = SECRET
    frame.at[2, "crime_ref"] = SECRET
    frame.at[0, "cps_urn"] = SECRET_URN
    frame.at[1, "victim_sex"] = "zz-odd"
    frame.at[1, "withdrawal_stage"] = None
    return run("police_cases", frame)


def _write(outcome: ValidationOutcome | ContractError, tmp_path: Path, **kw) -> tuple[Path, Path]:
    args = {"file_name": FILE, "kind": "police_cases", "org_code": ORG["police_cases"]}
    args |= {"as_at": AS_AT, "out_dir": tmp_path / "reports"} | kw
    return write_report(outcome, **args)


def test_report_names_file_rules_columns_counts_and_rows(tmp_path: Path) -> None:
    outcome = _bad_outcome()
    assert not outcome.ok
    json_path, txt_path = _write(outcome, tmp_path)
    assert json_path.is_file() and txt_path.is_file()
    assert json_path.parent == txt_path.parent == tmp_path / "reports"

    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["file_name"] == FILE
    assert doc["status"] == "rejected"
    assert (doc["kind"], doc["org_code"], doc["as_at"]) == ("police_cases", "gwent", "2024-03-31")
    by_rule = {f["rule_id"]: f for f in doc["failures"]}
    assert set(by_rule) == {
        "police_cases.crime_ref.unique",
        "police_cases.victim_sex.enum",
        "police_cases.withdrawal_stage.when_withdrawn",
    }
    unique = by_rule["police_cases.crime_ref.unique"]
    assert (unique["severity"], unique["column"], unique["count"]) == ("must", "crime_ref", 2)
    assert unique["row_numbers"] == [1, 3]
    assert unique["description"] == "crime_ref unique in file"
    assert by_rule["police_cases.victim_sex.enum"]["row_numbers"] == [2]
    assert by_rule["police_cases.withdrawal_stage.when_withdrawn"]["severity"] == "should"

    text = txt_path.read_text(encoding="utf-8")
    assert FILE in text
    assert "REJECTED" in text
    assert (
        "Rule police_cases.crime_ref.unique (must): crime_ref unique in file — column crime_ref"
        " — 2 rows, e.g. rows 1, 3" in text
    )
    assert "Rule police_cases.victim_sex.enum (must)" in text
    assert "column victim_sex — 1 row, e.g. row 2" in text
    assert "Rules that should be met (warnings):" in text
    assert "row 1 is the first row after the header" in text


def test_report_never_contains_values(tmp_path: Path) -> None:
    json_path, txt_path = _write(_bad_outcome(), tmp_path)
    for path in (json_path, txt_path):
        body = path.read_text(encoding="utf-8")
        assert SECRET not in body
        assert SECRET_URN not in body
        assert "zz-odd" not in body
        assert "CR-0002" not in body


def test_text_report_is_plain_readable_lines(tmp_path: Path) -> None:
    _, txt_path = _write(_bad_outcome(), tmp_path)
    text = txt_path.read_text(encoding="utf-8")
    assert text.count("\n") >= 8
    for line in text.splitlines():
        assert line.isprintable()
        assert not line.lstrip().startswith(("{", "["))


def test_accepted_with_warnings(tmp_path: Path) -> None:
    frame = valid_frame("police_cases")
    frame.at[1, "withdrawal_reason"] = None
    json_path, txt_path = _write(run("police_cases", frame), tmp_path)
    assert json.loads(json_path.read_text())["status"] == "accepted_with_warnings"
    assert "ACCEPTED WITH 1 WARNING(S)" in txt_path.read_text()


@pytest.mark.parametrize(
    ("err", "rule_text"),
    [
        (ContractError("file.header", "header lacks contract column(s): outcome_date"), "header"),
        (ContractError("file.not_empty", "the file has a header but no rows"), "at least one row"),
        (ContractError("file.readable", "not valid UTF-8 at byte 12"), "UTF-8"),
        (
            ContractError(
                "file.readable",
                f"not a readable CSV file: CSV parse error: Expected 28 columns, got 3: "
                f"{SECRET},19C,2023-01-01",
            ),
            "readable",
        ),
    ],
)
def test_file_level_errors_get_the_same_report(
    err: ContractError, rule_text: str, tmp_path: Path
) -> None:
    json_path, txt_path = _write(err, tmp_path)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["status"] == "rejected"
    (failure,) = doc["failures"]
    assert failure["rule_id"] == err.rule_id
    assert failure["severity"] == "must"
    assert failure["count"] is None
    text = txt_path.read_text(encoding="utf-8")
    assert f"Rule {err.rule_id} (must)" in text
    assert rule_text in text
    assert "whole file" in text
    for body in (text, json_path.read_text(encoding="utf-8")):
        assert SECRET not in body


def test_bad_file_name_report_without_kind(tmp_path: Path) -> None:
    err = ContractError("file.name", "'police.csv' is not named <kind>__<org_code>__<as_at>.<ext>")
    json_path, txt_path = _write(
        err, tmp_path, file_name="police.csv", kind=None, org_code=None, as_at=None
    )
    assert json.loads(json_path.read_text())["kind"] is None
    assert "Kind: unknown" in txt_path.read_text()
    assert json_path.name == "police.csv.report.json"


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    outcome = _bad_outcome()
    _write(outcome, tmp_path)
    json_path, txt_path = _write(outcome, tmp_path)  # overwrite in place
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        [json_path.name, txt_path.name]
    )


def test_failure_line_wording() -> None:
    f = RuleFailure(
        "police_cases.outcome_date.iff_outcome",
        "must",
        "outcome_date",
        "outcome_date present if and only if outcome_code is",
        3,
        (4, 17, 22),
    )
    assert failure_line(f) == (
        "Rule police_cases.outcome_date.iff_outcome (must): outcome_date present if and only if"
        " outcome_code is — column outcome_date — 3 rows, e.g. rows 4, 17, 22"
    )
