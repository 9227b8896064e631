"""Hand-built raw rows for metric tests: a migrated in-memory warehouse with reference data,
and helpers that insert current extracts of each kind. No generator or pipeline involved.

Identifiers are plain strings here (the pipeline would have hashed them); linkage only needs
equal values on both sides.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from scorecard.settings import Settings
from warehouse import build as wbuild
from warehouse.db import columns_of
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference

AS_AT = date(2024, 3, 31)

POLICE_DEFAULTS: dict[str, Any] = {
    "offence_code": "19C", "recorded_date": date(2023, 4, 10), "victim_sex": "f",
    "victim_age_band": "25-34", "victim_ethnicity": "white", "victim_disability": False,
    "victim_mental_health": None, "victim_sexual_orientation": "heterosexual",
    "relationship": "acquaintance", "team_type": "specialist", "investigator_trained": True,
    "victim_supported_at_outset": None, "isva_referral": None, "safeguarding_referral": None,
    "victim_contact_contract": None, "early_advice": None, "early_advice_reason": None,
    "first_referral_date": None, "cps_urn": None, "withdrawal_date": None,
    "withdrawal_stage": None, "withdrawal_reason": None, "outcome_code": None,
    "outcome_date": None, "victim_informed_date": None, "vrr_informed": None,
    "vrr_requested": None,
}  # fmt: skip
CPS_DEFAULTS: dict[str, Any] = {
    "police_force_code": "kent", "crime_ref": None, "received_date": date(2023, 5, 1),
    "referral_type": "charging_decision", "file_standard_met": None, "decision": "pending",
    "decision_date": None, "reactivated_date": None, "face_to_face_before_nfa": None,
    "victim_letter_date": None, "vrr_requested": None, "vrr_upheld": None,
    "police_appeal": None, "police_appeal_upheld": None,
}  # fmt: skip
PLAN_DEFAULTS: dict[str, Any] = {
    "issued_date": date(2023, 6, 1), "target_date": None, "response_date": None, "items": 3,
    "escalated": None,
}  # fmt: skip

COURT_DEFAULTS: dict[str, Any] = {
    "charge_date": date(2023, 6, 1), "first_hearing_date": None, "plea": None,
    "trial_start_date": None, "ineffective_trials": 0, "completion_date": None,
    "outcome": None, "victim_withdrew_after_charge": None, "special_measures": None,
    "isva_at_trial": None,
}  # fmt: skip


def settings(tmp: Path | None = None, **over: Any) -> Settings:
    return replace(Settings(home=tmp or Path("/nonexistent-scorecard-home")), **over)


def d(s: str) -> date:
    return date.fromisoformat(s)


def days(start: date, n: int) -> date:
    return start + timedelta(days=n)


class Warehouse:
    """A migrated warehouse with reference data, and inserters for current extracts."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None,
                 cfg: Settings | None = None) -> None:  # fmt: skip
        self.con = con or duckdb.connect(":memory:")
        self.settings = cfg or settings()
        migrate(self.con)
        load_reference(self.con, self.settings)
        self._ids = itertools.count(1)
        self._refs = itertools.count(1)

    def _extract(self, kind: str, org: str, n: int, as_at: date, current: bool) -> int:
        eid = next(self._ids)
        self.con.execute(
            "INSERT INTO raw.extracts VALUES (?, ?, ?, ?, ?, 'test', ?, ?, NULL, "
            "TIMESTAMP '2024-04-01 00:00:00', ?, NULL)",
            [eid, kind, org, as_at, f"{kind}__{org}__{as_at}.csv", f"sum{eid}", n, current],
        )
        return eid

    def _insert(self, table: str, kind: str, org: str, rows: list[dict[str, Any]],
                defaults: dict[str, Any], as_at: date, current: bool) -> int:  # fmt: skip
        eid = self._extract(kind, org, len(rows), as_at, current)
        cols = columns_of(self.con, "raw", table)
        values = []
        for i, r in enumerate(rows, start=1):
            unknown = set(r) - set(cols)
            if unknown:
                raise KeyError(f"unknown {table} columns {unknown}")
            full = {**defaults, **r, "extract_id": eid, "row_no": i}
            values.append(tuple(full.get(c) for c in cols))
        if values:
            marks = ", ".join("?" for _ in cols)
            self.con.executemany(f"INSERT INTO raw.{table} VALUES ({marks})", values)
        return eid

    def police(self, force: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT,
               current: bool = True) -> int:  # fmt: skip
        rows = [{"crime_ref": f"{force}-{next(self._refs)}", **r} for r in rows]
        return self._insert("police_cases", "police_cases", force, rows, POLICE_DEFAULTS,
                            as_at, current)  # fmt: skip

    def cps(self, area: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT,
            current: bool = True) -> int:  # fmt: skip
        rows = [{"urn": f"{area}-u{next(self._refs)}", **r} for r in rows]
        return self._insert("cps_cases", "cps_cases", area, rows, CPS_DEFAULTS, as_at, current)

    def plans(self, area: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT,
              current: bool = True) -> int:  # fmt: skip
        return self._insert("cps_action_plans", "cps_action_plans", area, rows, PLAN_DEFAULTS,
                            as_at, current)  # fmt: skip

    def court(self, area: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT,
              current: bool = True) -> int:  # fmt: skip
        """A cps_court_outcomes extract (contract v1.1); rows name the charged case's urn."""
        return self._insert("cps_court_outcomes", "cps_court_outcomes", area, rows,
                            COURT_DEFAULTS, as_at, current)  # fmt: skip

    def workforce(self, org: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT) -> int:
        rows = [{"org_code": org, **r} for r in rows]
        return self._insert("workforce", "workforce", org, rows, {}, as_at, True)

    def rec_updates(self, org: str, rows: list[dict[str, Any]], *, as_at: date = AS_AT) -> int:
        rows = [{"owner_code": org, **r} for r in rows]
        return self._insert("recommendation_updates", "recommendation_updates", org, rows,
                            {"target_date": None, "evidence": None}, as_at, True)  # fmt: skip

    def build(self) -> dict[str, int]:
        return wbuild.build(self.con, self.settings, keep_work=True)  # tests read temp.*

    def values(self, metric_id: str, *, level: str = "national", org: str = "national",
               period: str = "2023-24", basis: str = "period", stat: str | None = None,
               breakdown: str = "") -> dict[str, dict[str, Any]]:  # fmt: skip
        """mart.metric_values rows for one metric/org/period/basis, keyed by stat."""
        sql = ("SELECT * FROM mart.metric_values WHERE metric_id = ? AND level = ? "
               "AND org_code = ? AND period = ? AND basis = ? AND breakdown = ?")  # fmt: skip
        params: list[Any] = [metric_id, level, org, period, basis, breakdown]
        if stat:
            sql += " AND stat = ?"
            params.append(stat)
        cur = self.con.execute(sql, params)
        names = [c[0] for c in cur.description]
        return {r[names.index("stat")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}

    def one(self, metric_id: str, stat: str, **kw: Any) -> dict[str, Any]:
        got = self.values(metric_id, stat=stat, **kw)
        assert stat in got, f"no {metric_id} {stat} row for {kw}"
        return got[stat]
