"""One CPS Area's cps_court_outcomes snapshot (contract v1.1), from its charged cases.

Each charged case takes one route to completion: the victim withdraws after charge (taken
from the police record, so both sides agree) and the case is discontinued; it is
discontinued or dismissed for other reasons; the defendant pleads guilty; or it is tried
(convicted or acquitted), perhaps after ineffective trial listings that each push completion
back. A case whose completion falls after the as-at date is still open: no outcome yet, and
a contested trial may be listed for a date after the as-at date (the contract allows it).
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pyarrow as pa

from scorecard.contract import COURT_OUTCOMES, MAX_INEFFECTIVE_TRIALS, PLEAS
from scorecard.synthetic import profile as P
from scorecard.synthetic.arrays import FLAG, NONE, YES, date_array, enum_array, flag, gamma_days
from scorecard.synthetic.cps import Charged

log = logging.getLogger(__name__)

WITHDRAWN, DISCONTINUED, DISMISSED, OTHER, PLEA, TRIAL = range(6)
_O = {o: i for i, o in enumerate(COURT_OUTCOMES)}


def _charge_fy(days: np.ndarray) -> np.ndarray:
    """Financial year (starting year) of each day number."""
    years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    return years - (months < 4)


def generate_court(plan: P.CourtPlan, charged: Charged, seed: int, as_at: date) -> pa.Table | None:
    """The Area's court outcomes, one row per charged case (cps_cases order); None if the
    Area has charged no one yet."""
    m = len(charged)
    if m == 0:
        return None
    rng = P.org_rng(seed, plan.code, "court")
    end = P.day(as_at)
    charge = np.minimum(charged.decision_day + rng.integers(0, 3, size=m), end)
    withdrawn = charged.withdrawn_day

    # --- route ----------------------------------------------------------------------------
    u = rng.random(m)
    cuts = np.cumsum([P.COURT_DISCONTINUED, P.COURT_DISMISSED, P.COURT_OTHER])
    goes_on = 1.0 - cuts[-1]
    plea_cut = cuts[-1] + goes_on * min(P.GUILTY_PLEA * plan.plea_mult, 0.95)
    route = np.select(
        [u < cuts[0], u < cuts[1], u < cuts[2], u < plea_cut],
        [DISCONTINUED, DISMISSED, OTHER, PLEA],
        TRIAL,
    )
    route[withdrawn >= 0] = WITHDRAWN

    # --- timing ---------------------------------------------------------------------------
    fy = _charge_fy(charge)
    mean = np.array([P.completion_mean_days(int(y)) for y in fy]) * plan.days_mult
    mult = np.ones(m)
    for name, code in (
        ("plea", PLEA),
        ("trial", TRIAL),
        ("discontinued", DISCONTINUED),
        ("dismissed", DISMISSED),
    ):
        mult[route == code] = P.ROUTE_DAYS_MULT[name]
    ineffective = np.where(
        route == TRIAL, rng.poisson(P.INEFFECTIVE_TRIALS_MEAN * plan.ineffective_mult, size=m), 0
    )
    ineffective = np.minimum(ineffective, MAX_INEFFECTIVE_TRIALS)
    duration = 30 + gamma_days(rng, mean * mult, P.COMPLETION_DAYS_SHAPE, m)
    duration += np.floor(
        ineffective * rng.gamma(3.0, P.DAYS_PER_INEFFECTIVE_TRIAL / 3.0, size=m)
    ).astype(np.int64)
    completion = charge + duration
    after_withdrawal = withdrawn + 7 + gamma_days(rng, 30.0, 1.5, m)
    completion = np.where(route == WITHDRAWN, after_withdrawal, completion)
    completed = completion <= end

    hearing = charge + 1 + gamma_days(rng, P.FIRST_HEARING_MEAN_DAYS, 1.2, m)
    hearing = np.minimum(hearing, completion)
    hearing = np.where(hearing <= end, hearing, NONE)
    # A trial starts a few days before its verdict; an open one may be listed past as_at.
    trial = np.where(route == TRIAL, completion - rng.integers(3, 12, size=m), NONE)
    trial = np.where((trial >= 0) & (hearing >= 0), np.maximum(trial, hearing), NONE)
    # Listings that failed so far: an open trial's count is what has happened by as_at.
    ineffective = np.where(completed | (trial <= end), ineffective, ineffective // 2)

    # --- outcome --------------------------------------------------------------------------
    conviction = np.clip(P.TRIAL_CONVICTION * plan.conviction_mult, 0.05, 0.97)
    convicted = (route == PLEA) | ((route == TRIAL) & (rng.random(m) < conviction))
    of_rape = rng.random(m) < P.CONVICTED_OF_RAPE
    outcome = np.full(m, NONE, dtype=np.int16)
    outcome[convicted & of_rape] = _O["convicted_rape"]
    outcome[convicted & ~of_rape] = _O["convicted_other"]
    outcome[(route == TRIAL) & ~convicted] = _O["acquitted"]
    outcome[(route == WITHDRAWN) | (route == DISCONTINUED)] = _O["discontinued"]
    outcome[route == DISMISSED] = _O["dismissed"]
    outcome[route == OTHER] = _O["other"]
    outcome[~completed] = NONE
    completion = np.where(completed, completion, NONE)

    plea = np.full(m, NONE, dtype=np.int16)
    pleaded = hearing >= 0
    mixed = rng.random(m) < P.MIXED_PLEA
    plea[pleaded & (route == PLEA)] = np.where(mixed, PLEAS.index("mixed"), PLEAS.index("guilty"))[
        pleaded & (route == PLEA)
    ]
    plea[pleaded & (route == TRIAL)] = PLEAS.index("not_guilty")

    withdrew = np.full(m, NONE, dtype=np.int16)
    withdrew[withdrawn >= 0] = YES
    discontinued = outcome == _O["discontinued"]
    gap = min(P.WITHDREW_FLAG_MISSING * plan.gap_mult, 0.5)
    withdrew[discontinued & (route != WITHDRAWN)] = 1  # N: discontinued for other reasons
    withdrew[discontinued & (rng.random(m) < gap)] = NONE
    contested = (route == TRIAL) & (hearing >= 0)
    special = flag(rng, m, P.SPECIAL_MEASURES, 0.9)
    special[hearing < 0] = NONE
    isva = flag(rng, m, plan.isva_at_trial, 0.85)
    isva[~contested] = NONE

    log.debug("court outcomes %s: %d charged, %d completed", plan.code, m, int(completed.sum()))
    return pa.table(
        {
            "urn": charged.urn,
            "charge_date": date_array(charge),
            "first_hearing_date": date_array(hearing),
            "plea": enum_array(plea, PLEAS),
            "trial_start_date": date_array(trial),
            "ineffective_trials": pa.array(ineffective.astype(np.int64)),
            "completion_date": date_array(completion),
            "outcome": enum_array(outcome, COURT_OUTCOMES),
            "victim_withdrew_after_charge": enum_array(withdrew, FLAG),
            "special_measures": enum_array(special, FLAG),
            "isva_at_trial": enum_array(isva, FLAG),
        }
    )
