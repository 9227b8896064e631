"""One force's police_cases snapshot, and the referrals it sends to its CPS Area(s).

Each case follows one path: never referred (police outcome after a gamma-distributed
investigation whose length depends on the team type), referred (the CPS decision, drawn
here because the police outcome follows it: a charge gives outcome 1 on or after the
decision), or referred later than the snapshot (still open). The CPS Area's own details
(letters, reviews, action plans) are added by :mod:`scorecard.synthetic.cps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from scorecard import periods, reference
from scorecard.contract import (
    DECISIONS,
    EARLY_ADVICE,
    ETHNICITY,
    SEX,
    TEAM_TYPES,
    WITHDRAWAL_STAGES,
)
from scorecard.synthetic import profile as P
from scorecard.synthetic.arrays import (
    FLAG,
    NO,
    NONE,
    YES,
    choice,
    date_array,
    enum_array,
    flag,
    gamma_days,
    group_cumsum,
    join,
    padded,
)

MIN_CASES = 5  # a snapshot must hold at least one row, even at a tiny scale
OUTCOMES = tuple(c.lower() for c in reference.outcome_codes())
_OC = {c: i for i, c in enumerate(OUTCOMES)}
CHARGE, NFA, ADMIN, OTHER, PENDING = (DECISIONS.index(d) for d in DECISIONS)
_URN_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTW"))
PUBLICATION = P.day(reference.publication_date())


@dataclass
class Referrals:
    """A force's referred cases bound for one CPS Area: all the Area's files need of them."""

    force: str
    urn: pa.Array
    crime_ref: pa.Array
    recorded: np.ndarray
    received: np.ndarray
    early_advice: np.ndarray  # bool
    file_standard: np.ndarray  # flag code
    decision: np.ndarray  # index into contract DECISIONS
    decision_day: np.ndarray  # -1 while pending
    reactivated_day: np.ndarray  # -1 unless reactivated
    withdrawn_day: np.ndarray  # victim withdrew after charge (police record), else -1

    def __len__(self) -> int:
        return len(self.recorded)


def _years(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _codes(rng: np.random.Generator, n: int, mix: dict[str, float]) -> np.ndarray:
    """Outcome code indices (-1 for 'open') drawn from a mix keyed by outcome code."""
    keys = list(mix)
    lookup = np.array([_OC.get(k, NONE) for k in keys], dtype=np.int16)
    return lookup[choice(rng, n, mix)]


def _recorded_days(
    rng: np.random.Generator, plan: P.ForcePlan, scale: float, as_at: int
) -> np.ndarray:
    """Recording dates: a Poisson count per financial year, uniform within the year."""
    parts = []
    fy = P.FIRST_FY
    while P.fy_start(fy) <= as_at:
        start, end = P.fy_start(fy), min(P.fy_start(fy + 1) - 1, as_at)
        frac = (end - start + 1) / (P.fy_start(fy + 1) - start)
        lam = P.recorded_volume(fy) * plan.volume_share * scale * frac
        parts.append(rng.integers(start, end + 1, size=rng.poisson(lam)))
        fy += 1
    days = np.concatenate(parts)
    if len(days) < MIN_CASES:
        days = np.concatenate(
            [days, rng.integers(P.day(P.START), as_at + 1, size=MIN_CASES - len(days))]
        )
    return np.sort(days)


def _sequence(rng: np.random.Generator, years: np.ndarray, capacity: int) -> np.ndarray:
    """Increasing, unique-per-year serial numbers spread over ``capacity`` (years sorted)."""
    if len(years) == 0:
        return np.zeros(0, dtype=np.int64)
    busiest = int(np.max(np.unique(years, return_counts=True)[1]))
    gap = max(1, (2 * capacity) // (busiest + 1))
    return group_cumsum(rng.integers(1, gap + 1, size=len(years)), years)


def generate_police(
    plan: P.ForcePlan, world: P.WorldPlan, seed: int, scale: float, as_at: date
) -> tuple[pa.Table, dict[str, Referrals]]:
    """The force's police_cases table and its referrals keyed by CPS Area code."""
    rng = P.org_rng(seed, plan.code, "police")
    end = P.day(as_at)
    rec = _recorded_days(rng, plan, scale, end)
    n = len(rec)
    last_fy = periods.fy_start_year(as_at)
    fy_starts = np.array([P.fy_start(y) for y in range(P.FIRST_FY, last_fy + 2)])
    fy = P.FIRST_FY + np.searchsorted(fy_starts, rec, side="right") - 1
    since = (fy - P.FIRST_FY).astype(float)  # years since 2016-17: drives the trends

    # --- who the victim is ------------------------------------------------------------
    male = rng.random(n) < P.MALE_SHARE
    sex = np.where(male, SEX.index("m"), SEX.index("f")).astype(np.int16)
    odd = rng.random(n)  # sex not recorded, or other, in a few records
    sex[odd < 0.016] = SEX.index("u")
    sex[odd < 0.004] = SEX.index("x")
    offence = np.where(male, 1, 0)
    age = choice(rng, n, P.AGE_BANDS)
    unrec = np.clip(
        plan.ethnicity_unrecorded
        - P.ETHNICITY_UNRECORDED_FALL_FROM_2022 * np.maximum(0, fy - 2021),
        0.05,
        0.9,
    )
    mix = dict(zip(ETHNICITY[:5], P.ETHNICITY_MIX[plan.ethnicity_profile], strict=True))
    eth = choice(rng, n, mix)
    eth[rng.random(n) < unrec] = ETHNICITY.index("u")
    disability = flag(rng, n, 0.14, 0.62 + 0.02 * since)
    mental = flag(rng, n, 0.35, 0.6 + 0.02 * since)
    orient = choice(rng, n, P.ORIENTATION)
    relation = choice(rng, n, P.RELATIONSHIP)

    # --- investigation -------------------------------------------------------------------
    spec_p = np.clip(plan.specialist_2016 + P.SPECIALIST_SHARE_RISE_PER_YEAR * since, 0.05, 0.92)
    specialist = rng.random(n) < spec_p
    team = np.where(specialist, 0, 1)
    trained = flag(rng, n, np.where(specialist, 0.85, 0.45), 0.93)
    isva = flag(rng, n, np.clip(plan.isva_base + 0.025 * since, 0.1, 0.92), 0.9)
    safeguarding = choice(rng, n, {"Y": 0.30, "N": 0.22, "na": 0.38, "": 0.10})
    safeguarding[safeguarding == 3] = NONE
    contract = flag(rng, n, np.clip(plan.contract_base + 0.03 * since, 0.1, 0.95), 0.8)

    # --- referral to the CPS -------------------------------------------------------------
    cohort_p = np.array([P.referral_probability(int(y)) for y in range(P.FIRST_FY, fy.max() + 1)])
    p_ref = np.clip(cohort_p[fy - P.FIRST_FY] * plan.referral_mult, 0.0, 0.7)
    will_refer = rng.random(n) < p_ref
    medians = np.array([P.referral_lag_median(int(y)) for y in range(P.FIRST_FY, fy.max() + 1)])
    lag = np.floor(rng.lognormal(np.log(medians[fy - P.FIRST_FY]), P.REFERRAL_LAG_SIGMA))
    ref_day = rec + lag.astype(np.int64)
    referred = will_refer & (ref_day <= end)
    need = len(plan.areas) - int(referred.sum())
    if need > 0:  # tiny scales: every Area the force serves gets at least one referral
        extra = np.flatnonzero(~referred)[:need]
        ref_day[extra] = np.minimum(rec[extra] + 30, end)
        will_refer[extra] = referred[extra] = True
    ref_day[~referred] = NONE
    ridx = np.flatnonzero(referred)
    m = len(ridx)

    # Early advice (Rec 5): sought for about one referred case in eight.
    ea_p = (
        np.where(
            ref_day >= PUBLICATION,
            P.EARLY_ADVICE_SOUGHT_FROM_2021,
            P.EARLY_ADVICE_SOUGHT_BEFORE_2021,
        )
        * plan.early_advice_mult
    )
    sought = referred & (rng.random(n) < np.clip(ea_p, 0.0, 0.6))
    early = np.full(n, NONE, dtype=np.int16)
    early[referred] = EARLY_ADVICE.index("not_sought")
    early[sought] = EARLY_ADVICE.index("sought")
    unref_ns = ~will_refer & (rng.random(n) < 0.25)
    early[unref_ns] = EARLY_ADVICE.index("not_sought")
    reason_gap = np.where(referred, 1 - P.EARLY_ADVICE_REASON_PRESENT, 0.15) * plan.gap_mult
    reason_p = 1 - np.clip(reason_gap, 0.0, 0.6)
    ea_reason = rng.integers(0, len(P.EARLY_ADVICE_REASONS), size=n).astype(np.int16)
    ea_reason[(early != EARLY_ADVICE.index("not_sought")) | (rng.random(n) >= reason_p)] = NONE

    # --- the CPS decision on referred cases ----------------------------------------------
    area_codes = [a for a, _ in plan.areas]
    if len(area_codes) == 1:
        area_of = np.zeros(m, dtype=np.int64)
    else:
        shares = np.array([s for _, s in plan.areas])
        area_of = rng.choice(len(area_codes), size=m, p=shares / shares.sum())
        if m >= len(area_codes) and len(np.unique(area_of)) < len(area_codes):
            area_of[: len(area_codes)] = np.arange(len(area_codes))
    areas = [world.areas[a] for a in area_codes]
    r_ref = ref_day[ridx]
    received = np.minimum(r_ref + choice(rng, m, {"0": 0.8, "1": 0.12, "2": 0.08}), end)
    dec_mean = np.array([a.decision_mean_days for a in areas])[area_of]
    charge_mult = np.array([a.charge_mult for a in areas])[area_of]
    decision_day = received + 1 + gamma_days(rng, dec_mean, P.DECISION_DAYS_SHAPE, m)
    recv_fy = P.FIRST_FY + np.searchsorted(fy_starts, received, side="right") - 1
    cs = np.array([P.charge_share(int(y)) for y in recv_fy]) * charge_mult
    u = rng.random(m)
    split = P.NON_CHARGE_SPLIT
    c_nfa = cs + (1 - cs) * split["nfa"]
    c_admin = c_nfa + (1 - cs) * split["admin_finalised"]
    decision = np.select([u < cs, u < c_nfa, u < c_admin], [CHARGE, NFA, ADMIN], OTHER)
    decided = decision_day <= end
    decision = np.where(decided, decision, PENDING)
    decision_day = np.where(decided, decision_day, NONE)
    react = (decision == ADMIN) & (rng.random(m) < P.REACTIVATED_SHARE)
    react_day = decision_day + 1 + gamma_days(rng, P.REACTIVATION_MEAN_DAYS, 1.5, m)
    react_day = np.where(react & (react_day <= end), react_day, NONE)
    fsm = flag(rng, m, plan.file_standard, 0.95)

    # --- police outcomes ----------------------------------------------------------------------
    code = np.full(n, NONE, dtype=np.int16)
    out_day = np.full(n, NONE, dtype=np.int64)
    never = ~will_refer
    nfa_mean = (
        np.where(specialist, P.NFA_MEAN_DAYS_SPECIALIST, P.NFA_MEAN_DAYS_NON_SPECIALIST)
        * plan.nfa_days_mult
    )
    dur = gamma_days(rng, nfa_mean, P.NFA_DAYS_SHAPE, n)
    drawn = _codes(rng, n, P.UNREFERRED_OUTCOMES)
    closes = never & (drawn != NONE) & (rec + dur <= end)
    code[closes] = drawn[closes]
    out_day[closes] = rec[closes] + dur[closes]

    # Referred cases follow the CPS decision.
    rc = np.full(m, NONE, dtype=np.int16)
    rd = np.full(m, NONE, dtype=np.int64)
    is_c, is_n, is_a, is_o = (decision == d for d in (CHARGE, NFA, ADMIN, OTHER))
    rc[is_c] = np.where(rng.random(int(is_c.sum())) < 0.95, _OC["1"], _OC["1a"])
    rd[is_c] = decision_day[is_c] + rng.integers(0, 4, size=int(is_c.sum()))
    rc[is_n] = _codes(rng, int(is_n.sum()), {"15": 0.8, "16": 0.15, "21": 0.05})
    rd[is_n] = decision_day[is_n] + gamma_days(rng, 10.0, 1.0, int(is_n.sum()))
    rc[is_a] = _codes(rng, int(is_a.sum()), {"16": 0.4, "15": 0.3, "21": 0.1, "open": 0.2})
    rd[is_a] = decision_day[is_a] + 1 + gamma_days(rng, 60.0, 1.2, int(is_a.sum()))
    rc[is_a & (react_day >= 0)] = NONE  # resubmitted: investigation continues
    rc[is_o] = _codes(rng, int(is_o.sum()), {"9": 0.35, "3": 0.1, "13": 0.1, "20": 0.2, "15": 0.25})
    rd[is_o] = decision_day[is_o] + gamma_days(rng, 20.0, 1.0, int(is_o.sum()))
    late = (rd > end) & ~is_c
    rc[late] = NONE
    rd = np.where(rc == NONE, NONE, np.minimum(rd, end))
    code[ridx] = rc
    out_day[ridx] = rd
    closed = code != NONE

    # --- withdrawal of support (Rec 3) -------------------------------------------------
    wd = np.full(n, NONE, dtype=np.int64)
    stage = np.full(n, NONE, dtype=np.int16)
    supported = flag(rng, n, 0.975, 0.94)
    u = rng.random(n)
    frac = rng.uniform(0.15, 0.95, size=n)
    span = np.maximum(out_day - rec, 0)
    is16 = code == _OC["16"]
    is14 = code == _OC["14"]
    outset = (is16 & never & (u < P.OUTCOME16_NOT_SUPPORTED_AT_OUTSET)) | (is14 & (u < 0.3))
    supported[outset] = NO
    early_wd = np.minimum(rec + rng.integers(0, 3, size=n), np.maximum(out_day, rec))
    later_wd = rec + np.floor(frac * span).astype(np.int64)
    has16 = is16 & (rng.random(n) < P.WITHDRAWAL_DATE_RECORDED_16)
    has14 = is14 & (rng.random(n) < P.WITHDRAWAL_DATE_RECORDED_14)
    during = (has16 | has14) & ~referred
    wd[during] = np.where(outset, early_wd, later_wd)[during]
    inv = WITHDRAWAL_STAGES.index("investigation")
    before = WITHDRAWAL_STAGES.index("before_account")
    stage[during] = np.where(
        outset,
        np.where(u < 0.8 * P.OUTCOME16_NOT_SUPPORTED_AT_OUTSET, before, inv),
        np.where(frac < 0.25, before, inv),
    )[during]
    awaiting = has16 & referred
    ref_full = np.where(referred, ref_day, rec)
    wd[awaiting] = (ref_full + np.floor(frac * np.maximum(out_day - ref_full, 0)))[awaiting]
    stage[awaiting] = WITHDRAWAL_STAGES.index("awaiting_cps")
    charged = np.zeros(n, dtype=bool)
    charged[ridx[is_c]] = True
    after = charged & (rng.random(n) < P.WITHDRAWAL_AFTER_CHARGE)
    after_day = out_day + 1 + gamma_days(rng, 120.0, 1.5, n)
    after &= after_day <= end
    wd[after] = after_day[after]
    stage[after] = WITHDRAWAL_STAGES.index("after_charge")
    withdrawn = wd != NONE
    stage_gap = min(P.WITHDRAWAL_STAGE_MISSING * plan.gap_mult, 0.5)
    stage[withdrawn & (rng.random(n) < stage_gap)] = NONE
    wreason = choice(rng, n, P.WITHDRAWAL_REASONS)
    wreason_gap = min(P.WITHDRAWAL_REASON_MISSING * plan.gap_mult, 0.5)
    wreason[~withdrawn | (rng.random(n) < wreason_gap)] = NONE

    # --- telling the victim about an NFA (Recs 6 and 7) ----------------------------------
    nfa_codes = np.array([_OC[c] for c in P.NFA_CODES])
    told = closed & np.isin(code, nfa_codes)
    after_pub = out_day >= PUBLICATION
    informed = told & (rng.random(n) < np.where(after_pub, 0.92, 0.78))
    inf_day = np.where(informed, np.minimum(out_day + gamma_days(rng, 6.0, 0.8, n), end), NONE)
    vrr_inf = flag(rng, n, np.where(after_pub, 0.88, 0.7), 0.9)
    vrr_inf[~told] = NONE
    vrr_req = flag(rng, n, np.where(vrr_inf == YES, 0.06, 0.01), 0.85)
    vrr_req[~told] = NONE

    # --- identifiers -----------------------------------------------------------------------
    prefix = P.CRIME_REF_PREFIX[plan.code]
    years = _years(rec)
    seq = _sequence(rng, years, 900_000)
    width = max(6, len(str(int(seq.max()))) if n else 6)
    crime_ref = join(prefix, "/", padded(years % 100, 2), "/", padded(seq, width))
    order = np.argsort(ref_day[ridx], kind="stable")
    r_years = _years(r_ref)[order]
    r_seq = np.empty(m, dtype=np.int64)
    r_seq[order] = _sequence(rng, r_years, 90_000)
    r_years_by_case = _years(r_ref)
    station = join(prefix[0], pa.array(rng.choice(_URN_LETTERS, size=m)))
    urn_width = max(5, len(str(int(r_seq.max()))) if m else 5)
    urn = join(
        f"{P.FORCE_NUMBERS[plan.code]:02d}",
        station,
        padded(r_seq, urn_width),
        padded(r_years_by_case % 100, 2),
    )
    urn_full = pa.nulls(n, pa.string())
    if m:
        pos = np.full(n, -1, dtype=np.int64)
        pos[ridx] = np.arange(m)
        urn_full = urn.take(pa.array(pos, mask=pos < 0))

    table = pa.table(
        {
            "crime_ref": crime_ref,
            "offence_code": enum_array(offence, ("19C", "19F")),
            "recorded_date": date_array(rec),
            "victim_sex": enum_array(sex, SEX),
            "victim_age_band": enum_array(age, tuple(P.AGE_BANDS)),
            "victim_ethnicity": enum_array(eth, ETHNICITY),
            "victim_disability": enum_array(disability, FLAG),
            "victim_mental_health": enum_array(mental, FLAG),
            "victim_sexual_orientation": enum_array(orient, tuple(P.ORIENTATION)),
            "relationship": enum_array(relation, tuple(P.RELATIONSHIP)),
            "team_type": enum_array(team, TEAM_TYPES),
            "investigator_trained": enum_array(trained, FLAG),
            "victim_supported_at_outset": enum_array(supported, FLAG),
            "isva_referral": enum_array(isva, FLAG),
            "safeguarding_referral": enum_array(safeguarding, ("Y", "N", "na")),
            "victim_contact_contract": enum_array(contract, FLAG),
            "early_advice": enum_array(early, EARLY_ADVICE),
            "early_advice_reason": enum_array(ea_reason, P.EARLY_ADVICE_REASONS),
            "first_referral_date": date_array(ref_day),
            "cps_urn": urn_full,
            "withdrawal_date": date_array(wd),
            "withdrawal_stage": enum_array(stage, WITHDRAWAL_STAGES),
            "withdrawal_reason": enum_array(wreason, tuple(P.WITHDRAWAL_REASONS)),
            "outcome_code": enum_array(code, OUTCOMES),
            "outcome_date": date_array(out_day),
            "victim_informed_date": date_array(inf_day),
            "vrr_informed": enum_array(vrr_inf, FLAG),
            "vrr_requested": enum_array(vrr_req, FLAG),
        }
    )
    after_charge_day = np.where(after, wd, NONE)[ridx]  # stage three's withdrawals
    referrals: dict[str, Referrals] = {}
    ref_crime = crime_ref.take(pa.array(ridx))
    for i, area in enumerate(area_codes):
        sel = np.flatnonzero(area_of == i)
        take = pa.array(sel)
        referrals[area] = Referrals(
            force=plan.code,
            urn=urn.take(take),
            crime_ref=ref_crime.take(take),
            recorded=rec[ridx][sel],
            received=received[sel],
            early_advice=sought[ridx][sel],
            file_standard=fsm[sel],
            decision=decision[sel],
            decision_day=decision_day[sel],
            reactivated_day=react_day[sel],
            withdrawn_day=after_charge_day[sel],
        )
    return table, referrals
