"""Queries behind ``/recommendations`` and ``/recommendations/<n>``: the mart's status of
every recommendation x owner, overlaid with any newer update an owner made in the app.

The mart (``mart.recommendation_status``) holds the latest return each owner sent in its
extract; the app database holds updates made on the page. Whichever is newer wins, and the
overdue flag and RAG are recomputed with the rule the mart's SQL is generated from
(:mod:`scorecard.rag`, as at the snapshot's latest extract date) so both are judged alike.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from accounts import appdb
from dashboard.data import source
from dashboard.data.source import snapshot_cached
from dashboard.ui.status import KIND_ORDER, OWNER_KIND_TEXT, STATUS_TEXT, status_words
from dashboard.ui.wording import format_value, position_text
from scorecard import labels, reference
from scorecard.contract import REC_STATUSES
from scorecard.rag import rag_of

log = logging.getLogger(__name__)


def _d(v: Any) -> date | None:
    if v is None or (not isinstance(v, date) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp | datetime):
        return v.date()
    return v


def _s(v: Any) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


STATUS_COLUMNS = [
    "rec_no", "title", "owner_code", "owner_name", "owner_kind", "status", "target_date",
    "target_source", "as_at", "overdue", "days_overdue", "rag", "last_updated_on",
    "evidence", "source", "updated_by",
]  # fmt: skip


def app_version() -> tuple[int, int]:
    """(number of app updates, newest id): changes on every save, so anything memoised on
    it is rebuilt right after an owner's update (in this or any other worker process)."""
    t = appdb.rec_updates
    with appdb.engine().connect() as con:
        n, top = con.execute(sa.select(sa.func.count(), sa.func.max(t.c.id))).one()
    return int(n or 0), int(top or 0)


@snapshot_cached
def _mart_status() -> tuple[dict[str, Any], ...]:
    """Every recommendation x owner row of the mart, dates as dates (read once a snapshot)."""
    mart = source.query(
        "SELECT rec_no, title, owner_code, owner_kind, status, target_date, target_source, "
        "as_at, overdue, rag, last_updated_on, evidence FROM mart.recommendation_status "
        "ORDER BY rec_no, owner_code",
        [],
    )
    rows = []
    for r in mart.to_dict("records"):
        r["rec_no"] = int(r["rec_no"])
        r["target_date"] = _d(r["target_date"])
        r["last_updated_on"] = _d(r["last_updated_on"])
        r["as_at"] = _d(r["as_at"])
        r["evidence"] = _s(r["evidence"])
        r["owner_name"] = appdb.owner_name(r["owner_code"])
        rows.append(r)
    return tuple(rows)


def _day(value: Any) -> date | None:
    """A mart date as a date: pandas gives NaT for a missing one and Timestamps for others."""
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def _effective(mart: Iterable[dict[str, Any]], app: dict[tuple[int, str], dict]) -> pd.DataFrame:
    """The mart's rows with any newer app update laid over them."""
    rows = []
    for m in mart:
        r = dict(m)
        r["source"], r["updated_by"] = "extract return", ""
        upd = app.get((r["rec_no"], r["owner_code"]))
        if upd is not None and (
            (last := _day(r["last_updated_on"])) is None or upd["at"].date() >= last
        ):
            r["status"] = upd["after_status"]
            if upd["after_target_date"] is not None:
                r["target_date"] = upd["after_target_date"]
                r["target_source"] = "owner"
            r["evidence"] = upd["after_evidence"]
            r["last_updated_on"] = upd["at"].date()
            r["source"], r["updated_by"] = "app update", upd["who"]
            r["rag"], r["overdue"] = rag_of(r["status"], r["target_date"], r["as_at"])
        r["overdue"] = bool(r["overdue"])
        r["days_overdue"] = (
            (r["as_at"] - r["target_date"]).days if r["overdue"] and r["target_date"] else 0
        )
        rows.append(r)
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


@snapshot_cached
def _status(rec_no: int | None, version: tuple[int, int]) -> pd.DataFrame:
    """The effective status table for a snapshot and an app-database version."""
    mart = _mart_status()
    if rec_no is not None:
        mart = tuple(r for r in mart if r["rec_no"] == rec_no)
    return _effective(mart, appdb.latest(rec_no))


def status_table(rec_no: int | None = None) -> pd.DataFrame:
    """Every recommendation x owner (or one recommendation's owners) with the effective
    status: the mart's, or a newer app update (``source`` says which).

    Memoised per snapshot and per app-database version (:func:`app_version`), so a save
    shows on the next read; the frame returned is the caller's own copy."""
    return _status(rec_no, app_version()).copy()


def current_state(rec_no: int, owner_code: str) -> appdb.RecState | None:
    df = status_table(rec_no)
    row = df[df["owner_code"] == owner_code]
    if row.empty:
        return None
    r = row.iloc[0]
    return appdb.RecState(str(r["status"]), _d(r["target_date"]), _s(r["evidence"]))


@snapshot_cached
def _as_at() -> date | None:
    df = source.query("SELECT max(as_at) AS as_at FROM mart.recommendation_status", [])
    return None if df.empty else _d(df["as_at"].iloc[0])


def as_at() -> date | None:
    """The latest return date in the snapshot (overdue is judged as at this date)."""
    return _as_at()


# --- shown figures -----------------------------------------------------------------------


def owner_grid(df: pd.DataFrame) -> pd.DataFrame:
    """Owners (rows) x recommendations (columns), each cell the status and RAG in words;
    blank where the organisation does not own the recommendation."""
    recs = sorted(df["rec_no"].unique())
    owners = (
        df[["owner_code", "owner_name", "owner_kind"]]
        .drop_duplicates()
        .assign(k=lambda x: x["owner_kind"].map(KIND_ORDER))
        .sort_values(["k", "owner_name"])
    )
    cells = {(r.rec_no, r.owner_code): status_words(r.status, r.rag) for r in df.itertuples()}
    rows = []
    for o in owners.itertuples():
        row = {"Owner": o.owner_name, "Owner type": OWNER_KIND_TEXT.get(o.owner_kind, "")}
        for n in recs:
            row[f"Rec {n}"] = cells.get((n, o.owner_code), "")
        rows.append(row)
    return pd.DataFrame(rows, columns=["Owner", "Owner type"] + [f"Rec {n}" for n in recs])


def owner_rows(df: pd.DataFrame, owner_code: str) -> pd.DataFrame:
    """One organisation's recommendations (the owner's landing table): overdue first, most
    overdue first, then the rest by number."""
    mine = df[df["owner_code"] == owner_code].sort_values(
        ["overdue", "days_overdue", "rec_no"], ascending=[False, False, True]
    )
    return pd.DataFrame(
        {
            "Recommendation": mine["rec_no"].astype(int).tolist(),
            "Title": mine["title"].tolist(),
            "Status": [
                status_words(s, g) for s, g in zip(mine["status"], mine["rag"], strict=True)
            ],
            "Target date": [str(d or "none") for d in mine["target_date"]],
            "Days overdue": [str(int(v)) if v else "" for v in mine["days_overdue"]],
            "Last update": [str(d or "none") for d in mine["last_updated_on"]],
        },
        columns=["Recommendation", "Title", "Status", "Target date", "Days overdue", "Last update"],
    )


def overdue_count(df: pd.DataFrame, owner_code: str) -> tuple[int, int]:
    """(overdue, owned) recommendations of one organisation."""
    mine = df[df["owner_code"] == owner_code]
    return int(mine["overdue"].sum()), len(mine)


def rec_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per recommendation: owners and how many are green, amber, red and grey."""
    rows = []
    for n, part in df.groupby("rec_no", sort=True):
        counts = part["rag"].value_counts()
        rows.append(
            {
                "Recommendation": int(n),
                "Title": part["title"].iloc[0],
                "Owners": len(part),
                "Done (green)": int(counts.get("green", 0)),
                "In hand (amber)": int(counts.get("amber", 0)),
                "Overdue (red)": int(counts.get("red", 0)),
                "Not applicable (grey)": int(counts.get("grey", 0)),
            }
        )
    return pd.DataFrame(rows)


def overdue_list(df: pd.DataFrame) -> pd.DataFrame:
    """The escalation list: every overdue recommendation x owner, most overdue first."""
    late = df[df["overdue"]].sort_values(
        ["days_overdue", "rec_no", "owner_name"], ascending=[False, True, True]
    )
    return pd.DataFrame(
        {
            "Days overdue": late["days_overdue"].astype(int).tolist(),
            "Recommendation": late["rec_no"].astype(int).tolist(),
            "Owner": late["owner_name"].tolist(),
            "Owner type": [OWNER_KIND_TEXT.get(k, k) for k in late["owner_kind"]],
            "Target date": [str(d) for d in late["target_date"]],
            "Status": [STATUS_TEXT.get(s, s) for s in late["status"]],
            "Last update": [str(d or "none") for d in late["last_updated_on"]],
        },
        columns=[
            "Days overdue",
            "Recommendation",
            "Owner",
            "Owner type",
            "Target date",
            "Status",
            "Last update",
        ],
    )


def owners_in_order(df: pd.DataFrame, first: str | None = None) -> pd.DataFrame:
    """One recommendation's owner rows in display order: ``first`` (the signed-in owner's
    organisation) at the top, then national bodies, CPS Areas and forces by name."""
    k = df["owner_kind"].map(KIND_ORDER)
    if first:
        k = k.where(df["owner_code"] != first, -1)
    return df.assign(k=k).sort_values(["k", "owner_name"])


def owners_table(df: pd.DataFrame, first: str | None = None) -> pd.DataFrame:
    """One recommendation's owners with status, RAG, target, days overdue and evidence
    (``first``: an organisation to list at the top)."""
    part = owners_in_order(df, first)
    return pd.DataFrame(
        {
            "Owner": part["owner_name"].tolist(),
            "Status": [
                status_words(s, g) for s, g in zip(part["status"], part["rag"], strict=True)
            ],
            "Target date": [
                f"{d} ({'owner' if s == 'owner' else 'default'})"
                for d, s in zip(part["target_date"], part["target_source"], strict=True)
            ],
            "Days overdue": [str(int(v)) if v else "" for v in part["days_overdue"]],
            "Last update": [
                f"{d or 'none'} ({src}{', ' + who if who else ''})"
                for d, src, who in zip(
                    part["last_updated_on"], part["source"], part["updated_by"], strict=True
                )
            ],
            "Evidence": [e or "" for e in part["evidence"]],
        }
    )


def evidence_table(rec_no: int, owner_code: str) -> tuple[str, pd.DataFrame]:
    """(period, the evidence metrics' current figures for one owner), suppressed cells as
    suppressed with the reason; memoised per snapshot (the frame returned is a copy)."""
    period, frame = _evidence(rec_no, owner_code)
    return period, frame.copy()


@snapshot_cached
def _evidence(rec_no: int, owner_code: str) -> tuple[str, pd.DataFrame]:
    from warehouse.metrics import catalogue

    df = source.query(
        "SELECT metric_id, level, org_code, period, basis, stat, breakdown, numerator, "
        "denominator, value, suppressed, lower_998, upper_998, position "
        "FROM mart.recommendation_evidence WHERE rec_no = ? AND owner_code = ? "
        "ORDER BY metric_id, stat, breakdown",
        [rec_no, owner_code],
    )
    metrics = catalogue.by_id()
    period = str(df["period"].iloc[0]) if len(df) else ""
    rows = []
    for r in df.itertuples(index=False):
        m = metrics.get(r.metric_id)
        unit = m.unit if m else "count"
        if r.stat == "count":
            unit = "count"
        elif r.stat in ("mean", "median") and unit in ("percent", "per_100"):
            unit = "ratio"
        sup = r.suppressed if isinstance(r.suppressed, str) else None
        rows.append(
            {
                "Metric": m.name if m else r.metric_id,
                "Figure": labels.statistic(r.stat)
                + ("" if not r.breakdown else f", {labels.breakdown(r.breakdown)}"),
                "Value": format_value(None if pd.isna(r.value) else r.value, unit, sup),
                "Cases": "" if sup or pd.isna(r.denominator) else f"{int(r.denominator):,}",
                "Against national (99.8% limits)": ""
                if sup or not r.position
                else position_text(r.position),
                "Scope": f"{labels.level(r.level)} ({labels.basis(r.basis)})",
            }
        )
    cols = ["Metric", "Figure", "Value", "Cases", "Against national (99.8% limits)", "Scope"]
    return period, pd.DataFrame(rows, columns=cols)


def history_table(rec_no: int, owner_code: str | None = None) -> pd.DataFrame:
    """Updates made in the app (who, when, before -> after), newest first. Extract returns
    are not versioned in the snapshot, so the owners table shows only each owner's latest."""

    def state(status: Any, target: Any, evidence: Any) -> str:
        if not status:
            return ""
        out = f"{STATUS_TEXT.get(status, status)}; target {target or 'unchanged'}"
        return out + (f"; evidence: {evidence}" if evidence else "")

    rows = [
        {
            "When": f"{h['at']:%Y-%m-%d %H:%M} UTC",
            "Who": h["who"],
            "Owner": appdb.owner_name(h["owner_code"]),
            "Before": state(h["before_status"], h["before_target_date"], h["before_evidence"]),
            "After": state(h["after_status"], h["after_target_date"], h["after_evidence"]),
            "Source": "app update",
        }
        for h in appdb.history(rec_no, owner_code)
    ]
    return pd.DataFrame(rows, columns=["When", "Who", "Owner", "Before", "After", "Source"])


def status_choices() -> list[dict[str, str]]:
    return [{"label": STATUS_TEXT.get(s, s), "value": s} for s in REC_STATUSES]


def owner_choices(rec_no: int) -> list[dict[str, str]]:
    codes = reference.owners_of(rec_no)
    kinds = {c: reference.org_kind(c) or "" for c in codes}
    ordered = sorted(codes, key=lambda c: (KIND_ORDER.get(kinds[c], 9), appdb.owner_name(c)))
    return [{"label": appdb.owner_name(c), "value": c} for c in ordered]
