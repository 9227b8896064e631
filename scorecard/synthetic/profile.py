"""National volume profile, calibration constants and per-organisation parameters.

Every number that shapes the synthetic nation lives here, next to the published figure it
is calibrated to (HMICFRS/HMCPSI joint inspection of the response to rape, phase one, July
2021, as summarised in shared/design/domain.md and reference/data/published_series.csv).
Figures marked *assumed* are not published in the report; they give the later years a
plausible shape (recovery in referrals and charges after 2021) and nothing asserts them.

Randomness: each organisation gets its own numpy Generator seeded from the run's seed plus a
stable key for the organisation and a purpose, so its data never depends on the order in
which organisations are generated.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
from scipy.special import ndtr

from scorecard import periods, reference

EPOCH = date(1970, 1, 1)
START = date(2016, 4, 1)  # first day covered by a snapshot (contract: recorded_date >= this)
FIRST_FY = 2016  # financial years are named by their starting year: 2016 = 2016-17


def day(d: date) -> int:
    """Days since 1970-01-01 (the int form every generator module works in)."""
    return d.toordinal() - EPOCH.toordinal()


def fy_start(fy: int) -> int:
    """The first day of financial year ``fy`` (its starting year) as a day number."""
    return day(periods.fy_first_day(fy))


# --- volumes -----------------------------------------------------------------------------
# Adult rape offences recorded, England and Wales, by financial year (scale 1).
RECORDED_BY_FY: dict[int, int] = {
    2016: 41_000,  # published series rising from 36,277 (2015-16) to 59,492 (2018-19)
    2017: 53_000,
    2018: 59_492,  # published: 59,492
    2019: 56_061,  # published: 56,061
    2020: 55_000,  # assumed: pandemic year dip
    2021: 67_000,  # assumed: post-pandemic rise
    2022: 68_000,  # assumed
    2023: 68_000,  # assumed
    2024: 70_000,  # assumed
    2025: 71_000,  # assumed
}
RECORDED_GROWTH_AFTER = 1_000  # assumed: per year after the last listed year


def recorded_volume(fy: int) -> float:
    """National recorded offences for a full financial year at scale 1."""
    if fy in RECORDED_BY_FY:
        return float(RECORDED_BY_FY[fy])
    last = max(RECORDED_BY_FY)
    return float(RECORDED_BY_FY[last] + RECORDED_GROWTH_AFTER * (fy - last))


# Police referrals to the CPS, by financial year of first referral (period count).
REFERRALS_BY_FY: dict[int, int] = {
    2016: 6_606,  # published: 6,606
    2017: 6_012,  # published: 6,012
    2018: 5_109,  # published: 5,109
    2019: 4_181,  # published: 4,181 (7.5 per 100 offences recorded)
    2020: 4_300,  # assumed
    2021: 4_900,  # assumed: recovery after the 2021 inspection and Operation Soteria
    2022: 5_500,  # assumed
    2023: 6_100,  # assumed
    2024: 6_600,  # assumed
    2025: 6_900,  # assumed
}

# Days from report to first referral: log-normal; the median rose as timeliness worsened.
# Inspection: mean 218 days report -> referral for files examined (2019-20 cases).
REFERRAL_LAG_MEDIAN_BY_FY: dict[int, float] = {2016: 80.0, 2017: 105.0, 2018: 130.0}
REFERRAL_LAG_MEDIAN_LATER = 160.0  # mean = median * exp(sigma^2 / 2) ~ 230 days
REFERRAL_LAG_SIGMA = 0.85


def referral_lag_median(fy: int) -> float:
    return REFERRAL_LAG_MEDIAN_BY_FY.get(fy, REFERRAL_LAG_MEDIAN_LATER)


@cache
def cohort_referral_probability() -> dict[int, float]:
    """Probability that an offence recorded in each FY is (eventually) referred.

    Solved forward so that expected referrals by FY of *referral* match REFERRALS_BY_FY,
    given the volumes and the report->referral lag: referrals in year y come from every
    earlier cohort's tail plus year y's own cohort.
    """
    years = sorted(REFERRALS_BY_FY)
    probs: dict[int, float] = {}
    for y in years:
        spill = 0.0
        for c, p in probs.items():
            spill += recorded_volume(c) * p * _lag_mass(c, y)
        own = recorded_volume(y) * _lag_mass(y, y)
        probs[y] = float(np.clip((REFERRALS_BY_FY[y] - spill) / own, 0.02, 0.4))
    return probs


def referral_probability(fy: int) -> float:
    probs = cohort_referral_probability()
    return probs.get(fy, probs[max(probs)])


def _lag_mass(cohort: int, fy: int) -> float:
    """Share of a cohort's eventual referrals whose referral date falls in ``fy``."""
    days = np.arange(fy_start(cohort), fy_start(cohort + 1))
    lo = fy_start(fy) - days
    hi = fy_start(fy + 1) - days
    mu = np.log(referral_lag_median(cohort))

    def cdf(x: np.ndarray) -> np.ndarray:
        safe = np.maximum(x, 1e-9)
        return np.where(x <= 0, 0.0, ndtr((np.log(safe) - mu) / REFERRAL_LAG_SIGMA))

    return float(np.mean(cdf(hi) - cdf(lo)))


# --- police -------------------------------------------------------------------------------
MALE_SHARE = 0.08  # 19F as a share of adult rape (about 8% in recorded crime)

# Days report -> police NFA on cases never referred. Inspection: specialist 49, non-specialist
# 108 (force range 28-114). Generated slightly longer so that the figure seen in a snapshot,
# where recent long-running cases are still open, lands on the published means.
NFA_MEAN_DAYS_SPECIALIST = 51.0
NFA_MEAN_DAYS_NON_SPECIALIST = 110.0
NFA_DAYS_SHAPE = 1.3  # gamma shape: a long tail

# Specialist team share: a force's 2016-17 share plus a yearly rise (about half overall).
SPECIALIST_SHARE_2016_MEAN = 0.38
SPECIALIST_SHARE_2016_SD = 0.12
SPECIALIST_SHARE_RISE_PER_YEAR = 0.03

# Outcomes of cases never referred (2019-20: outcome 16 = 29% of offences, published).
UNREFERRED_OUTCOMES: dict[str, float] = {
    "16": 0.305,
    "15": 0.365,
    "14": 0.075,
    "18": 0.07,
    "21": 0.06,
    "10": 0.02,
    "20": 0.03,
    "13": 0.01,
    "17": 0.005,
    "5": 0.005,
    "3": 0.005,
    "open": 0.05,  # still open years on (complex or stalled investigations)
}
NFA_CODES = ("14", "15", "16", "18", "21", "10", "17")  # victim told of a police NFA

# Outcome 16: share not supporting from the outset (engage.withdrawal_outset).
OUTCOME16_NOT_SUPPORTED_AT_OUTSET = 0.35
WITHDRAWAL_DATE_RECORDED_16 = 0.95
WITHDRAWAL_DATE_RECORDED_14 = 0.55
WITHDRAWAL_AFTER_CHARGE = 0.04
WITHDRAWAL_STAGE_MISSING = 0.04  # should-rule gaps: realistic, a few
WITHDRAWAL_REASON_MISSING = 0.06
WITHDRAWAL_REASONS: dict[str, float] = {
    "time_taken": 0.14,
    "relationship_with_suspect": 0.18,
    "recovery_wellbeing": 0.26,
    "fear_of_process": 0.18,
    "lack_of_support": 0.06,
    "other": 0.10,
    "u": 0.08,
}

# Early advice: requested in 12 of 90 CPS NFA files examined (13%); rises after 2021 (Rec 5).
EARLY_ADVICE_SOUGHT_BEFORE_2021 = 0.11
EARLY_ADVICE_SOUGHT_FROM_2021 = 0.16
EARLY_ADVICE_REASON_PRESENT = 0.9  # should-rule: a few gaps are realistic
EARLY_ADVICE_REASONS = (
    "Full file submitted for a charging decision",
    "Straightforward evidential position",
    "Suspect made full admissions",
    "Not considered by the investigator",
    "Awaiting third-party material",
    "Victim withdrew support before advice was needed",
    "Supervisor decided advice not required",
)

# Victim ethnicity not recorded in 167 of 502 files (33%); improving after Rec 1 (2021).
ETHNICITY_UNRECORDED_MEAN = 0.40
ETHNICITY_UNRECORDED_SD = 0.08
ETHNICITY_UNRECORDED_FALL_FROM_2022 = 0.04  # per year
ETHNICITY_MIX = {  # among recorded; by force profile
    "standard": (0.80, 0.05, 0.08, 0.04, 0.03),
    "urban": (0.66, 0.09, 0.17, 0.05, 0.03),
    "london": (0.50, 0.20, 0.17, 0.07, 0.06),
}
URBAN_FORCES = frozenset(
    {
        "west_midlands",
        "greater_manchester",
        "west_yorkshire",
        "bedfordshire",
        "leicestershire",
        "city_of_london",
    }
)

AGE_BANDS: dict[str, float] = {
    "16-17": 0.08,
    "18-24": 0.30,
    "25-34": 0.27,
    "35-44": 0.16,
    "45-54": 0.10,
    "55-64": 0.04,
    "65+": 0.02,
    "u": 0.03,
}
ORIENTATION: dict[str, float] = {
    "heterosexual": 0.47,
    "gay_lesbian": 0.03,
    "bisexual": 0.04,
    "other": 0.01,
    "u": 0.45,
}
RELATIONSHIP: dict[str, float] = {
    "partner": 0.20,
    "ex_partner": 0.16,
    "acquaintance": 0.25,
    "friend": 0.10,
    "relative": 0.07,
    "stranger": 0.12,
    "other": 0.05,
    "u": 0.05,
}

# --- CPS --------------------------------------------------------------------------------------
# Days first receipt -> decision: mean 209 (inspection), Area range 75-309.
DECISION_MEAN_DAYS = 225.0  # generated; pending cases hide the longest
DECISION_AREA_SIGMA = 0.3
DECISION_AREA_RANGE = (75.0, 309.0)
DECISION_DAYS_SHAPE = 1.6

# Charge share of decisions by FY received. Charges published: 2,319 (2018-19), 2,325
# (2019-20) from falling referrals, so the charge share rose; ~55% overall.
CHARGE_SHARE_BY_FY: dict[int, float] = {2016: 0.40, 2017: 0.40, 2018: 0.44, 2019: 0.55}
CHARGE_SHARE_LATER = 0.60
# The rest of the decided cases: nfa ~20%, admin finalised ~20%, other ~5% of all decisions.
NON_CHARGE_SPLIT = {"nfa": 0.45, "admin_finalised": 0.44, "other": 0.11}
REACTIVATED_SHARE = 0.3  # of admin-finalised cases, resubmitted later
REACTIVATION_MEAN_DAYS = 90.0


def charge_share(fy: int) -> float:
    return CHARGE_SHARE_BY_FY.get(fy, CHARGE_SHARE_LATER)


# --- court: charge to completion (stage three, contract v1.1) ---------------------------
# Published (domain.md): 2,102 rape-flagged prosecutions completed in 2019-20, 1,439 of them
# successful (68.5%; a conviction for any offence counts); charge to completion took around
# a year or more (MoJ adult rape scorecard, 2021). Charges ~2,300 a year (above) feed it, so
# completions fall short of charges only as the time to completion grows: the court backlog
# that built from 2019 and the pandemic's (2020-21) are what bring 2019-20 down to 2,102.
COMPLETION_MEAN_DAYS_BY_CHARGE_FY: dict[int, float] = {
    2016: 300.0,
    2017: 310.0,
    2018: 340.0,
    2019: 430.0,
    2020: 520.0,  # pandemic: jury trials paused, backlog
    2021: 500.0,
}
COMPLETION_MEAN_DAYS_LATER = 460.0  # assumed: backlog easing slowly
COMPLETION_DAYS_SHAPE = 2.2  # gamma: a long tail of multi-year cases
# Time to completion by route, as multiples of the mean above (pleas end early).
ROUTE_DAYS_MULT = {"plea": 0.6, "trial": 1.2, "discontinued": 0.75, "dismissed": 0.5}
DAYS_PER_INEFFECTIVE_TRIAL = 75.0  # a re-listing adds two to three months
FIRST_HEARING_MEAN_DAYS = 21.0  # charge -> first appearance (magistrates' court)
# Routes of a case not withdrawn by the victim (withdrawals come from the police record).
COURT_DISCONTINUED = 0.06  # evidential or public-interest discontinuance
COURT_DISMISSED = 0.012
COURT_OTHER = 0.01
GUILTY_PLEA = 0.35  # of the cases that go on: a guilty (or mixed) plea
TRIAL_CONVICTION = 0.665  # of the contested trials: convicted (any offence)
CONVICTED_OF_RAPE = 0.62  # of the convictions; the rest are of another offence
MIXED_PLEA = 0.25  # of the plea route: guilty to some counts
INEFFECTIVE_TRIALS_MEAN = 0.45  # listings that did not go ahead, per contested trial
SPECIAL_MEASURES = 0.82
ISVA_AT_TRIAL_MEAN = 0.6
WITHDREW_FLAG_MISSING = 0.05  # should-rule gaps on discontinued cases
# Areas differ: trial conviction rate, time to completion, ineffective trials, ISVA support.
# Ordinary Areas spread little, so over-dispersion (phi) stays near 1 and the outliers stand out.
COURT_AREA_SIGMA = 0.04  # log-normal spread of an Area's trial conviction rate
COURT_DAYS_AREA_SIGMA = 0.18
# Two Areas convict at clearly different rates, outside the 99.8% funnel limits even after
# the over-dispersion adjustment: (trial conviction, guilty plea) multipliers, one low and one
# high. One a side because 10% Winsorisation of 14 Areas' z-scores tames only the most extreme
# on each side: a second outlier on the same side would inflate phi and pull both inside.
CONVICTION_OUTLIERS = ((0.55, 0.75), (1.3, 1.45))
# Drawn from the larger Areas (population served, reference data): at about 2,100
# completions a year nationally, a small Area's limits are too wide for a realistic
# high rate (the ceiling is about 85%: discontinuance and withdrawal) to clear them.
CONVICTION_OUTLIER_MIN_POPULATION_K = 4_400


def completion_mean_days(fy: int) -> float:
    return COMPLETION_MEAN_DAYS_BY_CHARGE_FY.get(fy, COMPLETION_MEAN_DAYS_LATER)


UNLINKED_MISSING = 0.015  # CPS rows without the police crime_ref
UNLINKED_MISMATCH = 0.015  # ... or with one that does not match
FILE_STANDARD_MET_MEAN = 0.67
NFA_LETTER_PRESENT = 0.92
NFA_LETTER_WITHIN_1_DAY = 0.72

# Action plans per referred case: gamma-Poisson, then only those issued before the decision
# survive (seen: mean ~1.9, a quarter with none, some with more than 3).
ACTION_PLANS_MEAN = {
    "charge": 2.5,
    "nfa": 2.3,
    "admin_finalised": 3.4,
    "other": 2.0,
    "pending": 2.4,
}
ACTION_PLANS_DISPERSION = 4.0  # gamma shape
ACTION_PLAN_TARGET_PRESENT = 0.82
ACTION_PLAN_UNANSWERED = 0.05

# Should-rule gaps (missing reasons, stages, meeting flags) cluster in some organisations'
# returns: about a third send complete records; the rest vary around the national rates.
CLEAN_RECORDING_SHARE = 0.35
GAP_SPREAD_SIGMA = 0.5

# Forces far from the national referral rate (outside 99.8% funnel limits).
REFERRAL_OUTLIER_MULTIPLIERS = (0.4, 0.45, 1.8, 1.9)  # roughly balanced nationally
REFERRAL_RATE_SD = 0.03  # other forces: modest variation around national
OUTLIER_MIN_POPULATION_K = 700

# Home Office force numbers, used in URNs (first two digits) and crime reference prefixes.
FORCE_NUMBERS: dict[str, int] = {
    "metropolitan": 1,
    "cumbria": 3,
    "lancashire": 4,
    "merseyside": 5,
    "greater_manchester": 6,
    "cheshire": 7,
    "northumbria": 10,
    "durham": 11,
    "north_yorkshire": 12,
    "west_yorkshire": 13,
    "south_yorkshire": 14,
    "humberside": 16,
    "cleveland": 17,
    "west_midlands": 20,
    "staffordshire": 21,
    "west_mercia": 22,
    "warwickshire": 23,
    "derbyshire": 30,
    "nottinghamshire": 31,
    "lincolnshire": 32,
    "leicestershire": 33,
    "northamptonshire": 34,
    "cambridgeshire": 35,
    "norfolk": 36,
    "suffolk": 37,
    "bedfordshire": 40,
    "hertfordshire": 41,
    "essex": 42,
    "thames_valley": 43,
    "hampshire": 44,
    "surrey": 45,
    "kent": 46,
    "sussex": 47,
    "city_of_london": 48,
    "devon_and_cornwall": 50,
    "avon_and_somerset": 52,
    "gloucestershire": 53,
    "wiltshire": 54,
    "dorset": 55,
    "north_wales": 60,
    "gwent": 61,
    "south_wales": 62,
    "dyfed_powys": 63,
}
CRIME_REF_PREFIX: dict[str, str] = {
    "metropolitan": "MPS",
    "cumbria": "CUM",
    "lancashire": "LAN",
    "merseyside": "MER",
    "greater_manchester": "GMP",
    "cheshire": "CHE",
    "northumbria": "NUM",
    "durham": "DUR",
    "north_yorkshire": "NYP",
    "west_yorkshire": "WYP",
    "south_yorkshire": "SYP",
    "humberside": "HUM",
    "cleveland": "CLE",
    "west_midlands": "WMP",
    "staffordshire": "STA",
    "west_mercia": "WMC",
    "warwickshire": "WAR",
    "derbyshire": "DER",
    "nottinghamshire": "NOT",
    "lincolnshire": "LIN",
    "leicestershire": "LEI",
    "northamptonshire": "NHN",
    "cambridgeshire": "CAM",
    "norfolk": "NFK",
    "suffolk": "SUF",
    "bedfordshire": "BED",
    "hertfordshire": "HER",
    "essex": "ESX",
    "thames_valley": "TVP",
    "hampshire": "HAM",
    "surrey": "SUR",
    "kent": "KEN",
    "sussex": "SUS",
    "city_of_london": "COL",
    "devon_and_cornwall": "DCP",
    "avon_and_somerset": "ASP",
    "gloucestershire": "GLO",
    "wiltshire": "WIL",
    "dorset": "DOR",
    "north_wales": "NWP",
    "gwent": "GWE",
    "south_wales": "SWP",
    "dyfed_powys": "DPP",
}


# --- randomness ---------------------------------------------------------------------------
_PURPOSES = {
    "params": 1,
    "police": 2,
    "cps": 3,
    "plans": 4,
    "workforce": 5,
    "recs": 6,
    "national": 7,
    "court": 8,
}


def org_rng(seed: int, org: str, purpose: str) -> np.random.Generator:
    """A Generator for one organisation and purpose, independent of generation order."""
    key = zlib.crc32(org.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, _PURPOSES[purpose])))


# --- per-organisation parameters ------------------------------------------------------------
@dataclass(frozen=True)
class ForcePlan:
    """How one force differs from the national picture (drawn once per seed)."""

    code: str
    volume_share: float  # share of national recorded offences
    referral_mult: float
    early_advice_mult: float
    nfa_days_mult: float
    specialist_2016: float
    ethnicity_unrecorded: float
    ethnicity_profile: str
    isva_base: float
    contract_base: float
    file_standard: float
    gap_mult: float  # multiplies should-rule gap rates; 0 = complete records
    areas: tuple[tuple[str, float], ...]  # (area code, share of referrals)


@dataclass(frozen=True)
class AreaPlan:
    code: str
    decision_mean_days: float
    charge_mult: float
    f2f_base: float
    letter_within_1_day: float
    gap_mult: float


@dataclass(frozen=True)
class CourtPlan:
    """How one CPS Area's prosecutions after charge differ from the national picture."""

    code: str
    conviction_mult: float  # multiplies TRIAL_CONVICTION
    plea_mult: float  # multiplies GUILTY_PLEA
    days_mult: float  # multiplies the time to completion
    ineffective_mult: float
    isva_at_trial: float
    gap_mult: float


@dataclass(frozen=True)
class WorldPlan:
    forces: dict[str, ForcePlan]
    areas: dict[str, AreaPlan]


def plan_courts(seed: int) -> dict[str, CourtPlan]:
    """Each CPS Area's court parameters, from its own "court" stream (so adding stage three
    changes nothing else a seed gives); two of the larger Areas are conviction-rate outliers."""
    areas = [a.code for a in reference.cps_areas()]
    nat = org_rng(seed, "national", "court")
    served = area_population_k()
    eligible = [a for a in areas if served[a] >= CONVICTION_OUTLIER_MIN_POPULATION_K]
    picked = nat.choice(len(eligible), size=len(CONVICTION_OUTLIERS), replace=False)
    outliers = {eligible[int(i)]: m for i, m in zip(picked, CONVICTION_OUTLIERS, strict=True)}
    plans = {}
    for code in areas:
        rng = org_rng(seed, code, "court")
        conviction = float(rng.lognormal(0.0, COURT_AREA_SIGMA))
        conviction_mult, plea_mult = outliers.get(code, (conviction, 1.0))
        plans[code] = CourtPlan(
            code=code,
            conviction_mult=conviction_mult,
            plea_mult=plea_mult,
            days_mult=float(rng.lognormal(0.0, COURT_DAYS_AREA_SIGMA)),
            ineffective_mult=float(rng.lognormal(0.0, 0.35)),
            isva_at_trial=float(np.clip(rng.normal(ISVA_AT_TRIAL_MEAN, 0.1), 0.3, 0.9)),
            gap_mult=_gap_draw(rng) / _GAP_MEAN,
        )
    return plans


def area_population_k() -> dict[str, float]:
    """Population (thousands) each CPS Area serves: its forces' populations shared as the
    force-Area map shares their referrals (the Metropolitan Police between the London Areas)."""
    population = {f.code: f.population_k for f in reference.forces()}
    served: dict[str, float] = {}
    for force, area, share in reference.force_area_pairs():
        served[area] = served.get(area, 0.0) + population[force] * share
    return served


def _gap_draw(rng: np.random.Generator) -> float:
    """0 for an organisation with complete records, else a log-normal spread around 1."""
    clean = rng.random() < CLEAN_RECORDING_SHARE
    spread = float(rng.lognormal(0.0, GAP_SPREAD_SIGMA))
    return 0.0 if clean else spread


# Mean of _gap_draw, so an Area's multiplier averages 1 (forces are normalised by size).
_GAP_MEAN = (1 - CLEAN_RECORDING_SHARE) * float(np.exp(GAP_SPREAD_SIGMA**2 / 2))


def plan_world(seed: int) -> WorldPlan:
    """Draw every organisation's parameters; normalise so national figures hold."""
    forces = reference.forces()
    raw: dict[str, dict[str, float]] = {}
    for f in forces:
        rng = org_rng(seed, f.code, "params")
        raw[f.code] = {
            "size": f.population_k * float(rng.lognormal(0.0, 0.12)),
            "ref": float(rng.lognormal(0.0, REFERRAL_RATE_SD)),
            "ea": float(rng.lognormal(0.0, 0.35)),
            "nfa": float(rng.lognormal(0.0, 0.22)),
            "spec": float(
                np.clip(rng.normal(SPECIALIST_SHARE_2016_MEAN, SPECIALIST_SHARE_2016_SD), 0.08, 0.8)
            ),
            "eth_u": float(
                np.clip(rng.normal(ETHNICITY_UNRECORDED_MEAN, ETHNICITY_UNRECORDED_SD), 0.1, 0.65)
            ),
            "isva": float(np.clip(rng.normal(0.45, 0.08), 0.2, 0.7)),
            "contract": float(np.clip(rng.normal(0.45, 0.1), 0.15, 0.75)),
            "fsm": float(np.clip(rng.normal(FILE_STANDARD_MET_MEAN, 0.07), 0.45, 0.85)),
            "gaps": _gap_draw(rng),
        }
    # A few forces refer at about half or double the national rate (funnel-plot outliers).
    nat = org_rng(seed, "national", "national")
    eligible = sorted(
        f.code
        for f in forces
        if f.population_k >= OUTLIER_MIN_POPULATION_K and f.code != "metropolitan"
    )
    picked = nat.choice(len(eligible), size=len(REFERRAL_OUTLIER_MULTIPLIERS), replace=False)
    outliers = {
        eligible[int(i)]: m for i, m in zip(picked, REFERRAL_OUTLIER_MULTIPLIERS, strict=True)
    }

    total = sum(r["size"] for r in raw.values())
    share = {c: r["size"] / total for c, r in raw.items()}

    def normalised(key: str) -> dict[str, float]:
        mean = sum(share[c] * raw[c][key] for c in raw)
        return {c: raw[c][key] / mean for c in raw}

    ea, nfa, gaps = normalised("ea"), normalised("nfa"), normalised("gaps")
    # Ordinary forces vary a little; the outliers keep their multiplier, and the ordinary
    # ones are scaled so the national rate stays on the calibrated profile.
    ordinary = [c for c in raw if c not in outliers]
    ref_mean = sum(share[c] * raw[c]["ref"] for c in ordinary) / (
        1.0 - sum(share[c] * m for c, m in outliers.items())
    )
    ref = {c: outliers.get(c, raw[c]["ref"] / ref_mean) for c in raw}
    links: dict[str, list[tuple[str, float]]] = {}
    for fc, ac, s in reference.force_area_pairs():
        links.setdefault(fc, []).append((ac, s))
    plans = {
        f.code: ForcePlan(
            code=f.code,
            volume_share=share[f.code],
            referral_mult=ref[f.code],
            early_advice_mult=ea[f.code],
            nfa_days_mult=nfa[f.code],
            specialist_2016=raw[f.code]["spec"],
            ethnicity_unrecorded=raw[f.code]["eth_u"],
            ethnicity_profile=(
                "london"
                if f.code == "metropolitan"
                else "urban"
                if f.code in URBAN_FORCES
                else "standard"
            ),
            isva_base=raw[f.code]["isva"],
            contract_base=raw[f.code]["contract"],
            file_standard=raw[f.code]["fsm"],
            gap_mult=gaps[f.code],
            areas=tuple(links[f.code]),
        )
        for f in forces
    }
    areas: dict[str, AreaPlan] = {}
    lo, hi = DECISION_AREA_RANGE
    for a in reference.cps_areas():
        rng = org_rng(seed, a.code, "params")
        areas[a.code] = AreaPlan(
            code=a.code,
            decision_mean_days=float(
                np.clip(DECISION_MEAN_DAYS * rng.lognormal(0.0, DECISION_AREA_SIGMA), lo, hi)
            ),
            charge_mult=float(np.clip(rng.normal(1.0, 0.06), 0.85, 1.15)),
            f2f_base=float(np.clip(rng.normal(0.35, 0.1), 0.1, 0.7)),
            letter_within_1_day=float(
                np.clip(rng.normal(NFA_LETTER_WITHIN_1_DAY, 0.08), 0.45, 0.95)
            ),
            gap_mult=_gap_draw(rng) / _GAP_MEAN,
        )
    return WorldPlan(forces=plans, areas=areas)
