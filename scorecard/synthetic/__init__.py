"""Synthetic national extracts: every force, CPS Area and national body, per the contract.

``generate_all`` writes what the real senders would: for each force its police_cases,
workforce and recommendation_updates; for each CPS Area its cps_cases, cps_action_plans,
cps_court_outcomes (contract v1.1; ``contract="1.0"`` leaves them out, a nation that has not
sent stage three yet), workforce and recommendation_updates; for each national body its
recommendation_updates.
Volumes and rates are calibrated to the 2021 joint inspection's published figures (see
:mod:`scorecard.synthetic.profile`), so the dashboard shows a believable nation, and the
output is byte-identical for the same seed, scale and as-at date.

Organisations are generated one at a time, CPS Area by CPS Area: a force's referrals wait
in memory only until the Area(s) serving it are written.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from scorecard import reference
from scorecard.contract import KINDS_SINCE
from scorecard.synthetic import profile
from scorecard.synthetic.court import generate_court
from scorecard.synthetic.cps import generate_cps
from scorecard.synthetic.governance import recommendation_table, workforce_table
from scorecard.synthetic.police import Referrals, generate_police
from scorecard.synthetic.write import write_extract

__all__ = ["CONTRACT_VERSIONS", "DEFAULT_AS_AT", "GenerateOptions", "Summary", "generate_all"]

log = logging.getLogger(__name__)

DEFAULT_AS_AT = date(2026, 9, 30)
# Contract versions a generated nation can follow, and the kinds each leaves out.
CONTRACT_VERSIONS = ("1.1", "1.0")


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate: the same options always give byte-identical files."""

    out: Path
    seed: int = 1
    scale: float = 1.0
    as_at: date = DEFAULT_AS_AT
    fmt: str = "csv"
    contract: str = "1.1"  # "1.0": no court outcomes (a nation not yet sending stage three)

    @property
    def kinds_left_out(self) -> frozenset[str]:
        """Kinds added by a later contract version than the one generated."""
        return frozenset(
            k for k, v in KINDS_SINCE.items() if tuple(map(int, v.split("."))) > self._version
        )

    @property
    def _version(self) -> tuple[int, ...]:
        return tuple(map(int, self.contract.split(".")))


@dataclass
class Summary:
    """What was written, so the command (and tests) can report it without re-reading."""

    files: int = 0
    rows: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, rows: int) -> None:
        self.files += 1
        self.rows += rows
        self.by_kind[kind] = self.by_kind.get(kind, 0) + rows


def _check(options: GenerateOptions) -> Path:
    out = Path(options.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is a file; give a folder for the extracts")
    if not (
        isinstance(options.scale, int | float)
        and math.isfinite(options.scale)
        and options.scale > 0
    ):
        raise ValueError(f"scale must be a finite number greater than 0, not {options.scale!r}")
    if options.seed < 0:
        raise ValueError(f"seed must be 0 or more, not {options.seed}")
    if options.as_at < profile.START:
        raise ValueError(f"as_at {options.as_at} is before {profile.START}, the contract's start")
    if options.contract not in CONTRACT_VERSIONS:
        raise ValueError(f"contract must be one of {CONTRACT_VERSIONS}, not {options.contract!r}")
    if options.fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, not {options.fmt!r}")
    out.mkdir(parents=True, exist_ok=True)
    return out


def generate_all(
    options: GenerateOptions,
    progress: bool = False,
    on_org: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write every organisation's extracts into ``options.out``; return what was written.

    ``progress`` draws a bar; ``on_org(done, total)`` is called as each organisation is
    written, for a caller that shows progress its own way (``scorecard demo``)."""
    out = _check(options)
    seed, scale, as_at, fmt = options.seed, options.scale, options.as_at, options.fmt
    world = profile.plan_world(seed)
    summary = Summary()
    forces = [f.code for f in reference.forces()]
    areas = [a.code for a in reference.cps_areas()]
    bodies = [code for code, _ in reference.national_bodies()]

    left_out = options.kinds_left_out
    courts = profile.plan_courts(seed)

    def write(table: pa.Table | None, kind: str, org: str) -> None:
        if kind in left_out:
            return
        if table is None:
            log.info("no %s rows for %s as at %s; file skipped", kind, org, as_at)
            return
        write_extract(table, kind, org, as_at, out, fmt)
        summary.add(kind, table.num_rows)

    def governance(org: str) -> None:
        write(recommendation_table(org, seed, as_at), "recommendation_updates", org)

    pending: dict[str, dict[str, Referrals]] = {a: {} for a in areas}
    done: set[str] = set()
    log.info("generating extracts: seed %s, scale %s, as at %s, into %s", seed, scale, as_at, out)
    with tqdm(
        total=len(forces) + len(areas) + len(bodies),
        desc="generate",
        unit="org",
        file=sys.stderr,
        disable=not progress,
    ) as bar:
        written = [0]  # a disabled bar counts nothing

        def org_done() -> None:
            bar.update()
            written[0] += 1
            if on_org is not None:
                on_org(written[0], len(forces) + len(areas) + len(bodies))

        for area in areas:
            for force in reference.forces_for_area(area):
                if force in done:
                    continue
                bar.set_postfix_str(force)
                table, referrals = generate_police(world.forces[force], world, seed, scale, as_at)
                write(table, "police_cases", force)
                write(workforce_table(force, seed, as_at), "workforce", force)
                governance(force)
                for a, r in referrals.items():
                    pending[a][force] = r
                done.add(force)
                org_done()
            bar.set_postfix_str(area)
            parts = [pending[area].pop(f) for f in reference.forces_for_area(area)]
            cases, plans, charged = generate_cps(world.areas[area], parts, seed, as_at)
            write(cases, "cps_cases", area)
            write(plans, "cps_action_plans", area)
            if "cps_court_outcomes" not in left_out:
                court = generate_court(courts[area], charged, seed, as_at)
                write(court, "cps_court_outcomes", area)
            write(workforce_table(area, seed, as_at), "workforce", area)
            governance(area)
            del pending[area]
            org_done()
        for body in bodies:
            governance(body)
            org_done()
    missing = set(forces) - done
    if missing:
        raise RuntimeError(f"forces not mapped to any CPS Area: {sorted(missing)}")
    log.info("wrote %d files, %d rows to %s", summary.files, summary.rows, out)
    return summary
