"""The straightforward pandas script an analyst would otherwise write: the ETL's yardstick.

    python -m bench.pandas_baseline DATA_DIR [--warehouse FILE] [--json]

Reads every police and CPS case extract in DATA_DIR with ``pandas.read_csv``, links CPS
referrals to police records as the metric catalogue says (``warehouse/metrics/catalogue.yaml``
header: on the URN, else on the crime reference within the same force; the cohort date of a
CPS record is the earliest recorded date of its linked police records), and computes eight
of the scorecard's metrics by force and financial year, for both bases where the catalogue
has them. No validation, no pseudonyms, no vintages, no disclosure control: only the numbers.

With ``--warehouse`` (a warehouse or serving snapshot built from the same files) it compares
its figures with ``mart.metric_values`` (force and joint level, financial years, values not
suppressed) and prints how many agree. ``--json`` prints one JSON object (seconds, peak RSS,
agreement) for bench/etl_bench.py, which runs it in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

POLICE_DATES = ["recorded_date", "first_referral_date", "outcome_date"]
CPS_DATES = ["received_date", "decision_date"]
POLICE_NFA = ["14", "15", "16", "18", "21"]
METRICS = (
    "volume.recorded",
    "volume.referred",
    "volume.charged",
    "rate.referral",
    "rate.police_charge",
    "rate.cps_charge",
    "time.report_to_police_nfa",
    "engage.withdrawal",
)
KEY = ["metric_id", "stat", "breakdown", "basis", "org_code", "period"]


def fy(dates: pd.Series) -> pd.Series:
    """Financial year label (2023-24) of each date; April starts the year."""
    start = dates.dt.year - (dates.dt.month < 4)
    label = (
        start.astype("Int64").astype(str)
        + "-"
        + ((start + 1) % 100).astype("Int64").astype(str).str.zfill(2)
    )
    return label.where(dates.notna())


def read_police(data: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(data.glob("police_cases__*.csv")):
        f = pd.read_csv(path, dtype=str, parse_dates=POLICE_DATES)
        f["force_code"] = path.name.split("__")[1]
        f["as_at"] = pd.Timestamp(path.stem.split("__")[2])
        frames.append(f)
    police = pd.concat(frames, ignore_index=True)
    for col in ("outcome_code", "team_type"):
        police[col] = police[col].str.strip().str.lower()
    return police


def read_cps(data: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(data.glob("cps_cases__*.csv")):
        f = pd.read_csv(path, dtype=str, parse_dates=CPS_DATES)
        f["area_code"] = path.name.split("__")[1]
        frames.append(f)
    cps = pd.concat(frames, ignore_index=True)
    for col in ("decision", "police_force_code"):
        cps[col] = cps[col].str.strip().str.lower()
    return cps


def link(police: pd.DataFrame, cps: pd.DataFrame) -> pd.DataFrame:
    """One CPS case (area_code, urn) per police record that has one: URN first, then crime ref."""
    keys = ["area_code", "urn", "received_date"]
    by_urn = police[["force_code", "crime_ref", "cps_urn"]].merge(
        cps[keys], left_on="cps_urn", right_on="urn"
    )
    by_urn["priority"] = 1
    by_ref = police[["force_code", "crime_ref"]].merge(
        cps[[*keys, "crime_ref", "police_force_code"]],
        left_on=["crime_ref", "force_code"],
        right_on=["crime_ref", "police_force_code"],
    )
    by_ref["priority"] = 2
    cand = pd.concat([by_urn, by_ref], ignore_index=True)
    cand = cand.sort_values(["force_code", "crime_ref", "priority", "received_date", *keys[:2]])
    return cand.drop_duplicates(["force_code", "crime_ref"])[
        ["force_code", "crime_ref", "area_code", "urn"]
    ]


def _count(df: pd.DataFrame, date_col: str, metric: str, basis: str, breakdown: str = ""):
    out = df.groupby(["force_code", fy(df[date_col]).rename("period")]).size()
    out = out.rename("value").reset_index().rename(columns={"force_code": "org_code"})
    return out.assign(metric_id=metric, stat="count", breakdown=breakdown, basis=basis)


def _rate(df: pd.DataFrame, date_col: str, hit: pd.Series, metric: str, basis: str):
    g = hit.astype(float).groupby([df["force_code"], fy(df[date_col]).rename("period")])
    out = (100 * g.sum() / g.count()).rename("value").reset_index()
    out = out.rename(columns={"force_code": "org_code"})
    return out.assign(metric_id=metric, stat="rate", breakdown="", basis=basis)


def compute(data: Path) -> pd.DataFrame:
    """The eight metrics, one row per (metric, stat, breakdown, basis, force, year)."""
    police = read_police(data)
    cps = read_cps(data)
    links = link(police, cps)
    # CPS side: the cohort date is the earliest recorded date of the linked police records.
    linked_dates = links.merge(police[["force_code", "crime_ref", "recorded_date"]])
    cohort = linked_dates.groupby(["area_code", "urn"])["recorded_date"].min()
    cps = cps.merge(
        cohort.rename("police_recorded_date").reset_index(), on=["area_code", "urn"], how="left"
    )
    cps["force_code"] = cps["police_force_code"]
    # Police side: the linked CPS decision decides whether an NFA is the police's.
    police = police.merge(links, on=["force_code", "crime_ref"], how="left").merge(
        cps[["area_code", "urn", "decision"]], on=["area_code", "urn"], how="left"
    )
    out: list[pd.DataFrame] = []

    out.append(_count(police, "recorded_date", "volume.recorded", "period"))
    referred = police[police.first_referral_date.notna()]
    out.append(_count(referred, "first_referral_date", "volume.referred", "period", "view=police"))
    out.append(_count(cps, "received_date", "volume.referred", "period", "view=cps"))
    charged = cps[cps.decision == "charge"]
    out.append(_count(charged, "decision_date", "volume.charged", "period"))
    out.append(
        _count(
            charged[charged.police_recorded_date.notna()],
            "police_recorded_date",
            "volume.charged",
            "cohort",
        )
    )

    # rate.referral, period: referrals dated in the year per 100 offences recorded in it.
    rec = police.groupby(["force_code", fy(police.recorded_date).rename("period")]).size()
    ref = referred.groupby(["force_code", fy(referred.first_referral_date).rename("period")]).size()
    both = pd.concat([rec.rename("den"), ref.rename("num")], axis=1).fillna(0)
    both = both[both.den > 0]
    period_rate = (100 * both.num / both.den).rename("value").reset_index()
    period_rate = period_rate.rename(columns={"force_code": "org_code"})
    out.append(
        period_rate.assign(metric_id="rate.referral", stat="rate", breakdown="", basis="period")
    )
    # cohort: referred within 12 months, of offences recorded at least 12 months before as_at.
    year_on = police.recorded_date + pd.DateOffset(months=12)
    mature = police[year_on <= police.as_at]
    within = mature.first_referral_date.notna() & (
        mature.first_referral_date <= year_on[mature.index]
    )
    out.append(_rate(mature, "recorded_date", within, "rate.referral", "cohort"))

    outcomes = police[police.outcome_code.notna()]
    for basis, col in (("period", "outcome_date"), ("cohort", "recorded_date")):
        charged_out = outcomes.outcome_code.isin(["1", "1a"])
        out.append(_rate(outcomes, col, charged_out, "rate.police_charge", basis))
        withdrawn = outcomes.outcome_code.isin(["14", "16"])
        out.append(_rate(outcomes, col, withdrawn, "engage.withdrawal", basis))

    decided = cps[cps.decision.isin(["charge", "nfa"])]
    out.append(_rate(decided, "decision_date", decided.decision == "charge", "rate.cps_charge",
                     "period"))  # fmt: skip
    linked = decided[decided.police_recorded_date.notna()]
    out.append(_rate(linked, "police_recorded_date", linked.decision == "charge",
                     "rate.cps_charge", "cohort"))  # fmt: skip

    nfa = police[police.outcome_code.isin(POLICE_NFA) & (police.decision.fillna("") != "nfa")]
    days = (nfa.outcome_date - nfa.recorded_date).dt.days
    for basis, col in (("period", "outcome_date"), ("cohort", "recorded_date")):
        period = fy(nfa[col]).rename("period")
        for extra in ([], [nfa.team_type]):
            g = days.groupby([nfa.force_code, *extra, period])
            stats = pd.concat([g.mean().rename("mean"), g.median().rename("median")], axis=1)
            stats = stats.reset_index().melt(
                id_vars=[c for c in stats.index.names], var_name="stat", value_name="value"
            )
            label = "team_type=" + stats.pop("team_type") if extra else ""
            out.append(
                stats.rename(columns={"force_code": "org_code"}).assign(
                    metric_id="time.report_to_police_nfa", breakdown=label, basis=basis
                )
            )
    result = pd.concat(out, ignore_index=True)[[*KEY, "value"]]
    return result.dropna(subset=["period"])


def compare(ours: pd.DataFrame, warehouse: Path) -> dict:
    """Agreement with mart.metric_values on every unsuppressed force-year value it has.

    Police-side metrics are published at force level, CPS-side ones (charges) at joint
    level, whose organisation is the police force the CPS record names.
    """
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    mart = con.execute(
        "SELECT DISTINCT metric_id, stat, breakdown, basis, org_code, period, value "
        "FROM mart.metric_values WHERE level IN ('force', 'joint') AND length(period) = 7 "
        "AND suppressed IS NULL AND list_contains($ids, metric_id)",
        {"ids": list(METRICS)},
    ).df()
    con.close()
    both = mart.merge(ours, on=KEY, how="left", suffixes=("_mart", "_pandas"))
    missing = int(both.value_pandas.isna().sum())
    close = np.isclose(both.value_mart, both.value_pandas, rtol=1e-6, atol=1e-6)
    per_metric = {
        m: {"compared": int((g.metric_id == m).sum()), "agree": int(close[g.index].sum())}
        for m, g in both.groupby("metric_id")
    }
    return {
        "mart_values": len(mart),
        "agree": int(close.sum()),
        "disagree": int((~close).sum()) - missing,
        "missing_in_pandas": missing,
        "per_metric": per_metric,
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--warehouse", type=Path, help="compare with this DuckDB file's marts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    values = compute(args.data)
    seconds = time.perf_counter() - started
    result: dict = {"pandas_s": round(seconds, 2), "pandas_peak_rss_mib": round(peak_rss_mib()),
                    "pandas_values": len(values)}  # fmt: skip
    if args.warehouse:
        result["agreement"] = compare(values, args.warehouse)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"pandas baseline: {seconds:.2f} s, peak RSS {result['pandas_peak_rss_mib']} MiB, "
              f"{len(values):,} values")  # fmt: skip
        if "agreement" in result:
            a = result["agreement"]
            print(f"agreement with mart.metric_values: {a['agree']:,} of {a['mart_values']:,} "
                  f"agree, {a['disagree']} differ, {a['missing_in_pandas']} missing")  # fmt: skip
            for m, c in a["per_metric"].items():
                print(f"  {m:<28} {c['agree']:>6,} / {c['compared']:,}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
