"""Workforce returns (Recs 11-13) and recommendation progress returns, per organisation.

Small files: one workforce row per financial year, and one to three progress updates per
recommendation an owner holds. Neither depends on ``scale``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from scorecard import periods, reference
from scorecard.synthetic import profile as P
from scorecard.synthetic.arrays import NONE, date_array

TRAUMA_TRAINING_FROM_FY = 2021  # joint trauma training began after the 2021 report (Rec 13)

# Final status of an owner's progress on a recommendation, as at the snapshot.
FINAL_STATUS = {
    "not_started": 0.08,
    "in_progress": 0.45,
    "implemented": 0.37,
    "verified": 0.07,
    "not_applicable": 0.03,
}
EVIDENCE_PRESENT = 0.94
EVIDENCE_PHRASES = (
    "Policy updated and briefed to all RASSO staff; compliance audited quarterly.",
    "Dip sample of case files completed; findings reported to the local criminal justice "
    "board with an action plan.",
    "Training delivered to investigators and supervisors; attendance recorded.",
    "Joint police-CPS protocol signed and published on the intranet.",
    "Performance data now reviewed monthly at the joint RASSO governance meeting.",
    "Process embedded and tested by internal audit; no exceptions found.",
)
PROGRESS_NOTES = (
    "Working group established; terms of reference agreed.",
    "Scoping complete; delivery plan in draft.",
)


def _area_population_k(area: str) -> float:
    pop = {f.code: f.population_k for f in reference.forces()}
    return sum(pop[f] * s for f, a, s in reference.force_area_pairs() if a == area)


def workforce_table(org: str, seed: int, as_at: date) -> pa.Table:
    """One row per financial year 2016-17 to the snapshot's year; forces and Areas differ."""
    rng = P.org_rng(seed, org, "workforce")
    years = np.arange(P.FIRST_FY, periods.fy_start_year(as_at) + 1)
    k = len(years)
    after = np.maximum(0, years - 2020)  # years since the 2021 report
    noise = rng.lognormal(0.0, 0.08, size=k)
    trained = np.where(
        years >= TRAUMA_TRAINING_FROM_FY, np.rint((after * rng.uniform(8, 20)) * noise), 0
    )
    null_i = pa.nulls(k, pa.int64())
    null_f = pa.nulls(k, pa.float64())
    kind = reference.org_kind(org)
    if kind == "force":
        pop: float = next(f.population_k for f in reference.forces() if f.code == org)
        inv = np.rint(pop * rng.uniform(0.03, 0.06) * (1 + 0.12 * after) * noise)
        ssaidp = np.rint(inv * rng.uniform(0.15, 0.3, size=k))
        vac = np.rint(pop * rng.uniform(0.01, 0.04) * (1 + 0.3 * (years >= 2021)) * noise)
        cols = {
            "rasso_investigators_qualified": pa.array(inv.astype(np.int64)),
            "ssaidp_attendance": pa.array(ssaidp.astype(np.int64)),
            "detective_vacancies": pa.array(vac.astype(np.int64)),
            "rasso_prosecutors_fte": null_f,
            "rasso_prosecutor_vacancies": null_f,
        }
    else:
        pop = _area_population_k(org)
        fte = np.round(pop / rng.uniform(120, 180) * (1 + 0.08 * after) * noise, 1)
        vacf = np.round(fte * rng.uniform(0.02, 0.15, size=k), 1)
        cols = {
            "rasso_investigators_qualified": null_i,
            "ssaidp_attendance": null_i,
            "detective_vacancies": null_i,
            "rasso_prosecutors_fte": pa.array(fte),
            "rasso_prosecutor_vacancies": pa.array(vacf),
        }
    return pa.table(
        {
            "org_code": pa.array([org] * k),
            "financial_year": pa.array([periods.fy_label(int(y)) for y in years]),
            **cols,
            "joint_trauma_training_staff": pa.array(trained.astype(np.int64)),
        }
    )


def _owned(org: str) -> list[reference.Recommendation]:
    return [r for r in reference.recommendations() if org in reference.owners_of(r.rec_no)]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def recommendation_table(org: str, seed: int, as_at: date) -> pa.Table | None:
    """Progress updates for each recommendation ``org`` owns; None before there can be any."""
    rng = P.org_rng(seed, org, "recs")
    published = reference.publication_date()
    first, end = P.day(published) + 14, P.day(as_at)
    if end < first:
        return None
    statuses = list(FINAL_STATUS)
    p = np.array(list(FINAL_STATUS.values()))
    rows: dict[str, list] = {k: [] for k in ("rec_no", "status", "target", "evidence", "upd")}
    for rec in _owned(org):
        n = int(rng.integers(1, 4))
        final = int(rng.choice(len(statuses), p=p))
        updated = np.sort(rng.integers(first, end + 1, size=n))
        if final == statuses.index("not_applicable"):
            path = [final] * n
        else:  # earlier updates show earlier stages of the same journey
            path = [*sorted(int(rng.integers(0, final + 1)) for _ in range(n - 1)), final]
        months = 3 if rec.due == "immediate" else 12
        target = (
            P.day(_add_months(published, months + int(rng.integers(0, 7))))
            if rng.random() < 0.6
            else NONE
        )
        for st, upd in zip(path, updated, strict=True):
            name = statuses[st]
            if name in ("implemented", "verified") and rng.random() < EVIDENCE_PRESENT:
                phrase = EVIDENCE_PHRASES[int(rng.integers(len(EVIDENCE_PHRASES)))]
                ev = f"Rec {rec.rec_no}: {phrase}"
            elif name == "in_progress" and rng.random() < 0.4:
                ev = PROGRESS_NOTES[int(rng.integers(len(PROGRESS_NOTES)))]
            else:
                ev = None
            rows["rec_no"].append(rec.rec_no)
            rows["status"].append(name)
            rows["target"].append(target)
            rows["evidence"].append(ev)
            rows["upd"].append(int(upd))
    if not rows["rec_no"]:
        return None
    return pa.table(
        {
            "rec_no": pa.array(rows["rec_no"], type=pa.int64()),
            "owner_code": pa.array([org] * len(rows["rec_no"])),
            "status": pa.array(rows["status"]),
            "target_date": date_array(np.array(rows["target"])),
            "evidence": pa.array(rows["evidence"], type=pa.string()),
            "updated_on": date_array(np.array(rows["upd"])),
        }
    )
