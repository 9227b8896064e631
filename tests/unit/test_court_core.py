"""Stage three in core: court outcomes linked through the CPS charge to the police record,
and which CPS Areas have sent them (a v1.0 sender has not: "not yet sent", never zero).

Hand-built raw rows (tests.helpers.warehouse), no generator or pipeline.
"""

from __future__ import annotations

from typing import Any

from scorecard import reference
from tests.helpers.warehouse import Warehouse, d

AREA = "cps_south_east"


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _nation(court: bool) -> Warehouse:
    """Two Kent offences referred under one URN and charged; one NFA case; a court row for
    the charged case (and one naming the NFA case, which has no charge to link to)."""
    wh = Warehouse()
    wh.police(
        "kent",
        [
            {"crime_ref": "K1", "recorded_date": d("2022-01-05"), "cps_urn": "U1",
             "first_referral_date": d("2022-03-01")},
            {"crime_ref": "K2", "recorded_date": d("2022-02-01"), "cps_urn": "U1",
             "first_referral_date": d("2022-03-01")},
            {"crime_ref": "K3", "recorded_date": d("2022-02-01"), "cps_urn": "U2",
             "first_referral_date": d("2022-03-01")},
        ],
    )  # fmt: skip
    wh.cps(
        AREA,
        [
            {"urn": "U1", "crime_ref": "K1", "received_date": d("2022-03-02"),
             "decision": "charge", "decision_date": d("2022-09-01")},
            {"urn": "U2", "crime_ref": "K3", "received_date": d("2022-03-02"),
             "decision": "nfa", "decision_date": d("2022-09-01")},
        ],
    )  # fmt: skip
    if court:
        wh.court(
            AREA,
            [
                {"urn": "U1", "charge_date": d("2022-09-02"), "completion_date": d("2023-08-30"),
                 "outcome": "convicted_other", "ineffective_trials": 2},
                {"urn": "U2", "charge_date": d("2022-09-03")},
            ],
        )  # fmt: skip
    wh.build()
    return wh


def test_court_outcome_links_through_the_charge_to_the_police_records() -> None:
    wh = _nation(court=True)
    got = {r["urn"]: r for r in _rows(wh.con, "SELECT * FROM core.court_outcomes ORDER BY urn")}
    charged = got["U1"]
    assert charged["area_code"] == AREA and charged["force_code"] == "kent"
    assert charged["charge_linked"] and charged["police_linked"]
    assert charged["police_records"] == 2, "one URN, two offences"
    assert charged["police_recorded_date"] == d("2022-01-05"), "the earliest: the cohort date"
    assert charged["cps_decision_date"] == d("2022-09-01")
    assert charged["successful"], "a conviction for any offence is a success"
    assert charged["ineffective_trials"] == 2
    # The CPS decided no further action on U2: a court row for it has no charge to link to.
    nfa = got["U2"]
    assert not nfa["charge_linked"] and not nfa["police_linked"]
    assert nfa["force_code"] is None and nfa["police_records"] == 0
    assert not nfa["successful"], "not completed"


def test_successful_outcomes_come_from_the_reference_file() -> None:
    wh = _nation(court=True)
    ref = dict(wh.con.execute("SELECT code, successful FROM ref.court_outcomes").fetchall())
    assert {c for c, ok in ref.items() if ok} == set(reference.successful_court_outcomes())
    assert set(ref) == set(reference.court_outcome_codes())
    assert set(reference.successful_court_outcomes()) == {"convicted_rape", "convicted_other"}


def test_coverage_says_which_areas_have_sent_stage_three() -> None:
    wh = _nation(court=True)
    sent = dict(wh.con.execute("SELECT area_code, sent FROM core.court_coverage").fetchall())
    assert set(sent) == {a.code for a in reference.cps_areas()}
    assert {a for a, s in sent.items() if s} == {AREA}


def test_a_v1_0_nation_without_court_files_builds_with_stage_three_not_yet_sent() -> None:
    wh = _nation(court=False)
    assert wh.con.execute("SELECT count(*) FROM core.court_outcomes").fetchone() == (0,)
    rows = _rows(wh.con, "SELECT * FROM core.court_coverage")
    assert len(rows) == len(reference.cps_areas())
    assert not any(r["sent"] for r in rows) and all(r["court_as_at"] is None for r in rows)
    # The rest of the scorecard is built as before.
    assert wh.con.execute("SELECT count(*) FROM temp.cps_cases").fetchone() == (2,)
    assert wh.con.execute("SELECT count(*) FROM mart.metric_values").fetchone()[0] > 0
