"""Data for the attrition view (``flow.attrition``): one cohort of recorded offences from
report to verdict - recorded, referred to the CPS, charged, completed at court, convicted -
as a percentage of the cohort's recorded offences, as at the extract date, the force beside
national. The completed and convicted stages exist only where court outcomes have been sent
(``mart.court_coverage``); where not, they read "not yet sent", never zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.data import scorecard as sd
from dashboard.data import source
from dashboard.data.scorecard import as_number, reason_of
from dashboard.data.source import snapshot_cached
from dashboard.ui.wording import NOT_YET_SENT, court_not_sent_words, day_words, format_value
from scorecard import periods

METRIC = "flow.attrition"
RECORDED = "volume.recorded"  # the cohort's size when no stage's base is published
NATIONAL = "England and Wales"
# (breakdown, stage as shown); "recorded" is the cohort itself (100%).
STAGES: tuple[tuple[str, str], ...] = (
    ("recorded", "Recorded"),
    ("referred", "Referred to the CPS"),
    ("charged", "Charged"),
    ("completed", "Completed at court"),
    ("convicted", "Convicted"),
)
COURT_STAGES = frozenset({"completed", "convicted"})
PLOT_COLUMNS = ["label", "org", "value", "text"]


@dataclass(frozen=True)
class Attrition:
    year: str
    headline: str
    plot: pd.DataFrame  # label, org, value (None: not drawn), text
    frame: pd.DataFrame  # the table and CSV: Stage, then per organisation % and offences
    notes: tuple[str, ...]


@snapshot_cached
def cohort_years() -> tuple[str, ...]:
    """Financial years the national attrition is published for, newest first."""
    got = source.query(
        "SELECT DISTINCT period FROM mart.metric_values WHERE metric_id = ? AND level = ?",
        [METRIC, "national"],
    )
    found = [p for p in got["period"] if isinstance(p, str) and periods.is_valid(p)]
    return tuple(sorted((p for p in found if periods.kind(p) == "fy"), reverse=True))


def default_year(years: tuple[str, ...], as_at: date | None) -> str | None:
    """The latest complete cohort year (ended by the data's as-at date), else the latest."""
    for y in years:
        if as_at is None or periods.bounds(y)[1] <= as_at:
            return y
    return years[0] if years else None


@snapshot_cached
def court_coverage() -> dict[tuple[str, str], tuple[bool, date | None]]:
    """{(level, org_code): (sent, as-at)} from mart.court_coverage (CPS Areas and forces)."""
    got = source.query("SELECT level, org_code, sent, court_as_at FROM mart.court_coverage", [])
    out: dict[tuple[str, str], tuple[bool, date | None]] = {}
    for r in got.to_dict("records"):
        when = r["court_as_at"]
        day = None if when is None or pd.isna(when) else pd.Timestamp(when).date()
        out[(r["level"], r["org_code"])] = (bool(r["sent"]), day)
    return out


@snapshot_cached
def area_names() -> dict[str, str]:
    got = source.query("SELECT code, name FROM ref.cps_areas", [])
    return dict(zip(got["code"], got["name"], strict=True))


@snapshot_cached
def force_areas(force_code: str) -> tuple[str, ...]:
    got = source.query(
        "SELECT area_code FROM ref.force_area_map WHERE force_code = ? ORDER BY area_code",
        [force_code],
    )
    return tuple(got["area_code"])


def _rows(year: str, orgs: list[tuple[str, str]]) -> dict[tuple[str, str, str], dict]:
    """The cohort's rows keyed (level, org, stage); stage "recorded" is the year's count of
    recorded offences (``volume.recorded``), the cohort's size where no stage gives it."""
    got = sd.mart_rows(orgs, [year])
    stages = got[
        (got["metric_id"] == METRIC) & (got["basis"] == "cohort") & (got["stat"] == "rate")
    ]
    out = {
        (r["level"], r["org_code"], r["breakdown"].removeprefix("reached=")): r
        for r in stages.to_dict("records")
    }
    counts = got[
        (got["metric_id"] == RECORDED)
        & (got["basis"] == "period")
        & (got["stat"] == "count")
        & (got["breakdown"] == "")
    ]
    for r in counts.to_dict("records"):
        out.setdefault((r["level"], r["org_code"], "recorded"), r)
    return out


def _recorded(rows: dict[tuple[str, str, str], dict], level: str, org: str) -> float | None:
    """The cohort's recorded offences: the base of the first stage published (a court stage's
    base is the whole cohort only where it has been sent, which is when it is published),
    else the year's recorded count (where every published stage is suppressed and the court
    stages are not yet sent)."""
    for key in ("referred", "charged", "completed", "convicted"):
        got = rows.get((level, org, key))
        n = as_number(got.get("denominator")) if got else None
        if n is not None:
            return n
    count = rows.get((level, org, "recorded"))
    if count is None or reason_of(count.get("suppressed")):
        return None
    return as_number(count.get("value"))


def _count(v: object) -> str:
    n = as_number(v)
    return "" if n is None else f"{n:,.0f}"


@snapshot_cached
def attrition(year: str, force_code: str | None = None, force_name: str | None = None) -> Attrition:
    """The cohort of ``year`` for the force (if given) beside national: plot and table
    frames, a headline sentence and notes on what the court stages cover."""
    orgs = [("national", "national", NATIONAL)]
    if force_code:
        orgs.insert(0, ("force", force_code, force_name or force_code))
    rows = _rows(year, [(lv, org) for lv, org, _ in orgs])
    cover = court_coverage()
    names = area_names()
    plot: list[dict] = []
    table: dict[str, dict] = {label: {"Stage": label} for _, label in STAGES}
    for level, org, name in orgs:
        recorded = _recorded(rows, level, org)
        sent = (
            any(s for (lv, _), (s, _) in cover.items() if lv == "cps_area")
            if level == "national"
            else cover.get(("force", org), (False, None))[0]
        )
        for key, label in STAGES:
            if key == "recorded":
                value = 100.0 if recorded else None
                text = "100%" if recorded else "no data"
                count = _count(recorded)
            else:
                got = rows.get((level, org, key))
                if got is None:
                    value = None
                    text = NOT_YET_SENT if key in COURT_STAGES and not sent else "no data"
                    count = ""
                else:
                    reason = reason_of(got.get("suppressed"))
                    value = None if reason else as_number(got.get("value"))
                    text = format_value(as_number(got.get("value")), "percent", reason)
                    count = "" if reason else _count(got.get("numerator"))
            short = "suppressed" if text.startswith("suppressed") else text  # the chart's words
            plot.append({"label": label, "org": name, "value": value, "text": short})
            table[label][f"{name}: % of recorded"] = text
            table[label][f"{name}: offences"] = count
    frame = pd.DataFrame(list(table.values()))
    notes: list[str] = []
    if force_code:
        unsent = [
            names.get(a, a)
            for a in force_areas(force_code)
            if not cover.get(("cps_area", a), (False, None))[0]
        ]
        if unsent:
            notes.append(court_not_sent_words(unsent) + ": the court stages are not shown.")
    unsent_all = sorted(
        names.get(org, org) for (lv, org), (s, _) in cover.items() if lv == "cps_area" and not s
    )
    if unsent_all:
        notes.append(
            f"National completed and convicted figures cover only forces whose CPS Areas have "
            f"all sent court outcomes; {len(unsent_all)} of "
            f"{sum(1 for lv, _ in cover if lv == 'cps_area')} Areas have not yet sent."
        )
    return Attrition(
        year=year,
        headline=_headline(year, orgs[0], rows, cover),
        plot=pd.DataFrame(plot, columns=PLOT_COLUMNS),
        frame=frame,
        notes=tuple(notes),
    )


def _headline(
    year: str,
    org: tuple[str, str, str],
    rows: dict[tuple[str, str, str], dict],
    cover: dict[tuple[str, str], tuple[bool, date | None]],
) -> str:
    """'Of 55,895 rape offences recorded in 2019-20 in Kent, 2.4% had led to a conviction by
    3 Dec 2026.' (the convicted stage's own base, which covers only forces that sent)."""
    level, code, name = org
    where = "" if level == "national" else f" in {name}"
    convicted = rows.get((level, code, "convicted"))
    referred = rows.get((level, code, "referred"))
    if convicted is None or reason_of(convicted.get("suppressed")):
        if referred is None:
            return f"No attrition figures for offences recorded in {year}{where}."
        charged = rows.get((level, code, "charged"))
        charged_text = sd.cell_text(charged, "percent")
        size = _count(_recorded(rows, level, code))
        lead = (
            f"Of {size + ' ' if size else 'the '}rape offences recorded in {year}{where}, "
            f"{charged_text} had been charged"
        )
        if convicted is None:
            return f"{lead}; court outcomes are {NOT_YET_SENT}."
        return f"{lead}; the conviction figure is {sd.cell_text(convicted, 'percent')}."
    as_at = _as_at(level, code, cover)
    by = f" by {day_words(as_at)}" if as_at else ""
    return (
        f"Of {_count(convicted.get('denominator'))} rape offences recorded in {year}{where}, "
        f"{sd.cell_text(convicted, 'percent')} had led to a conviction{by}."
    )


def _as_at(
    level: str, code: str, cover: dict[tuple[str, str], tuple[bool, date | None]]
) -> date | None:
    if level == "force":
        return cover.get(("force", code), (False, None))[1]
    days = [d for (lv, _), (s, d) in cover.items() if lv == "cps_area" and s and d]
    return max(days) if days else sd.period_info().data_as_at


def cohort_for(period: str, as_at: date | None) -> tuple[str | None, str | None]:
    """(cohort year, note) for a page showing ``period``: that financial year when its cohort
    is published, else the latest complete cohort year, saying so."""
    years = cohort_years()
    if period in years:
        return period, None
    year = default_year(years, as_at)
    if year is None:
        return None, None
    return year, f"Cohorts are followed by financial year; showing {year}, the latest complete."
