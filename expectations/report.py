"""The report a sender gets for a file: JSON for machines, plain text for a data officer.

It names the file and, for each broken rule, the rule id, severity, the contract's wording,
the column, how many rows and up to ten row numbers. It never quotes a cell: values may
identify rape victims' cases, so a sender finds the row by its number in their own file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from expectations.report_ids import report_id
from expectations.validate import RuleFailure, ValidationOutcome
from scorecard.contract import CONTRACT_VERSION, FILE_RULES, ContractError

REPORT_VERSION = 1
ROWS_NOTE = (
    "Row numbers count data rows in the file as sent: row 1 is the first row after the "
    "header. Values are never quoted in this report."
)
_FILE_RULE_TEXT = {r.id: r.text for r in FILE_RULES} | {
    # What a source may hold (pipelines/sources.py, pipelines/read.py; SCORECARD_MAX_*).
    "file.type": "a regular file directly in the source folder (no link, device, FIFO or socket)",
    "file.size": "no larger than SCORECARD_MAX_FILE_MB",
    "file.rows": "no more rows than SCORECARD_MAX_ROWS",
    "file.uncompressed": "content unpacks to no more than SCORECARD_MAX_UNCOMPRESSED_MB",
    "file.timeout": "read within SCORECARD_READ_TIMEOUT_SECONDS",
    "file.hidden": "a hidden name (starting with '.') is never read",
}
# Rules that mean the file was left alone rather than rejected (nothing for the sender to fix
# unless it was meant as an extract).
IGNORED_RULES = frozenset({"file.hidden"})
# Readers' messages may echo a CSV line (e.g. pyarrow's "Expected 28 columns, got 3: a,b,c").
_ECHOED_ROW = re.compile(r"(Expected \d+ columns?, got \d+)\s*:.*", re.DOTALL)
_MAX_DETAIL = 300


def _safe_detail(text: str) -> str:
    """A file-level error message with any echoed cell content cut off."""
    text = _ECHOED_ROW.sub(r"\1", text)
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _failures_for_error(err: ContractError) -> list[RuleFailure]:
    return [
        RuleFailure(
            rule_id=err.rule_id,
            severity="must",
            column="",
            description=_FILE_RULE_TEXT.get(err.rule_id, err.rule_id),
            count=None,
            row_numbers=(),
            detail=_safe_detail(err.detail),
        )
    ]


def _rows_phrase(f: RuleFailure) -> str:
    if f.count is None:
        return "whole file"
    if f.count == 0:
        return "no rows counted"
    noun = "row" if f.count == 1 else "rows"
    if not f.row_numbers:
        return f"{f.count} {noun}"
    shown = ", ".join(str(n) for n in f.row_numbers)
    prefix = "row" if len(f.row_numbers) == 1 else "rows"
    return f"{f.count} {noun}, e.g. {prefix} {shown}"


def failure_line(f: RuleFailure) -> str:
    """One rule in the officer's words, e.g.

    Rule police_cases.outcome_date.iff_outcome (must): outcome_date present if and only if
    outcome_code is — column outcome_date — 3 rows, e.g. rows 4, 17, 22
    """
    parts = [f"Rule {f.rule_id} ({f.severity}): {f.description}"]
    if f.column:
        parts.append(f"column {f.column}")
    parts.append(_rows_phrase(f))
    line = " — ".join(parts)
    return f"{line} ({f.detail})" if f.detail else line


def _status(failures: Sequence[RuleFailure]) -> str:
    if failures and all(f.rule_id in IGNORED_RULES for f in failures):
        return "ignored"
    if any(f.severity == "must" for f in failures):
        return "rejected"
    return "accepted_with_warnings" if failures else "accepted"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(
    outcome: ValidationOutcome | ContractError,
    *,
    file_name: str,
    kind: str | None,
    org_code: str | None,
    as_at: date | None,
    out_dir: Path,
) -> tuple[Path, Path]:
    """Write ``<report_id>.report.json`` and ``.report.txt`` into ``out_dir``; return both.

    The id is :func:`report_id` of the file name, safe in a URL and a path whatever the
    sender called the file; the report itself names the file exactly.

    ``outcome`` is a validation outcome or the ContractError a file-level check raised
    (unreadable, header, empty, name); kind/org/as_at may be None when the name is the problem.
    """
    skipped: tuple[str, ...]
    if isinstance(outcome, ContractError):
        failures, rows, skipped = _failures_for_error(outcome), None, ()
    else:
        failures, rows, skipped = list(outcome.failures), outcome.rows, outcome.skipped_rules
    must = [f for f in failures if f.severity == "must"]
    should = [f for f in failures if f.severity == "should"]
    status = _status(failures)
    as_at_text = as_at.isoformat() if as_at is not None else None

    doc: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "contract_version": CONTRACT_VERSION,
        "file_name": file_name,
        "kind": kind,
        "org_code": org_code,
        "as_at": as_at_text,
        "status": status,
        "rows": rows,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "must_failures": len(must),
        "should_failures": len(should),
        "failures": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity,
                "description": f.description,
                "column": f.column or None,
                "count": f.count,
                "row_numbers": list(f.row_numbers),
                "detail": f.detail or None,
                "summary": failure_line(f),
            }
            for f in failures
        ],
        "rules_not_checked": list(skipped),
        "note": ROWS_NOTE,
    }

    headline = {
        "rejected": (
            f"REJECTED: {len(must)} rule(s) that must be met were broken, so nothing from this "
            "file was loaded. Please correct the file and send it again."
        ),
        "accepted_with_warnings": (
            f"ACCEPTED WITH {len(should)} WARNING(S): the file was loaded; please check the "
            "rules below before the next extract."
        ),
        "accepted": "ACCEPTED: the file met every rule of the extract contract.",
        "ignored": (
            "IGNORED: hidden files (names starting with '.', such as upload or lock files) are "
            "never read or moved. If this was meant as an extract, rename it without the "
            "leading dot."
        ),
    }[status]
    lines = [
        f"Extract report for {file_name}",
        f"Kind: {kind or 'unknown'}   Organisation: {org_code or 'unknown'}   "
        f"As at: {as_at_text or 'unknown'}" + (f"   Rows: {rows}" if rows is not None else ""),
        f"Extract contract version {CONTRACT_VERSION}",
        "",
        headline,
    ]
    if status == "ignored":
        lines += ["", "Why:"] + [f"- {failure_line(f)}" for f in failures]
    elif must:
        lines += ["", "Rules that must be met (file rejected):"]
        lines += [f"- {failure_line(f)}" for f in must]
    if should:
        lines += ["", "Rules that should be met (warnings):"]
        lines += [f"- {failure_line(f)}" for f in should]
    if skipped:
        lines += [
            "",
            "Not checked for this file (nothing to compare against yet): " + ", ".join(skipped),
        ]
    lines += ["", ROWS_NOTE, ""]

    out_dir = Path(out_dir)
    rid = report_id(file_name)
    json_path = out_dir / f"{rid}.report.json"
    txt_path = out_dir / f"{rid}.report.txt"
    _atomic_write(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    _atomic_write(txt_path, "\n".join(lines))
    return json_path, txt_path
