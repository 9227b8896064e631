"""Break exactly one contract rule in a real extract, for flow-level rejection tests.

Given a valid extract (as the text a sender writes) and a rule id, return a copy that
breaks that rule on one chosen row. The row is chosen so the rule applies (e.g. a row that
has an outcome, for a rule about outcome dates).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from scorecard import reference
from scorecard.contract import KINDS, Rule


def _day(text: str, days: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def _row(frame: pd.DataFrame, mask: pd.Series) -> int:
    idx = frame.index[mask]
    if len(idx) == 0:
        raise LookupError("no row to which the rule applies")
    return int(idx[len(idx) // 2])


def _present(frame: pd.DataFrame, col: str) -> pd.Series:
    return frame[col].astype(str).str.len() > 0


def _contract_rule(kind: str, rule_id: str) -> Rule | None:
    return next((r for r in KINDS[kind].rules if r.id == rule_id), None)


def break_rule(
    frame: pd.DataFrame, kind: str, rule_id: str, *, org: str, as_at: date
) -> pd.DataFrame:
    """A copy of ``frame`` (all text, '' for empty) that breaks ``rule_id``."""
    f = frame.copy()
    spec = KINDS[kind]
    rule = _contract_rule(kind, rule_id)
    if rule is None:  # a column rule: <kind>.<column>.<required|type|enum|max_length|range>
        col_name, suffix = rule_id.split(".")[1:3]
        col = spec.column(col_name)
        present = _present(f, col_name)
        i = _row(f, present) if present.any() else 0
        if suffix == "required":
            f.loc[i, col_name] = ""
        elif suffix == "type":
            bad = {"date": "2023-02-30", "integer": "7.5", "number": "seven", "fy": "2023-25"}
            f.loc[i, col_name] = bad[col.type]
        elif suffix == "enum":
            f.loc[i, col_name] = "not_a_value"
        elif suffix == "max_length":
            f.loc[i, col_name] = "X" * ((col.max_len or 0) + 1)
        elif suffix == "range":
            f.loc[i, col_name] = str(int((col.max_value or 0) + 1) if col.max_value else -1)
        else:
            raise ValueError(f"no mutation for {rule_id}")
        return f
    c, other = rule.column, rule.other
    k = rule.kind
    if k == "unique":
        f.loc[0, c] = f.loc[1, c]
    elif k == "unique_together":
        f.loc[0, [c, other]] = f.loc[1, [c, other]].to_numpy()
    elif k == "date_min":
        f.loc[_row(f, _present(f, c)), c] = "2016-03-31"
    elif k == "date_le_as_at":
        f.loc[_row(f, _present(f, c)), c] = _day(as_at.isoformat(), 1)
    elif k == "date_ge_column":
        i = _row(f, _present(f, c) & _present(f, other))
        f.loc[i, c] = _day(f.loc[i, other], -1)
    elif k == "required_when_present":
        f.loc[_row(f, _present(f, other) & _present(f, c)), c] = ""
    elif k == "required_unless_value":
        f.loc[_row(f, ~f[other].str.lower().isin(rule.values) & _present(f, c)), c] = ""
    elif k == "present_iff":
        f.loc[_row(f, _present(f, other) & _present(f, c)), c] = ""
    elif k == "empty_unless_value":
        i = _row(f, ~f[other].str.lower().isin(rule.values))
        f.loc[i, c] = "Y"
    elif k == "reactivation":
        i = _row(f, (f["decision"] == "charge") & _present(f, "decision_date"))
        f.loc[i, c] = _day(f.loc[i, "decision_date"], 1)
    elif k == "org_matches_file":
        f.loc[len(f) // 2, c] = next(x for x in reference.all_org_codes() if x != org)
    elif k == "force_in_area":
        mapped = set(reference.forces_for_area(org))
        f.loc[len(f) // 2, c] = next(x.code for x in reference.forces() if x.code not in mapped)
    elif k == "urn_in_cases":
        f.loc[len(f) // 2, c] = "NOT-A-KNOWN-URN"
    elif k == "date_ge_case_received":
        i = _row(f, f[c] > "2016-06-01")
        f.loc[i, c] = "2016-04-01"
        for dep in ("target_date", "response_date"):
            if f.loc[i, dep]:
                f.loc[i, dep] = "2016-04-02"
    elif k == "date_ge_case_decision":
        # Every case was decided after it was received (on or after 2016-04-01), so a charge
        # on that first day comes before its decision; later dates move with it.
        i = _row(f, f[c] > "2016-06-01")
        f.loc[i, c] = "2016-04-01"
        for dep in ("first_hearing_date", "trial_start_date", "completion_date"):
            if f.loc[i, dep]:
                f.loc[i, dep] = "2016-04-02"
    elif k == "owner_of_rec":
        owned = {
            r.rec_no for r in reference.recommendations() if org in reference.owners_of(r.rec_no)
        }
        f.loc[len(f) // 2, other] = str(next(n for n in range(1, 14) if n not in owned))
    else:
        raise ValueError(f"no mutation for {rule_id} ({k})")
    return f
