"""One CPS Area's cps_cases and cps_action_plans snapshots, from its forces' referrals.

The decision and its date come with each referral (the police outcome depends on them);
what only the Area records - the victim letter, reviews, police appeals, action plans, and
the few crime references that fail to link back to the police record - is drawn here
from the Area's own random stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scorecard.contract import DECISIONS, REFERRAL_TYPES
from scorecard.synthetic import profile as P
from scorecard.synthetic.arrays import (
    FLAG,
    NONE,
    YES,
    date_array,
    enum_array,
    flag,
    gamma_days,
    group_cumsum,
    group_rank,
    int_array,
    join,
    padded,
)
from scorecard.synthetic.police import CHARGE, NFA, PENDING, PUBLICATION, Referrals


def _concat(parts: list[Referrals]) -> dict[str, np.ndarray | pa.Array]:
    return {
        "force": pa.array([p.force for p in parts for _ in range(len(p))], type=pa.string()),
        "urn": pa.concat_arrays([p.urn for p in parts]),
        "crime_ref": pa.concat_arrays([p.crime_ref for p in parts]),
        **{
            k: np.concatenate([getattr(p, k) for p in parts])
            for k in (
                "recorded",
                "received",
                "early_advice",
                "file_standard",
                "decision",
                "decision_day",
                "reactivated_day",
                "withdrawn_day",
            )
        },
    }


@dataclass(frozen=True)
class Charged:
    """The Area's charged cases (in cps_cases order): what its court outcomes start from."""

    urn: pa.Array
    decision_day: np.ndarray
    withdrawn_day: np.ndarray  # the victim withdrew after charge (police record), else -1

    def __len__(self) -> int:
        return len(self.decision_day)


def generate_cps(
    area: P.AreaPlan, parts: list[Referrals], seed: int, as_at: date
) -> tuple[pa.Table, pa.Table, Charged]:
    """The Area's cps_cases and cps_action_plans tables (rows ordered by receipt), and its
    charged cases for the court outcomes."""
    rng = P.org_rng(seed, area.code, "cps")
    end = P.day(as_at)
    c = _concat(parts)
    urn_rank = np.empty(len(c["received"]), dtype=np.int64)
    urn_rank[np.asarray(pc.sort_indices(c["urn"]))] = np.arange(len(urn_rank))
    order = np.lexsort((urn_rank, c["received"]))  # by receipt, then urn
    take = pa.array(order)
    urn, crime_ref, force = (c[k].take(take) for k in ("urn", "crime_ref", "force"))
    received, decision, decision_day, react_day, sought, fsm, withdrawn_day = (
        c[k][order]
        for k in (
            "received",
            "decision",
            "decision_day",
            "reactivated_day",
            "early_advice",
            "file_standard",
            "withdrawn_day",
        )
    )
    m = len(order)

    # A few referrals do not link back: crime_ref missing or keyed differently (quality.linkage).
    u = rng.random(m)
    missing = u < P.UNLINKED_MISSING
    mismatch = (u >= P.UNLINKED_MISSING) & (u < P.UNLINKED_MISSING + P.UNLINKED_MISMATCH)
    retyped = join(
        pc.utf8_slice_codeunits(crime_ref, 0, -6), padded(rng.integers(0, 1_000_000, size=m), 6)
    )
    crime_ref = pc.if_else(pa.array(mismatch), retyped, crime_ref)
    crime_ref = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), crime_ref)

    is_nfa = decision == NFA
    after_pub = decision_day >= PUBLICATION
    f2f_gap = min(0.05 * area.gap_mult, 0.5)
    f2f = flag(rng, m, np.clip(area.f2f_base + 0.25 * after_pub, 0.0, 0.95), 1 - f2f_gap)
    f2f[~is_nfa] = NONE
    letter_gap = np.where(
        rng.random(m) < area.letter_within_1_day,
        rng.integers(0, 2, size=m),
        2 + gamma_days(rng, 10.0, 1.0, m),
    )
    letter = np.minimum(decision_day + letter_gap, end)
    letter = np.where(is_nfa & (rng.random(m) < P.NFA_LETTER_PRESENT), letter, NONE)
    vrr_req = flag(rng, m, 0.08, 0.85)
    vrr_req[~is_nfa] = NONE
    vrr_up = flag(rng, m, 0.24, 0.9)
    vrr_up[vrr_req != YES] = NONE
    appeal = flag(rng, m, 0.03, 0.7)
    appeal[~is_nfa] = NONE
    appeal_up = flag(rng, m, 0.33, 0.9)
    appeal_up[appeal != YES] = NONE

    cases = pa.table(
        {
            "urn": urn,
            "police_force_code": force,
            "crime_ref": crime_ref,
            "received_date": date_array(received),
            "referral_type": enum_array(np.where(sought, 0, 1), REFERRAL_TYPES),
            "file_standard_met": enum_array(fsm, FLAG),
            "decision": enum_array(decision, DECISIONS),
            "decision_date": date_array(decision_day),
            "reactivated_date": date_array(react_day),
            "face_to_face_before_nfa": enum_array(f2f, FLAG),
            "victim_letter_date": date_array(letter),
            "vrr_requested": enum_array(vrr_req, FLAG),
            "vrr_upheld": enum_array(vrr_up, FLAG),
            "police_appeal": enum_array(appeal, FLAG),
            "police_appeal_upheld": enum_array(appeal_up, FLAG),
        }
    )
    plans = _action_plans(rng, urn, received, decision, decision_day, end)
    is_charge = decision == CHARGE
    charged = Charged(
        urn=urn.filter(pa.array(is_charge)),
        decision_day=decision_day[is_charge],
        withdrawn_day=withdrawn_day[is_charge],
    )
    return cases, plans, charged


def _action_plans(
    rng: np.random.Generator,
    urn: pa.Array,
    received: np.ndarray,
    decision: np.ndarray,
    decision_day: np.ndarray,
    end: int,
) -> pa.Table:
    """Plans the CPS sent back before deciding: issued in sequence, answered or not."""
    m = len(received)
    mean = np.array([P.ACTION_PLANS_MEAN[d] for d in DECISIONS])[decision]
    lam = rng.gamma(P.ACTION_PLANS_DISPERSION, mean / P.ACTION_PLANS_DISPERSION)
    k = rng.poisson(lam)
    case = np.repeat(np.arange(m), k)
    rank = group_rank(case)
    gap = np.where(
        rank == 0, gamma_days(rng, 25.0, 1.5, len(case)), 7 + gamma_days(rng, 45.0, 1.5, len(case))
    )
    issued = received[case] + group_cumsum(gap, case)
    limit = np.where(decision == PENDING, end, np.minimum(decision_day, end))
    # Admin-finalised files go back for want of a response; allow plans up to that point.
    keep = issued <= limit[case]
    if not keep.any() and m:  # a snapshot needs a row; at tiny scales give the first case one
        case, rank, issued, keep = (
            np.zeros(1, int),
            np.zeros(1, int),
            received[:1],
            np.ones(1, bool),
        )
    case, rank, issued = case[keep], rank[keep], issued[keep]
    n = len(case)
    target = issued + rng.choice(np.array([14, 21, 28, 28, 28, 42]), size=n)
    target = np.where(rng.random(n) < P.ACTION_PLAN_TARGET_PRESENT, target, NONE)
    response = issued + 1 + gamma_days(rng, 24.0, 1.6, n)
    response = np.where(
        (response > end) | (rng.random(n) < P.ACTION_PLAN_UNANSWERED), NONE, response
    )
    late = (target >= 0) & (
        ((response >= 0) & (response > target)) | ((response < 0) & (target < end))
    )
    items = np.clip(np.rint(rng.lognormal(np.log(5.0), 0.55, size=n)), 1, 100).astype(int)
    big = rng.random(n) < 0.005
    items[big] = rng.integers(20, 101, size=int(big.sum()))
    escalated = flag(rng, n, 0.06 + 0.25 * late, 0.8)
    return pa.table(
        {
            "urn": urn.take(pa.array(case)),
            "plan_no": int_array(rank + 1),
            "issued_date": date_array(issued),
            "target_date": date_array(target),
            "response_date": date_array(response),
            "items": int_array(items),
            "escalated": enum_array(escalated, FLAG),
        }
    )
