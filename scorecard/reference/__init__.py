"""Reference data (forces, CPS Areas, mapping, bodies, recommendations, outcome codes,
court outcomes).

The files under ``data/`` are the versioned source of truth; this module only reads them.
Comment lines beginning with ``#`` carry each file's source and are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

DATA_PACKAGE = "scorecard.reference.data"

# Files loaded into the warehouse's ``ref`` schema, one table each (name -> file).
TABLE_FILES: dict[str, str] = {
    "forces": "forces.csv",
    "cps_areas": "cps_areas.csv",
    "force_area_map": "force_area_map.csv",
    "regions": "regions.csv",
    "national_bodies": "national_bodies.csv",
    "offence_codes": "offence_codes.csv",
    "outcome_types": "outcome_types.csv",
    "court_outcomes": "court_outcomes.csv",
    "published_series": "published_series.csv",
    "inspection_case_files": "inspection_case_files.csv",
}


def read_text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a reference CSV as dicts, source comments removed."""
    lines = [ln for ln in read_text(name).splitlines() if not ln.startswith("#")]
    return tuple(csv.DictReader(io.StringIO("\n".join(lines))))


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    region: str
    local_policing_body: str
    lpb_type: str
    population_k: int


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Recommendation:
    rec_no: int
    title: str
    owner_rules: tuple[str, ...]
    due: str  # "immediate" | "default"
    evidence: tuple[str, ...]


@cache
def forces() -> tuple[Force, ...]:
    return tuple(
        Force(
            code=r["code"],
            name=r["name"],
            region=r["region"],
            local_policing_body=r["local_policing_body"],
            lpb_type=r["lpb_type"],
            population_k=int(r["population_k"]),
        )
        for r in read_csv("forces.csv")
    )


@cache
def cps_areas() -> tuple[Area, ...]:
    return tuple(Area(code=r["code"], name=r["name"]) for r in read_csv("cps_areas.csv"))


@cache
def force_area_pairs() -> tuple[tuple[str, str, float], ...]:
    """(force_code, area_code, share) for every link in the many-to-many mapping."""
    return tuple(
        (r["force_code"], r["area_code"], float(r["share"])) for r in read_csv("force_area_map.csv")
    )


def areas_for_force(force_code: str) -> tuple[str, ...]:
    return tuple(a for f, a, _ in force_area_pairs() if f == force_code)


def forces_for_area(area_code: str) -> tuple[str, ...]:
    return tuple(f for f, a, _ in force_area_pairs() if a == area_code)


@cache
def national_bodies() -> tuple[tuple[str, str], ...]:
    return tuple((r["code"], r["name"]) for r in read_csv("national_bodies.csv"))


@cache
def outcome_codes() -> tuple[str, ...]:
    return tuple(r["code"] for r in read_csv("outcome_types.csv"))


@cache
def court_outcome_codes() -> tuple[str, ...]:
    """Outcomes of a prosecution at completion (contract v1.1), in file order."""
    return tuple(r["code"] for r in read_csv("court_outcomes.csv"))


@cache
def successful_court_outcomes() -> tuple[str, ...]:
    """The outcomes that count as a successful prosecution (a conviction for any offence)."""
    return tuple(r["code"] for r in read_csv("court_outcomes.csv") if r["successful"] == "true")


@cache
def offence_codes() -> tuple[str, ...]:
    return tuple(r["code"] for r in read_csv("offence_codes.csv"))


@cache
def _recommendations_doc() -> dict:
    return yaml.safe_load(read_text("recommendations.yaml"))


def publication_date() -> date:
    value = _recommendations_doc()["publication_date"]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@cache
def recommendations() -> tuple[Recommendation, ...]:
    return tuple(
        Recommendation(
            rec_no=int(r["rec_no"]),
            title=str(r["title"]),
            owner_rules=tuple(r["owners"]),
            due=str(r["due"]),
            evidence=tuple(r.get("evidence") or ()),
        )
        for r in _recommendations_doc()["recommendations"]
    )


def expand_owner_rule(rule: str) -> tuple[str, ...]:
    """Organisation codes an owner rule names; raises on an unknown rule."""
    if rule == "all_forces":
        return tuple(f.code for f in forces())
    if rule == "all_cps_areas":
        return tuple(a.code for a in cps_areas())
    if rule in {code for code, _ in national_bodies()}:
        return (rule,)
    raise ValueError(f"unknown owner rule {rule!r} in recommendations.yaml")


def owners_of(rec_no: int) -> tuple[str, ...]:
    for rec in recommendations():
        if rec.rec_no == rec_no:
            return tuple(code for rule in rec.owner_rules for code in expand_owner_rule(rule))
    raise KeyError(f"no recommendation {rec_no}; there are 1-13")


def org_kind(code: str) -> str | None:
    """'force', 'cps_area', 'national' or None for an unknown code."""
    if code in {f.code for f in forces()}:
        return "force"
    if code in {a.code for a in cps_areas()}:
        return "cps_area"
    if code in {c for c, _ in national_bodies()}:
        return "national"
    return None


def all_org_codes() -> tuple[str, ...]:
    return (
        tuple(f.code for f in forces())
        + tuple(a.code for a in cps_areas())
        + tuple(c for c, _ in national_bodies())
    )
