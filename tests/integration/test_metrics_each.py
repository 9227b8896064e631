"""One test per catalogue metric on a small hand-built extract set; the expected figures are
worked out by hand in each test (arithmetic in the comments), each with a suppressed case.

Defaults (tests/helpers/warehouse.py): police records recorded 2023-04-10, extracts as at
2024-03-31, so "FY" below is 2023-24 unless stated. Suppression: counts 1-4 -> small_count;
rates/means/medians on a base < 10 -> small_base; a rate whose numerator is 1-4 -> small_count.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import catalogue

SE = "cps_south_east"
TESTED: set[str] = set()


def covers(metric_id: str):
    TESTED.add(metric_id)
    return lambda fn: fn


def fig(w: Warehouse, metric: str, stat: str, **kw) -> tuple:
    r = w.one(metric, stat, **kw)
    return r["numerator"], r["denominator"], r["value"], r["suppressed"]


def minus(day: date, n: int) -> date:
    return day - timedelta(days=n)


@covers("volume.recorded")
def test_volume_recorded() -> None:
    w = Warehouse()
    w.police("kent", [{}] * 5, current=False)  # an old vintage: must be ignored
    w.police("kent", [{}] * 12)
    w.police("surrey", [{}] * 3)
    w.build()
    # national 12 + 3 = 15; Kent 12; Surrey 3 is a count of 1-4 -> suppressed
    assert fig(w, "volume.recorded", "count") == (15, None, 15, None)
    assert fig(w, "volume.recorded", "count", level="force", org="kent")[2] == 12
    assert fig(w, "volume.recorded", "count", level="force", org="surrey") == (
        None, None, None, "small_count")  # fmt: skip
    assert fig(w, "volume.recorded", "count", level="region", org="south_east")[2] == 15
    assert fig(w, "volume.recorded", "count", period="2023-24-Q1")[2] == 15  # 10 April is Q1
    assert w.values("volume.recorded", level="cps_area", org=SE) == {}  # police metric


@covers("volume.referred")
def test_volume_referred() -> None:
    w = Warehouse()
    w.police("kent", [{"first_referral_date": d("2023-05-01"), "cps_urn": f"u{i}"}
                      for i in range(11)])  # fmt: skip
    w.cps(SE, [{"urn": f"u{i}"} for i in range(11)]
          + [{"police_force_code": "surrey"}] * 2)  # fmt: skip
    w.build()
    # police view: 11 Kent records referred; CPS view: 11 + 2 = 13 received; Surrey 2 -> hidden
    assert fig(w, "volume.referred", "count", breakdown="view=police")[2] == 11
    assert fig(w, "volume.referred", "count", breakdown="view=cps")[2] == 13
    assert fig(w, "volume.referred", "count", level="cps_area", org=SE,
               breakdown="view=cps")[2] == 13  # fmt: skip
    assert fig(w, "volume.referred", "count", level="joint", org="surrey",
               breakdown="view=cps")[3] == "small_count"  # fmt: skip


@covers("volume.charged")
def test_volume_charged() -> None:
    w = Warehouse()
    w.police("kent", [{"cps_urn": f"u{i}", "first_referral_date": d("2023-05-01")}
                      for i in range(6)])  # fmt: skip
    charge = {"decision": "charge", "decision_date": d("2023-08-01")}
    w.cps(SE, [{"urn": f"u{i}", **charge} for i in range(6)]
          + [{"police_force_code": "surrey", **charge}] * 2)  # fmt: skip
    w.build()
    # period: 6 + 2 = 8 charges; cohort: only the 6 linked to a police record recorded in FY
    assert fig(w, "volume.charged", "count")[2] == 8
    assert fig(w, "volume.charged", "count", basis="cohort")[2] == 6
    assert fig(w, "volume.charged", "count", level="cps_area", org=SE)[2] == 8
    assert fig(w, "volume.charged", "count", level="joint", org="kent")[2] == 6
    assert fig(w, "volume.charged", "count", level="joint", org="surrey")[3] == "small_count"


@covers("rate.referral")
def test_rate_referral() -> None:
    w = Warehouse()
    rec = d("2022-05-01")  # FY 2022-23; 12 months later (2023-05-01) is before the as-at date
    rows = [{"recorded_date": rec, "first_referral_date": d("2022-08-01"), "cps_urn": f"a{i}"}
            for i in range(8)]  # fmt: skip
    rows += [{"recorded_date": rec, "first_referral_date": d("2023-06-01"), "cps_urn": f"b{i}"}
             for i in range(2)]  # fmt: skip
    rows += [{"recorded_date": rec}] * 10
    w.police("kent", rows)
    w.police("surrey", [{"recorded_date": rec}] * 4)
    w.build()
    # Kent FY 2022-23 period: 8 referrals dated in the year / 20 recorded = 40.0 per 100
    assert fig(w, "rate.referral", "rate", level="force", org="kent", period="2022-23") == (
        8, 20, 40.0, None)  # fmt: skip
    # cohort 2022-23: 8 of the 20 referred within 12 months (2 took 13 months) = 40.0
    assert fig(w, "rate.referral", "rate", level="force", org="kent", period="2022-23",
               basis="cohort")[:3] == (8, 20, 40.0)  # fmt: skip
    # national period 2022-23: 8 / (20 + 4) = 33.333...
    assert fig(w, "rate.referral", "rate", period="2022-23")[2] == pytest.approx(100 * 8 / 24)
    # Kent FY 2023-24: 2 referrals, 0 recorded -> numerator 2 is a small count
    assert fig(w, "rate.referral", "rate", level="force", org="kent")[3] == "small_count"
    # Surrey: 0 of 4 -> base 4 < 10
    assert fig(w, "rate.referral", "rate", level="force", org="surrey",
               period="2022-23")[3] == "small_base"  # fmt: skip


@covers("rate.police_charge")
def test_rate_police_charge() -> None:
    w = Warehouse()
    out = {"outcome_date": d("2023-06-01")}
    w.police("kent", [{"outcome_code": "1", **out}] * 4 + [{"outcome_code": "1a", **out}]
             + [{"outcome_code": "16", **out}] * 7 + [{}] * 3)  # fmt: skip
    w.police("surrey", [{"outcome_code": "1", **out}] * 2 + [{"outcome_code": "18", **out}])
    w.build()
    # Kent: (4 + 1) charged of 12 outcomes (3 open excluded) = 41.667
    assert fig(w, "rate.police_charge", "rate", level="force", org="kent")[:3] == (
        5, 12, pytest.approx(41.666667))  # fmt: skip
    assert fig(w, "rate.police_charge", "rate", level="force", org="kent",
               basis="cohort")[:2] == (5, 12)  # fmt: skip
    # national: 7 / 15 = 46.667
    assert fig(w, "rate.police_charge", "rate")[2] == pytest.approx(46.666667)
    assert fig(w, "rate.police_charge", "rate", level="force", org="surrey")[3] == "small_base"


@covers("rate.cps_charge")
def test_rate_cps_charge() -> None:
    w = Warehouse()
    dd = {"decision_date": d("2023-08-01")}
    w.cps(SE, [{"decision": "charge", **dd}] * 6 + [{"decision": "nfa", **dd}] * 4
          + [{"decision": "admin_finalised", **dd}] * 2 + [{"decision": "pending"}]
          + [{"police_force_code": "surrey", "decision": "charge", **dd},
             {"police_force_code": "surrey", "decision": "nfa", **dd}])  # fmt: skip
    w.build()
    # Kent (joint): 6 / (6 + 4) = 60.0; admin finalised and pending left out
    assert fig(w, "rate.cps_charge", "rate", level="joint", org="kent")[:3] == (6, 10, 60.0)
    # Area: 7 / 12 = 58.333
    assert fig(w, "rate.cps_charge", "rate", level="cps_area", org=SE)[2] == pytest.approx(
        58.333333)  # fmt: skip
    assert fig(w, "rate.cps_charge", "rate", level="joint", org="surrey")[3] == "small_base"
    assert w.values("rate.cps_charge", level="force", org="kent") == {}  # CPS-side metric


@covers("mix.outcome")
def test_mix_outcome() -> None:
    w = Warehouse()
    out = {"outcome_date": d("2023-06-01")}
    w.police("kent", [{"outcome_code": "1", **out}] * 5 + [{"outcome_code": "16", **out}] * 10
             + [{"outcome_code": "14", **out}] * 2 + [{"outcome_code": "10", **out}]
             + [{}] * 2)  # fmt: skip
    w.build()
    k = {"level": "force", "org": "kent"}
    # period: 18 outcomes; charge 5/18 = 27.778, 16 10/18 = 55.556, 14 2/18 hidden, other 1
    assert fig(w, "mix.outcome", "rate", breakdown="outcome=charge", **k)[:3] == (
        5, 18, pytest.approx(27.777778))  # fmt: skip
    assert fig(w, "mix.outcome", "rate", breakdown="outcome=16", **k)[2] == pytest.approx(
        55.555556)  # fmt: skip
    assert fig(w, "mix.outcome", "rate", breakdown="outcome=14", **k)[3] == "small_count"
    assert fig(w, "mix.outcome", "rate", breakdown="outcome=other", **k)[3] == "small_count"
    # cohort: 20 offences; charge 5/20 = 25.0, 16 10/20 = 50.0, open 2/20 hidden
    assert fig(w, "mix.outcome", "rate", basis="cohort", breakdown="outcome=charge", **k)[
        :3] == (5, 20, 25.0)  # fmt: skip
    assert fig(w, "mix.outcome", "rate", basis="cohort", breakdown="outcome=open", **k)[
        3] == "small_count"  # fmt: skip
    # police NFA outcomes: 16 and 14 -> 12; code 16 is 10/12 = 83.333
    assert fig(w, "mix.outcome", "rate", breakdown="police_nfa_outcome=16", **k)[:3] == (
        10, 12, pytest.approx(83.333333))  # fmt: skip
    assert "open" not in str(w.values("mix.outcome", breakdown="outcome=open"))  # cohort only


@covers("engage.withdrawal")
def test_engage_withdrawal() -> None:
    w = Warehouse()
    out = {"outcome_date": d("2023-06-01")}
    w.police("kent", [{"outcome_code": "14", **out}] * 2 + [{"outcome_code": "16", **out}] * 6
             + [{"outcome_code": "1", **out}] * 4)  # fmt: skip
    w.police("surrey", [{"outcome_code": "16", **out}])
    w.build()
    # Kent: (2 + 6) / 12 = 66.667; Surrey base 1 -> hidden
    assert fig(w, "engage.withdrawal", "rate", level="force", org="kent")[:3] == (
        8, 12, pytest.approx(66.666667))  # fmt: skip
    assert fig(w, "engage.withdrawal", "rate", level="force", org="surrey")[3] == "small_base"


@covers("engage.withdrawal_outset")
def test_engage_withdrawal_outset() -> None:
    w = Warehouse()
    o16 = {"outcome_code": "16", "outcome_date": d("2023-06-01")}
    w.police("kent", [{**o16, "victim_supported_at_outset": False}] * 7
             + [{**o16, "victim_supported_at_outset": True}] * 4 + [o16])  # fmt: skip
    w.build()
    k = {"level": "force", "org": "kent"}
    # 7 of 12 outcome-16 victims did not support from the outset = 58.333
    assert fig(w, "engage.withdrawal_outset", "rate", **k)[:3] == (7, 12, pytest.approx(58.333333))
    # 4 of 12 withdrew later -> numerator 4 -> hidden
    assert fig(w, "engage.withdrawal_outset", "rate", breakdown="when=later", **k)[
        3] == "small_count"  # fmt: skip


@covers("engage.withdrawal_recorded")
def test_engage_withdrawal_recorded() -> None:
    w = Warehouse()
    wd = {"withdrawal_date": d("2023-06-01")}
    full = {**wd, "withdrawal_stage": "investigation", "withdrawal_reason": "time_taken"}
    later16 = {"outcome_code": "16", "outcome_date": d("2023-07-01"),
               "victim_supported_at_outset": True}  # fmt: skip
    w.police("kent", [full] * 6
             + [{**wd, "withdrawal_stage": "investigation", "withdrawal_reason": "u"}]
             + [{**wd, "withdrawal_reason": "fear_of_process"}]
             + [later16] * 4
             + [{"outcome_code": "16", "outcome_date": d("2023-07-01"),
                 "victim_supported_at_outset": False}])  # fmt: skip
    w.police("surrey", [full] * 3)
    w.build()
    # withdrawals: 8 dated + 4 outcome-16-after-support = 12 (the outset refusal is not one);
    # fully recorded: 6 -> 50.0
    assert fig(w, "engage.withdrawal_recorded", "rate", level="force", org="kent")[:3] == (
        6, 12, 50.0)  # fmt: skip
    assert fig(w, "engage.withdrawal_recorded", "rate", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("engage.withdrawal_stage_reason")
def test_engage_withdrawal_stage_reason() -> None:
    w = Warehouse()
    wd = {"withdrawal_date": d("2023-06-01")}
    later16 = {"outcome_code": "16", "outcome_date": d("2023-07-01"),
               "victim_supported_at_outset": True}  # fmt: skip
    w.police("kent", [{**wd, "withdrawal_stage": "investigation",
                       "withdrawal_reason": "time_taken"}] * 6
             + [{**wd, "withdrawal_stage": "before_account",
                 "withdrawal_reason": "fear_of_process"}] * 5
             + [{**wd, "withdrawal_stage": "awaiting_cps", "withdrawal_reason": "u"}]
             + [later16] * 4
             + [{"outcome_code": "16", "outcome_date": d("2023-07-01"),
                 "victim_supported_at_outset": False}]
             + [{}] * 3)  # fmt: skip
    w.police("surrey", [{**wd, "withdrawal_stage": "after_charge",
                         "withdrawal_reason": "other"}] * 3)  # fmt: skip
    w.build()
    m, k = "engage.withdrawal_stage_reason", {"level": "force", "org": "kent"}
    # Kent withdrawals: 12 dated + 4 outcome-16-after-support = 16 (the outset refusal and the
    # 3 without a withdrawal are not withdrawals).
    # stage: investigation 6/16 = 37.5; before_account 5/16 = 31.25; awaiting_cps 1 and
    # not recorded 4 (the outcome-16 ones) are counts of 1-4 -> hidden
    assert fig(w, m, "rate", breakdown="stage=investigation", **k) == (6, 16, 37.5, None)
    assert fig(w, m, "rate", breakdown="stage=before_account", **k)[:3] == (5, 16, 31.25)
    assert fig(w, m, "rate", breakdown="stage=awaiting_cps", **k)[3] == "small_count"
    assert fig(w, m, "rate", breakdown="stage=not_recorded", **k)[3] == "small_count"
    # after_charge is only Surrey's: Kent's share is a published 0 of 16, not suppressed
    assert fig(w, m, "rate", breakdown="stage=after_charge", **k) == (0, 16, 0.0, None)
    # reason: time_taken 6/16 = 37.5; "u" (1) and none (4) are not recorded: 5/16 = 31.25
    assert fig(w, m, "rate", breakdown="reason=time_taken", **k)[:3] == (6, 16, 37.5)
    assert fig(w, m, "rate", breakdown="reason=not_recorded", **k)[:3] == (5, 16, 31.25)
    assert w.values(m, breakdown="reason=u", **k) == {}
    # cohort: all recorded 10 April 2023, so the same 16
    assert fig(w, m, "rate", basis="cohort", breakdown="reason=fear_of_process", **k)[:3] == (
        5, 16, 31.25)  # fmt: skip
    # national: 16 + 3 = 19; investigation 6/19 = 31.579; Surrey's base 3 -> hidden
    assert fig(w, m, "rate", breakdown="stage=investigation")[:3] == (
        6, 19, pytest.approx(31.578947))  # fmt: skip
    assert fig(w, m, "rate", level="force", org="surrey", breakdown="reason=other")[
        3] == "small_base"  # fmt: skip
    assert w.values(m, **k) == {}  # shares only: no all-cases row


@covers("engage.isva")
def test_engage_isva() -> None:
    w = Warehouse()
    w.police("kent", [{"isva_referral": True}] * 7 + [{"isva_referral": False}] * 3 + [{}] * 2)
    w.police("surrey", [{"isva_referral": True}] * 6)
    w.build()
    # Kent 7 / 12 = 58.333 (empty counts as not referred); Surrey base 6 -> hidden
    assert fig(w, "engage.isva", "rate", level="force", org="kent")[:3] == (
        7, 12, pytest.approx(58.333333))  # fmt: skip
    assert fig(w, "engage.isva", "rate", level="force", org="surrey")[3] == "small_base"
    assert fig(w, "engage.isva", "rate")[:2] == (13, 18)


@covers("engage.contract")
def test_engage_contract() -> None:
    w = Warehouse()
    w.police("kent", [{"victim_contact_contract": True}] * 9 + [{}] * 6)
    w.police("surrey", [{"victim_contact_contract": True}] * 2 + [{}] * 9)
    w.build()
    # Kent 9 / 15 = 60.0; Surrey 2 / 11: numerator 2 -> hidden
    assert fig(w, "engage.contract", "rate", level="force", org="kent")[:3] == (9, 15, 60.0)
    assert fig(w, "engage.contract", "rate", level="force", org="surrey")[3] == "small_count"


@covers("engage.nfa_informed")
def test_engage_nfa_informed() -> None:
    w = Warehouse()
    o16 = {"outcome_code": "16", "outcome_date": d("2023-06-01")}
    told = {**o16, "victim_informed_date": d("2023-06-02")}
    # three outcome-15 records whose CPS decision was NFA are CPS NFAs, not police NFAs
    cps_nfa = [{"outcome_code": "15", "outcome_date": d("2023-09-01"), "cps_urn": f"n{i}",
                "first_referral_date": d("2023-05-01")} for i in range(3)]  # fmt: skip
    w.police("kent", [told] * 10 + [o16] * 2 + cps_nfa)
    w.cps(SE, [{"urn": f"n{i}", "decision": "nfa", "decision_date": d("2023-08-01")}
               for i in range(3)])  # fmt: skip
    w.police("surrey", [told] * 4)
    w.build()
    # Kent: 10 told / 12 police NFA = 83.333 (with the CPS NFAs it would be 10/15)
    assert fig(w, "engage.nfa_informed", "rate", level="force", org="kent")[:3] == (
        10, 12, pytest.approx(83.333333))  # fmt: skip
    assert fig(w, "engage.nfa_informed", "rate", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("engage.vrr_informed")
def test_engage_vrr_informed() -> None:
    w = Warehouse()
    o18 = {"outcome_code": "18", "outcome_date": d("2023-06-01")}
    w.police("kent", [{**o18, "vrr_informed": True}] * 9 + [{**o18, "vrr_informed": False}] * 3)
    w.police("surrey", [o18] * 4)
    w.build()
    # Kent 9 / 12 = 75.0; Surrey base 4 -> hidden
    assert fig(w, "engage.vrr_informed", "rate", level="force", org="kent")[:3] == (9, 12, 75.0)
    assert fig(w, "engage.vrr_informed", "rate", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("engage.vrr_takeup")
def test_engage_vrr_takeup() -> None:
    w = Warehouse()
    o16 = {"outcome_code": "16", "outcome_date": d("2023-06-01")}
    w.police("kent", [{**o16, "vrr_requested": True}] * 2 + [o16] * 8)
    nfa = {"decision": "nfa", "decision_date": d("2023-08-01")}
    w.cps(SE, [{**nfa, "vrr_requested": True}] * 3 + [nfa] * 7)
    w.build()
    j = {"level": "joint", "org": "kent"}
    # joint Kent: (2 police + 3 CPS) / (10 + 10) = 25.0
    assert fig(w, "engage.vrr_takeup", "rate", **j)[:3] == (5, 20, 25.0)
    # split: police 2/10 and CPS 3/10 -> numerators 2 and 3 hidden
    assert fig(w, "engage.vrr_takeup", "rate", breakdown="decision_by=police", **j)[
        3] == "small_count"  # fmt: skip
    assert fig(w, "engage.vrr_takeup", "rate", breakdown="decision_by=cps", **j)[
        3] == "small_count"  # fmt: skip
    assert fig(w, "engage.vrr_takeup", "rate")[2] == 25.0


@covers("engage.cps_letter_24h")
def test_engage_cps_letter_24h() -> None:
    w = Warehouse()
    dec = d("2023-08-01")
    nfa = {"decision": "nfa", "decision_date": dec}
    w.cps(SE, [{**nfa, "victim_letter_date": dec}] * 4
          + [{**nfa, "victim_letter_date": dec + timedelta(days=1)}] * 3
          + [{**nfa, "victim_letter_date": dec + timedelta(days=3)}] * 2 + [nfa]
          + [{**nfa, "police_force_code": "surrey", "victim_letter_date": dec}] * 2)  # fmt: skip
    w.build()
    # Kent: same day 4 + next day 3 = 7 of 10 = 70.0 (3 days late and no letter are not)
    assert fig(w, "engage.cps_letter_24h", "rate", level="joint", org="kent")[:3] == (
        7, 10, 70.0)  # fmt: skip
    assert fig(w, "engage.cps_letter_24h", "rate", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("time.report_to_police_nfa")
def test_time_report_to_police_nfa() -> None:
    w = Warehouse()
    out = d("2023-06-01")
    spec = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    non = [200, 210, 400]
    w.police("kent",
             [{"outcome_code": "16", "outcome_date": out, "recorded_date": minus(out, n),
               "team_type": "specialist"} for n in spec]
             + [{"outcome_code": "18", "outcome_date": out, "recorded_date": minus(out, n),
                 "team_type": "non_specialist"} for n in non])  # fmt: skip
    w.build()
    k = {"level": "force", "org": "kent"}
    # all 13: mean (550 + 810) / 13 = 104.615; median = 7th of 13 sorted = 70
    assert fig(w, "time.report_to_police_nfa", "mean", **k)[1:3] == (
        13, pytest.approx(1360 / 13, abs=1e-6))  # fmt: skip
    assert fig(w, "time.report_to_police_nfa", "median", **k)[2] == 70
    # specialist: mean 550/10 = 55, median (50 + 60) / 2 = 55
    assert fig(w, "time.report_to_police_nfa", "mean", breakdown="team_type=specialist", **k)[
        1:3] == (10, 55.0)  # fmt: skip
    assert fig(w, "time.report_to_police_nfa", "median", breakdown="team_type=specialist",
               **k)[2] == 55.0  # fmt: skip
    # non-specialist: only 3 cases -> hidden
    assert fig(w, "time.report_to_police_nfa", "mean", breakdown="team_type=non_specialist",
               **k)[3] == "small_base"  # fmt: skip


@covers("time.report_to_referral")
def test_time_report_to_referral() -> None:
    w = Warehouse()
    ref = d("2023-06-01")
    w.police("kent", [{"first_referral_date": ref, "recorded_date": minus(ref, n),
                       "cps_urn": f"u{n}"} for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]])  # fmt: skip
    w.police("surrey", [{"first_referral_date": ref, "cps_urn": "s1"}] * 2)
    w.build()
    k = {"level": "force", "org": "kent"}
    # mean 145 / 10 = 14.5; median (5 + 6) / 2 = 5.5
    assert fig(w, "time.report_to_referral", "mean", **k)[1:3] == (10, 14.5)
    assert fig(w, "time.report_to_referral", "median", **k)[2] == 5.5
    # sd from the sums: sqrt((10285 - 145^2 / 10) / 9) = sqrt(909.1667) = 30.152391 (the
    # change test's spread); a median row has none
    assert w.one("time.report_to_referral", "mean", **k)["sd"] == pytest.approx(30.152391)
    assert w.one("time.report_to_referral", "median", **k)["sd"] is None
    assert fig(w, "time.report_to_referral", "median", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("time.referral_to_cps_decision")
def test_time_referral_to_cps_decision() -> None:
    w = Warehouse()
    dec = d("2023-09-01")
    spans = [10, 20, 30, 40, 50, 60, 70, 80, 90, 500]
    w.cps(
        SE,
        [
            {
                "decision": "charge" if i < 6 else "nfa",
                "decision_date": dec,
                "received_date": minus(dec, n),
            }
            for i, n in enumerate(spans)
        ]
        + [{"decision": "admin_finalised", "decision_date": dec, "received_date": minus(dec, 5)}]
        * 2
        + [{"police_force_code": "surrey", "decision": "charge", "decision_date": dec}],
    )
    w.build()
    k = {"level": "joint", "org": "kent"}
    # charging decisions only: mean 950 / 10 = 95.0; median (50 + 60) / 2 = 55.0
    assert fig(w, "time.referral_to_cps_decision", "mean", **k)[1:3] == (10, 95.0)
    assert fig(w, "time.referral_to_cps_decision", "median", **k)[2] == 55.0
    # Area adds Surrey's one decision (received 2023-05-01 -> 123 days): 11 decisions
    assert fig(w, "time.referral_to_cps_decision", "mean", level="cps_area", org=SE)[1] == 11
    assert fig(w, "time.referral_to_cps_decision", "mean", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("time.report_to_cps_nfa")
def test_time_report_to_cps_nfa() -> None:
    w = Warehouse()
    dec = d("2023-09-01")
    spans = [100, 200, 300, 400, 500, 600, 700, 800, 900, 2000]
    w.police("kent", [{"recorded_date": minus(dec, n), "cps_urn": f"u{n}",
                       "first_referral_date": minus(dec, 50)} for n in spans])  # fmt: skip
    w.cps(
        SE,
        [{"urn": f"u{n}", "decision": "nfa", "decision_date": dec} for n in spans]
        + [{"decision": "nfa", "decision_date": dec}],
    )  # unlinked: no recorded date
    w.build()
    k = {"level": "joint", "org": "kent"}
    # mean 6500 / 10 = 650; median (500 + 600) / 2 = 550
    assert fig(w, "time.report_to_cps_nfa", "mean", **k)[1:3] == (10, 650.0)
    assert fig(w, "time.report_to_cps_nfa", "median", **k)[2] == 550.0
    # cohort 2023-24: only the 100-day case was recorded in 2023-24 -> base 1 hidden
    assert fig(w, "time.report_to_cps_nfa", "mean", basis="cohort", **k)[3] == "small_base"


@covers("quality.early_advice")
def test_quality_early_advice() -> None:
    w = Warehouse()
    ref = {"first_referral_date": d("2023-05-01")}
    rows = ([{**ref, "early_advice": "sought"}] * 5
            + [{**ref, "early_advice": "not_sought"}]  # CPS says early advice: sought
            + [{**ref, "early_advice": "not_sought", "early_advice_reason": "clear case"}] * 3
            + [{**ref, "early_advice": "not_sought"}] * 2 + [ref])  # fmt: skip
    rows = [{**r, "cps_urn": f"u{i}"} for i, r in enumerate(rows)]
    w.police("kent", rows)
    w.cps(SE, [{"urn": f"u{i}", "decision": "nfa", "decision_date": d("2023-08-01"),
                "referral_type": "early_advice" if i == 5 else "charging_decision"}
               for i in range(12)])  # fmt: skip
    w.police("surrey", [{**ref, "early_advice": "sought"}] * 3)
    w.build()
    k = {"level": "force", "org": "kent"}
    # sought: 5 (police) + 1 (CPS early-advice referral) = 6 of 12 referred = 50.0
    assert fig(w, "quality.early_advice", "rate", **k)[:3] == (6, 12, 50.0)
    # considered: 6 sought + 3 with a reason = 9 / 12 = 75.0
    assert fig(w, "quality.early_advice", "rate", breakdown="measure=considered", **k)[
        :3] == (9, 12, 75.0)  # fmt: skip
    assert fig(w, "quality.early_advice", "rate", breakdown="cps_decision=nfa", **k)[:2] == (
        6, 12)  # fmt: skip
    assert fig(w, "quality.early_advice", "rate", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.file_standard")
def test_quality_file_standard() -> None:
    w = Warehouse()
    w.cps(SE, [{"file_standard_met": True}] * 8 + [{"file_standard_met": False}] * 3 + [{}]
          + [{"police_force_code": "surrey", "file_standard_met": True}] * 2)  # fmt: skip
    w.build()
    # Kent 8 met / 11 assessed = 72.727; Area 10 / 13 = 76.923; Surrey base 2 -> hidden
    assert fig(w, "quality.file_standard", "rate", level="force", org="kent")[:3] == (
        8, 11, pytest.approx(72.727273))  # fmt: skip
    assert fig(w, "quality.file_standard", "rate", level="cps_area", org=SE)[
        2] == pytest.approx(76.923077)  # fmt: skip
    assert fig(w, "quality.file_standard", "rate", level="force", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.action_plans")
def test_quality_action_plans() -> None:
    w = Warehouse()
    counts = [0, 1, 1, 2, 2, 2, 3, 4, 5, 0]
    w.cps(SE, [{"urn": f"u{i}"} for i in range(10)]
          + [{"urn": "s1", "police_force_code": "surrey"}])  # fmt: skip
    w.plans(SE, [{"urn": f"u{i}", "plan_no": p} for i, c in enumerate(counts)
                 for p in range(1, c + 1)] + [{"urn": "s1", "plan_no": 1}])  # fmt: skip
    w.build()
    j = {"level": "joint", "org": "kent"}
    # 20 plans over 10 referrals = 2.0 a referral
    assert fig(w, "quality.action_plans", "mean", **j)[1:3] == (10, 2.0)
    # more than one plan: counts 2,2,2,3,4,5 -> 6 / 10 = 60.0; more than three: 2 -> hidden
    assert fig(w, "quality.action_plans", "rate", breakdown="plans=more_than_1", **j)[
        :3] == (6, 10, 60.0)  # fmt: skip
    assert fig(w, "quality.action_plans", "rate", breakdown="plans=more_than_3", **j)[
        3] == "small_count"  # fmt: skip
    assert fig(w, "quality.action_plans", "mean", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.action_plan_target")
def test_quality_action_plan_target() -> None:
    w = Warehouse()
    w.cps(SE, [{"urn": "u1"}, {"urn": "s1", "police_force_code": "surrey"}])
    w.plans(SE, [{"urn": "u1", "plan_no": i, "target_date": d("2023-07-01") if i <= 9 else None}
                 for i in range(1, 13)]
            + [{"urn": "s1", "plan_no": i, "target_date": d("2023-07-01")}
               for i in range(1, 4)])  # fmt: skip
    w.build()
    # Kent: 9 of 12 plans with a target = 75.0; Surrey base 3 -> hidden
    assert fig(w, "quality.action_plan_target", "rate", level="joint", org="kent")[:3] == (
        9, 12, 75.0)  # fmt: skip
    assert fig(w, "quality.action_plan_target", "rate", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.late_response")
def test_quality_late_response() -> None:
    w = Warehouse()
    t = d("2023-07-01")
    w.cps(SE, [{"urn": "u1"}])
    plans = ([{"target_date": t, "response_date": d("2023-07-10")}] * 3  # late
             + [{"target_date": t}] * 2  # unanswered past the target
             + [{"target_date": t, "response_date": d("2023-06-20")}] * 5  # on time
             + [{"target_date": d("2024-05-01")}]  # not yet due at the as-at date
             + [{}])  # no target date  # fmt: skip
    w.plans(SE, [{"urn": "u1", "plan_no": i, **p} for i, p in enumerate(plans, start=1)])
    w.build()
    # due: 10; late or unanswered: 3 + 2 = 5 -> 50.0
    assert fig(w, "quality.late_response", "rate", level="force", org="kent")[:3] == (
        5, 10, 50.0)  # fmt: skip
    # quarter 2023-24-Q2 (target 1 July): same 10
    assert fig(w, "quality.late_response", "rate", level="cps_area", org=SE,
               period="2023-24-Q2")[:2] == (5, 10)  # fmt: skip
    # no plan was due in Q1 -> no row at all
    assert w.values("quality.late_response", level="force", org="kent", period="2023-24-Q1") == {}
    w2 = Warehouse()
    w2.cps(SE, [{"urn": "u1"}])
    w2.plans(SE, [{"urn": "u1", "plan_no": i, "target_date": t} for i in range(1, 4)])
    w2.build()
    assert fig(w2, "quality.late_response", "rate", level="force", org="kent")[
        3] == "small_base"  # fmt: skip


@covers("quality.admin_finalised")
def test_quality_admin_finalised() -> None:
    w = Warehouse()
    dd = {"decision_date": d("2023-08-01")}
    w.cps(
        SE,
        [{"decision": "charge", **dd}] * 6
        + [{"decision": "nfa", **dd}] * 2
        + [{"decision": "admin_finalised", **dd}] * 5
        + [{"decision": "other", **dd}]
        + [{"decision": "pending"}] * 2
        + [{"police_force_code": "surrey", "decision": "admin_finalised", **dd}],
    )
    w.build()
    # Kent: 5 / (6 + 2 + 5 + 1) = 5 / 14 = 35.714; pending are not decisions
    assert fig(w, "quality.admin_finalised", "rate", level="joint", org="kent")[:3] == (
        5, 14, pytest.approx(35.714286))  # fmt: skip
    assert fig(w, "quality.admin_finalised", "rate", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.meeting_before_nfa")
def test_quality_meeting_before_nfa() -> None:
    w = Warehouse()
    nfa = {"decision": "nfa", "decision_date": d("2023-08-01")}
    w.cps(
        SE,
        [{**nfa, "face_to_face_before_nfa": True}] * 9
        + [{**nfa, "face_to_face_before_nfa": False}] * 2
        + [nfa]
        + [{**nfa, "police_force_code": "surrey", "face_to_face_before_nfa": True}],
    )
    w.build()
    # Kent 9 / 12 = 75.0 (empty counts as no meeting); Surrey base 1 -> hidden
    assert fig(w, "quality.meeting_before_nfa", "rate", level="joint", org="kent")[:3] == (
        9, 12, 75.0)  # fmt: skip
    assert fig(w, "quality.meeting_before_nfa", "rate", level="joint", org="surrey")[
        3] == "small_base"  # fmt: skip


@covers("quality.linkage")
def test_quality_linkage() -> None:
    w = Warehouse()
    ref = {"first_referral_date": d("2023-05-01")}
    w.police("kent", [{**ref, "cps_urn": f"u{i}"} for i in range(9)]
             + [{**ref, "crime_ref": "kent-cr-x"}])  # linked by crime reference  # fmt: skip
    w.police("surrey", [{"crime_ref": "surrey-cr-y"}])
    w.cps(SE, [{"urn": f"u{i}"} for i in range(9)]
          + [{"crime_ref": "kent-cr-x"}]
          + [{}] * 2  # no match
          + [{"crime_ref": "surrey-cr-y"}]  # names Kent, but the crime ref is Surrey's
          + [{"police_force_code": "surrey"}] * 3)  # fmt: skip
    w.build()
    # Kent: 9 by URN + 1 by crime ref = 10 linked of 13 = 76.923
    assert fig(w, "quality.linkage", "rate", level="joint", org="kent")[:3] == (
        10, 13, pytest.approx(76.923077))  # fmt: skip
    assert fig(w, "quality.linkage", "rate", level="joint", org="surrey")[3] == "small_base"
    links = w.con.execute(
        "SELECT link_method, count(*) FROM temp.cases WHERE link_method IS NOT NULL "
        "GROUP BY ALL ORDER BY 1").fetchall()  # fmt: skip
    assert links == [("crime_ref", 1), ("urn", 9)]


@covers("equality.recorded")
def test_equality_recorded() -> None:
    w = Warehouse()
    rows = [{} for _ in range(12)]
    for i in (0, 1, 2):
        rows[i]["victim_ethnicity"] = "u"
    for i in (2, 3):
        rows[i]["victim_disability"] = None
    rows[4]["victim_sexual_orientation"] = "u"
    w.police("kent", rows)
    w.police("surrey", [{}] * 5)
    w.build()
    k = {"level": "force", "org": "kent"}
    # something missing in rows 0-4 -> all three recorded in 7 / 12 = 58.333
    assert fig(w, "equality.recorded", "rate", **k)[:3] == (7, 12, pytest.approx(58.333333))
    # ethnicity 9/12 = 75; disability 10/12 = 83.333; sexual orientation 11/12 = 91.667
    assert fig(w, "equality.recorded", "rate", breakdown="characteristic=ethnicity", **k)[
        2] == 75.0  # fmt: skip
    assert fig(w, "equality.recorded", "rate", breakdown="characteristic=disability", **k)[
        2] == pytest.approx(83.333333)  # fmt: skip
    assert fig(w, "equality.recorded", "rate",
               breakdown="characteristic=sexual_orientation", **k)[2] == pytest.approx(
        91.666667)  # fmt: skip
    assert fig(w, "equality.recorded", "rate", level="force", org="surrey")[3] == "small_base"


@covers("equality.outcomes")
def test_equality_outcomes() -> None:
    w = Warehouse()
    out = d("2023-06-01")
    f_rows = [
        {
            "outcome_code": "1" if i < 5 else "16",
            "outcome_date": out,
            "recorded_date": minus(out, 10 if i < 7 else 40),
        }
        for i in range(12)
    ]
    m_rows = [{"victim_sex": "m", "outcome_code": "1" if i < 1 else "18", "outcome_date": out}
              for i in range(3)]  # fmt: skip
    w.police("kent", f_rows + m_rows)
    w.build()
    k = {"level": "force", "org": "kent"}
    # female victims: 5 charged / 12 outcomes = 41.667
    assert fig(w, "equality.outcomes", "rate", breakdown="sex=f", **k)[:3] == (
        5, 12, pytest.approx(41.666667))  # fmt: skip
    # days to outcome: seven at 10, five at 40 -> mean 270/12 = 22.5, median (10+10)/2 = 10
    assert fig(w, "equality.outcomes", "mean", breakdown="sex=f", **k)[2] == 22.5
    assert fig(w, "equality.outcomes", "median", breakdown="sex=f", **k)[2] == 10.0
    # male victims: 3 outcomes -> hidden; age band 25-34 holds all 15: 6/15 = 40.0
    assert fig(w, "equality.outcomes", "rate", breakdown="sex=m", **k)[3] == "small_base"
    assert fig(w, "equality.outcomes", "rate", breakdown="age_band=25-34", **k)[:3] == (
        6, 15, 40.0)  # fmt: skip


@covers("workforce.rasso_capacity")
def test_workforce_rasso_capacity() -> None:
    w = Warehouse()
    w.police("kent", [{}] * 60)
    w.police("surrey", [{}] * 10)  # no workforce return: not in the rate's denominator
    w.workforce("kent", [{"financial_year": "2023-24", "rasso_investigators_qualified": 30,
                          "ssaidp_attendance": 12, "detective_vacancies": 3}])  # fmt: skip
    w.build()
    k = {"level": "force", "org": "kent"}
    # 30 qualified investigators per 60 offences = 50.0 per 100
    assert fig(w, "workforce.rasso_capacity", "rate", **k)[:3] == (30, 60, 50.0)
    assert fig(w, "workforce.rasso_capacity", "rate")[:3] == (30, 60, 50.0)
    assert fig(w, "workforce.rasso_capacity", "count", breakdown="measure=ssaidp_attendance",
               **k)[2] == 12  # fmt: skip
    assert fig(w, "workforce.rasso_capacity", "count",
               breakdown="measure=detective_vacancies", **k)[3] == "small_count"  # fmt: skip
    assert w.values("workforce.rasso_capacity", period="2023-24-Q1") == {}  # years only
    funnel = w.one("workforce.rasso_capacity", "rate", **k)
    assert funnel["lower_998"] is None  # not a proportion: no funnel


@covers("workforce.joint_training")
def test_workforce_joint_training() -> None:
    w = Warehouse()
    w.workforce("kent", [{"financial_year": "2023-24", "joint_trauma_training_staff": 25}])
    w.workforce("surrey", [{"financial_year": "2023-24", "joint_trauma_training_staff": 3}])
    w.workforce(SE, [{"financial_year": "2023-24", "joint_trauma_training_staff": 15}])
    w.build()
    # national 25 + 3 + 15 = 43; region: forces only, 25 + 3 = 28; Area 15; Surrey 3 hidden
    assert fig(w, "workforce.joint_training", "count")[2] == 43
    assert fig(w, "workforce.joint_training", "count", level="region", org="south_east")[
        2] == 28  # fmt: skip
    assert fig(w, "workforce.joint_training", "count", level="cps_area", org=SE)[2] == 15
    assert fig(w, "workforce.joint_training", "count", level="joint", org="kent")[2] == 25
    assert fig(w, "workforce.joint_training", "count", level="force", org="surrey")[
        3] == "small_count"  # fmt: skip


WX = "cps_wessex"


def _court_nation() -> Warehouse:
    """Stage three, worked by hand below. Kent (CPS South East, which sent court outcomes):
    20 offences recorded 2023-04-10, 14 referred (u0-u13), 12 charged 2023-06-01 (u0-u11),
    2 NFA. Court rows for the 12 charges: u0-u9 completed - u0-u4 convicted of rape, u5-u6 of
    another offence, u7 acquitted, u8 discontinued with the victim withdrawing, u9
    discontinued (withdrawal not recorded); u10 has a trial listed after the extract date,
    u11 is awaiting trial. Days to completion: u0-u5 100, u6-u9 250. Days to first hearing:
    u0-u7 30, u8-u11 60. Trials started (u0-u7 2023-08-01, u8-u9 2023-10-02): ISVA at u0-u5,
    special measures at u0-u7. Ineffective trials: u0-u3 one each, u4 two.
    Hampshire (CPS Wessex, v1.0 sender: no court file): 10 offences recorded, referred and
    charged - its stage three is not yet sent.
    """
    w = Warehouse()
    ref = {"first_referral_date": d("2023-05-01")}
    w.police("kent", [{"cps_urn": f"u{i}", **ref} for i in range(14)] + [{}] * 6)
    charge = {"decision": "charge", "decision_date": d("2023-06-01")}
    w.cps(SE, [{"urn": f"u{i}", **charge} for i in range(12)]
          + [{"urn": f"u{i}", "decision": "nfa", "decision_date": d("2023-06-01")}
             for i in (12, 13)])  # fmt: skip
    outcomes = ["convicted_rape"] * 5 + ["convicted_other"] * 2 + ["acquitted"]
    outcomes += ["discontinued", "discontinued"]
    charged = d("2023-06-01")
    rows: list[dict] = []
    for i in range(12):
        row: dict = {
            "urn": f"u{i}",
            "charge_date": charged,
            "first_hearing_date": charged + timedelta(days=30 if i < 8 else 60),
        }
        if i < 10:
            row["completion_date"] = charged + timedelta(days=100 if i < 6 else 250)
            row["outcome"] = outcomes[i]
            row["trial_start_date"] = d("2023-08-01") if i < 8 else d("2023-10-02")
            row["isva_at_trial"] = True if i < 6 else (False if i == 6 else None)
            row["special_measures"] = i < 8
            row["ineffective_trials"] = (1, 1, 1, 1, 2)[i] if i < 5 else 0
        if i == 8:
            row["victim_withdrew_after_charge"] = True
        if i == 10:
            row["trial_start_date"] = d("2024-06-01")  # listed: not a trial yet
        rows.append(row)  # fmt: skip
    w.court(SE, rows)
    w.police("hampshire", [{"cps_urn": f"h{i}", **ref} for i in range(10)])
    w.cps(WX, [{"urn": f"h{i}", "police_force_code": "hampshire", **charge}
               for i in range(10)])  # fmt: skip
    w.build()
    return w


def _not_sent(w: Warehouse, metric: str) -> None:
    """Wessex sent no court outcomes: no figure at all for the Area or Hampshire (never a
    zero), and mart.court_coverage publishes that it has not sent, for the Area and its
    forces (South East and Kent have: as at 2024-03-31)."""
    assert w.values(metric, level="cps_area", org=WX) == {}
    assert w.values(metric, level="joint", org="hampshire") == {}
    cov = {
        (lv, org): (sent, as_at)
        for lv, org, sent, as_at in w.con.execute(
            "SELECT level, org_code, sent, court_as_at FROM mart.court_coverage"
        ).fetchall()
    }
    assert cov[("cps_area", WX)] == (False, None)
    assert cov[("force", "hampshire")] == (False, None)
    assert cov[("cps_area", SE)] == (True, d("2024-03-31"))
    assert cov[("force", "kent")] == (True, d("2024-03-31"))


def _internal(w: Warehouse, metric: str, stat: str, **kw: str) -> tuple:
    """(numerator, denominator, value) before disclosure control."""
    where = {"level": "national", "org_code": "national", "period": "2023-24",
             "basis": "period", "breakdown": "", **kw}  # fmt: skip
    sql = ("SELECT numerator, denominator, value FROM temp.metric_values_internal "
           "WHERE metric_id = ? AND stat = ? AND "
           + " AND ".join(f"{k} = ?" for k in where))  # fmt: skip
    row = w.con.execute(sql, [metric, stat, *where.values()]).fetchone()
    assert row is not None
    return tuple(row)


@covers("volume.completed")
def test_volume_completed() -> None:
    w = _court_nation()
    # u0-u9 completed in FY 2023-24 (100 or 250 days after 2023-06-01): 10; successful
    # (convicted of rape or another offence) u0-u6: 7. National = South East only (Wessex
    # has not sent), so the same 10 and 7.
    assert fig(w, "volume.completed", "count")[2] == 10
    assert fig(w, "volume.completed", "count", breakdown="result=successful")[2] == 7
    assert fig(w, "volume.completed", "count", level="cps_area", org=SE)[2] == 10
    assert fig(w, "volume.completed", "count", level="joint", org="kent",
               basis="cohort")[2] == 10  # offences recorded 2023-04-10  # fmt: skip
    assert fig(w, "volume.completed", "count", level="region", org="south_east")[2] == 10
    # by quarter: completions 2023-09-09 (u0-u5, Q2: 6) and 2024-02-06 (u6-u9, Q4: 4 hidden)
    assert fig(w, "volume.completed", "count", period="2023-24-Q2")[2] == 6
    assert fig(w, "volume.completed", "count", period="2023-24-Q4")[3] == "small_count"
    _not_sent(w, "volume.completed")


@covers("rate.conviction")
def test_rate_conviction() -> None:
    w = _court_nation()
    # 7 successful of 10 completed = 70.0, both bases; national and region cover South East
    assert fig(w, "rate.conviction", "rate") == (7, 10, 70.0, None)
    assert fig(w, "rate.conviction", "rate", basis="cohort")[:3] == (7, 10, 70.0)
    assert fig(w, "rate.conviction", "rate", level="cps_area", org=SE)[:3] == (7, 10, 70.0)
    assert fig(w, "rate.conviction", "rate", level="region", org="south_east")[2] == 70.0
    # Q4 completions: u6 convicted of another offence, u7-u9 not: 1 of 4 -> hidden
    assert fig(w, "rate.conviction", "rate", period="2023-24-Q4")[3] in (
        "small_count", "small_base")  # fmt: skip
    _not_sent(w, "rate.conviction")


@covers("time.charge_to_completion")
def test_time_charge_to_completion() -> None:
    w = _court_nation()
    # six at 100 days, four at 250: mean 1600/10 = 160; median (5th + 6th)/2 = 100
    assert fig(w, "time.charge_to_completion", "mean")[2:] == (160.0, None)
    assert fig(w, "time.charge_to_completion", "median")[1:] == (10, 100.0, None)
    assert fig(w, "time.charge_to_completion", "mean", level="force", org="kent",
               basis="cohort")[2] == 160.0  # fmt: skip
    assert fig(w, "time.charge_to_completion", "median", level="cps_area", org=SE)[2] == 100.0
    # Q4: four completions -> base 4 < 10
    assert fig(w, "time.charge_to_completion", "mean", period="2023-24-Q4")[3] == "small_base"
    _not_sent(w, "time.charge_to_completion")
    assert w.values("time.charge_to_completion", level="force", org="hampshire") == {}


@covers("time.charge_to_first_hearing")
def test_time_charge_to_first_hearing() -> None:
    w = _court_nation()
    # twelve first hearings: eight at 30 days, four at 60: mean 480/12 = 40; median 30
    assert fig(w, "time.charge_to_first_hearing", "mean")[1:3] == (12, 40.0)
    assert fig(w, "time.charge_to_first_hearing", "median")[2] == 30.0
    assert fig(w, "time.charge_to_first_hearing", "median", basis="cohort")[2] == 30.0
    # by quarter of the first hearing: 2023-07-01 (8) and 2023-07-31 (4) are both Q2 -> 12
    assert fig(w, "time.charge_to_first_hearing", "mean", period="2023-24-Q2")[2] == 40.0
    _not_sent(w, "time.charge_to_first_hearing")


@covers("engage.withdrawal_after_charge")
def test_engage_withdrawal_after_charge() -> None:
    w = _court_nation()
    # u8 discontinued with the victim withdrawing; u9 discontinued, flag empty (not counted):
    # 1 of 10 = 10.0 - a numerator of 1 is hidden everywhere it is published
    assert _internal(w, "engage.withdrawal_after_charge", "rate") == (1, 10, 10.0)
    assert fig(w, "engage.withdrawal_after_charge", "rate")[3] == "small_count"
    assert _internal(w, "engage.withdrawal_after_charge", "rate", level="joint",
                     org_code="kent", basis="cohort") == (1, 10, 10.0)  # fmt: skip
    _not_sent(w, "engage.withdrawal_after_charge")


@covers("engage.support_at_trial")
def test_engage_support_at_trial() -> None:
    w = _court_nation()
    # trials started by the extract date: u0-u9 (u10's is listed for 2024-06-01): 10.
    # ISVA: u0-u5 yes, u6 no, u7-u9 empty (no) -> 6/10 = 60.0; special measures u0-u7 = 80.0
    assert fig(w, "engage.support_at_trial", "rate") == (6, 10, 60.0, None)
    assert fig(w, "engage.support_at_trial", "rate",
               breakdown="support=special_measures")[:3] == (8, 10, 80.0)  # fmt: skip
    assert fig(w, "engage.support_at_trial", "rate", level="joint", org="kent",
               basis="cohort")[:3] == (6, 10, 60.0)  # fmt: skip
    # by quarter of the trial's start: Q2 (2023-08-01, u0-u7) 6 of 8 -> base 8 < 10, hidden
    assert fig(w, "engage.support_at_trial", "rate", period="2023-24-Q2")[3] == "small_base"
    _not_sent(w, "engage.support_at_trial")


@covers("quality.ineffective_trials")
def test_quality_ineffective_trials() -> None:
    w = _court_nation()
    # ineffective trials over the 10 completed: 1+1+1+1+2 = 6 -> mean 0.6; 5 with one or
    # more -> 50.0
    assert fig(w, "quality.ineffective_trials", "mean")[1:3] == (10, 0.6)
    assert fig(w, "quality.ineffective_trials", "rate",
               breakdown="trials=one_or_more") == (5, 10, 50.0, None)  # fmt: skip
    assert w.values("quality.ineffective_trials", stat="median") == {}  # mean only
    assert fig(w, "quality.ineffective_trials", "mean", level="cps_area", org=SE,
               basis="cohort")[2] == 0.6  # fmt: skip
    _not_sent(w, "quality.ineffective_trials")


@covers("flow.attrition")
def test_flow_attrition() -> None:
    w = _court_nation()
    k = {"basis": "cohort", "level": "force", "org": "kent"}
    # Kent's 2023-24 cohort of 20: referred 14 = 70.0, charged 12 = 60.0, completed 10 =
    # 50.0, convicted 7 = 35.0 (as at 2024-03-31)
    assert fig(w, "flow.attrition", "rate", breakdown="reached=referred", **k)[:3] == (
        14, 20, 70.0)  # fmt: skip
    assert fig(w, "flow.attrition", "rate", breakdown="reached=charged", **k)[:3] == (
        12, 20, 60.0)  # fmt: skip
    assert fig(w, "flow.attrition", "rate", breakdown="reached=completed", **k)[:3] == (
        10, 20, 50.0)  # fmt: skip
    assert fig(w, "flow.attrition", "rate", breakdown="reached=convicted", **k)[:3] == (
        7, 20, 35.0)  # fmt: skip
    # Hampshire (Wessex has not sent): 10 of 10 referred and charged; no completed or
    # convicted figure at all
    h = {"basis": "cohort", "level": "force", "org": "hampshire"}
    assert fig(w, "flow.attrition", "rate", breakdown="reached=charged", **h)[:3] == (
        10, 10, 100.0)  # fmt: skip
    assert w.values("flow.attrition", breakdown="reached=completed", **h) == {}
    # national: referred 24/30 = 80.0, charged 22/30 = 73.333; completed and convicted over
    # forces whose Areas sent (Kent's 20): 10/20 = 50.0, 7/20 = 35.0
    n = {"basis": "cohort"}
    assert fig(w, "flow.attrition", "rate", breakdown="reached=referred", **n)[:3] == (
        24, 30, 80.0)  # fmt: skip
    assert fig(w, "flow.attrition", "rate", breakdown="reached=charged", **n)[2] == (
        pytest.approx(100 * 22 / 30))  # fmt: skip
    assert fig(w, "flow.attrition", "rate", breakdown="reached=convicted", **n)[:3] == (
        7, 20, 35.0)  # fmt: skip
    assert w.values("flow.attrition", **n) == {}  # breakdowns only
    assert w.values("flow.attrition", breakdown="reached=referred") == {}  # cohort only
    assert w.values("flow.attrition", breakdown="reached=referred", basis="cohort",
                    period="2023-24-Q1") == {}  # years only  # fmt: skip


STAGE_THREE = ("volume.completed", "rate.conviction", "time.charge_to_completion",
               "time.charge_to_first_hearing", "engage.withdrawal_after_charge",
               "engage.support_at_trial", "quality.ineffective_trials")  # fmt: skip


def test_a_nation_of_v1_senders_has_no_stage_three_figure() -> None:
    """No Area has sent court outcomes (every sender on contract v1.0): no stage-three value
    at any level - "not yet sent", never a national zero - and attrition stops at charge."""
    w = Warehouse()
    ref = {"first_referral_date": d("2023-05-01")}
    w.police("kent", [{"cps_urn": f"u{i}", **ref} for i in range(12)])
    w.cps(SE, [{"urn": f"u{i}", "decision": "charge", "decision_date": d("2023-06-01")}
               for i in range(12)])  # fmt: skip
    w.build()
    got = w.con.execute(
        "SELECT count(*) FROM mart.metric_values WHERE list_contains(?, metric_id)",
        [list(STAGE_THREE)],
    ).fetchone()
    assert got == (0,)
    assert w.con.execute("SELECT bool_or(sent) FROM mart.court_coverage").fetchone() == (False,)
    stages = w.con.execute(
        "SELECT DISTINCT breakdown FROM mart.metric_values WHERE metric_id = 'flow.attrition' "
        "ORDER BY 1"
    ).fetchall()  # fmt: skip
    assert stages == [("reached=charged",), ("reached=referred",)]
    assert fig(w, "volume.charged", "count")[2] == 12  # stages one and two as before


def test_a_force_with_one_area_not_yet_sent_has_no_court_figure() -> None:
    """The Metropolitan Police is served by London North (sent) and London South (v1.0, not
    sent). London North's 10 completions (6 convicted: 60.0) count for the Area and the
    nation; the Met and the London region show no figure rather than London North's half."""
    w = Warehouse()
    ref = {"first_referral_date": d("2023-05-01")}
    w.police("metropolitan", [{"cps_urn": f"m{i}", **ref} for i in range(20)])
    charge = {"decision": "charge", "decision_date": d("2023-06-01"),
              "police_force_code": "metropolitan"}  # fmt: skip
    w.cps("cps_london_north", [{"urn": f"m{i}", **charge} for i in range(10)])
    w.cps("cps_london_south", [{"urn": f"m{i}", **charge} for i in range(10, 20)])
    done = {"completion_date": d("2023-12-01")}
    w.court("cps_london_north", [
        {"urn": f"m{i}", "outcome": "convicted_rape" if i < 6 else "acquitted", **done}
        for i in range(10)])  # fmt: skip
    w.build()
    assert fig(w, "rate.conviction", "rate")[:3] == (6, 10, 60.0)
    assert fig(w, "rate.conviction", "rate", level="cps_area", org="cps_london_north")[2] == 60
    assert w.values("rate.conviction", level="joint", org="metropolitan") == {}
    assert w.values("time.charge_to_completion", level="force", org="metropolitan") == {}
    assert w.values("rate.conviction", level="region", org="london") == {}
    assert w.values("rate.conviction", level="cps_area", org="cps_london_south") == {}
    cov = dict(
        w.con.execute(
            "SELECT org_code, sent FROM mart.court_coverage WHERE level = 'force'"
        ).fetchall()
    )
    assert cov["metropolitan"] is False and cov["city_of_london"] is True
    assert w.values("flow.attrition", level="force", org="metropolitan", basis="cohort",
                    breakdown="reached=completed") == {}  # fmt: skip
    assert fig(w, "flow.attrition", "rate", level="force", org="metropolitan", basis="cohort",
               breakdown="reached=charged")[:3] == (20, 20, 100.0)  # fmt: skip


def test_every_catalogue_metric_has_a_test_here() -> None:
    assert {m.id for m in catalogue.load()} == TESTED
