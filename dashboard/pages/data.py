"""Data and pipeline (``/data``): refreshes started here (with their logs), freshness per
sender against its expected cadence, recent runs (warnings openable), rejected extracts."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.data.snapshot import NoSnapshotError, reader
from dashboard.ui.attrs import attrs
from dashboard.ui.components import notice, page_header
from expectations.report_ids import report_id
from scorecard import labels
from warehouse.status import (
    CADENCE_DAYS,
    Freshness,
    RunSummary,
    WarningFile,
    freshness,
    recent_runs,
    rejected_files,
    warning_files,
)

dash.register_page(
    __name__, name="Data and pipeline", path="/data", title="Data and pipeline", order=4
)

PREFECT_UI_ENV = "PREFECT_UI_URL"
POLL_MS = 3000
RUN_STATUS_TEXT = {
    "running": "Running",
    "succeeded": "Every new extract loaded",
    "partial": "Some extracts rejected",
    "failed": "Failed",
}


# --- words -----------------------------------------------------------------------------


def kind_label(kind: str | None) -> str:
    """An extract kind as words ('police_cases' -> 'police case records')."""
    return labels.extract_kind(kind) if kind else ""


def org_label(code: str | None) -> str:
    if not code:
        return ""
    from accounts.appdb import owner_name

    return owner_name(code)


@cache
def _rule_texts() -> dict[str, str]:
    from scorecard.contract import FILE_RULES, KINDS

    texts = {r.id: r.text for r in FILE_RULES}
    for kind in KINDS.values():
        texts.update({r.id: r.text for r in kind.rules})
    return texts


def rule_label(rule_id: str) -> str:
    """A contract rule as its sentence (the id stays for the report's reader)."""
    return _rule_texts().get(rule_id, rule_id.replace("_", " "))


_COLUMN = re.compile(r"\b([a-z]+(?:_[a-z0-9]+)+)\b")


def rule_words(rule_id: str) -> list[Any]:
    """The rule's sentence with the column names it mentions set as code: they are the
    headers of the sender's file, spelled as the file spells them."""
    parts: list[Any] = []
    for i, piece in enumerate(_COLUMN.split(rule_label(rule_id))):
        if piece:
            parts.append(html.Code(piece) if i % 2 else piece)
    return parts


def minute(when: datetime | None) -> str:
    return f"{when:%d %b %Y %H:%M}" if when else ""


def day(when: date | None) -> str:
    return f"{when:%d %b %Y}" if when else ""


# --- pieces ----------------------------------------------------------------------------


def _scroll_table(
    caption: str, headers: Sequence[str], rows: list[html.Tr], table_id: str | None = None
) -> html.Div:
    """A table that scrolls inside its own box (first column fixed), never the page."""
    kwargs: dict[str, Any] = {"id": table_id} if table_id else {}
    return attrs(
        html.Div(
            html.Table(
                [
                    html.Caption(caption),
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                    html.Tbody(rows),
                ],
                className="table table-sm align-middle",
                **kwargs,
            ),
            className="analyst-scroll",
            tabIndex=0,
            role="region",
        ),
        {"aria-label": caption},
    )


def _report_link(run_id: str, file_name: str) -> html.A:
    name = f"{report_id(file_name)}.report.txt"
    return attrs(
        html.A("Open report", href=f"/reports/{run_id}/{name}"),
        {"aria-label": f"Rejection report for {file_name}"},
    )


def launches_section() -> html.Div | html.P:
    """Refreshes started from this page: state, and the log of each (openable)."""
    from dashboard.refresh import launches

    started = launches(reader().settings, 10)
    if not started:
        return html.P("No refresh has been started from this page yet.")
    rows = []
    for launch in started:
        log_text = launch.log_tail()
        rows.append(
            html.Tr(
                [
                    html.Th(minute(launch.started_at), scope="row"),
                    html.Td(launch.by or ""),
                    attrs(
                        html.Td(
                            launch.state_text,
                            className="text-danger fw-semibold"
                            if launch.state == "failed"
                            else None,
                        ),
                        {"data-state": launch.state},
                    ),
                    html.Td(minute(launch.finished_at)),
                    html.Td(
                        [
                            html.Span(launch.summary),
                            html.Details(
                                [
                                    html.Summary("Open the log"),
                                    html.Pre(log_text or "(empty log)", className="analyst-log"),
                                ]
                            ),
                        ]
                    ),
                ]
            )
        )
    return _scroll_table(
        "Refreshes started from this page, newest first",
        ("Started", "By", "Result", "Ended", "What happened"),
        rows,
        table_id="data-launches-table",
    )


def _freshness_status(f: Freshness) -> str:
    if f.last_as_at is None:
        return "Nothing loaded yet"
    if f.overdue:
        return f"Overdue by {f.overdue_days} days"
    return "Up to date"


def freshness_section(fresh: list[Freshness]) -> list:
    overdue = [f for f in fresh if f.overdue]
    ordered = sorted(fresh, key=lambda f: (not f.overdue, -(f.overdue_days or 0), f.org_code))
    rows = [
        html.Tr(
            [
                html.Th(org_label(f.org_code), scope="row"),
                html.Td(kind_label(f.kind)),
                html.Td(day(f.last_as_at)),
                html.Td(minute(f.last_received)),
                html.Td(f"{f.expected} (every {CADENCE_DAYS[f.expected]} days)"),
                html.Td(
                    _freshness_status(f),
                    className="text-danger fw-semibold" if f.overdue else None,
                ),
                html.Td((f.last_outcome or "").replace("_", " ")),
            ]
        )
        for f in ordered
    ]
    summary = (
        f"{len(overdue)} of {len(fresh)} sender extracts are overdue: the next snapshot was "
        "due one cadence after the last one's as-at date."
        if overdue
        else f"All {len(fresh)} sender extracts are up to date."
    )
    kinds: dict[str, list[Freshness]] = {}
    for f in fresh:
        kinds.setdefault(f.kind, []).append(f)
    by_kind = [
        html.Tr(
            [
                html.Th(kind_label(kind), scope="row"),
                html.Td(f"{got[0].expected} (every {CADENCE_DAYS[got[0].expected]} days)"),
                html.Td(f"{len(got):,}"),
                html.Td(
                    f"{sum(f.overdue for f in got):,}",
                    className="text-danger fw-semibold" if any(f.overdue for f in got) else None,
                ),
                html.Td(day(max((f.last_as_at for f in got if f.last_as_at), default=None))),
            ]
        )
        for kind, got in sorted(kinds.items())
    ]
    return [
        html.P(summary, className="fw-semibold", id="data-freshness-summary"),
        _scroll_table(
            "Senders by extract",
            ("Extract", "Expected", "Senders", "Overdue", "Newest snapshot"),
            by_kind,
        ),
        html.Details(
            [
                html.Summary(f"Every sender ({len(fresh):,}), overdue first"),
                _scroll_table(
                    "Last snapshot loaded per sender and extract, overdue first",
                    (
                        "Sender",
                        "Extract",
                        "Snapshot as at",
                        "Last file received",
                        "Expected",
                        "Status",
                        "Last file",
                    ),
                    rows,
                ),
            ],
            open=len(fresh) <= 20,
        ),
    ]


def _warnings_cell(run: RunSummary, by_run: dict[str, list[WarningFile]]) -> Any:
    if not run.warnings:
        return "none"
    files = by_run.get(run.run_id, [])
    items = []
    for w in files:
        parts: list[Any] = [f"{org_label(w.org_code)}, {kind_label(w.kind)}: "]
        for i, (rule, count) in enumerate(w.warnings):
            parts += ["; " if i else "", *rule_words(rule)]
            parts.append(f" ({count:,} row{'s' if count != 1 else ''})")
        items.append(html.Li(parts, className="small"))
    return html.Details(
        [
            html.Summary(f"{run.warnings:,} warning{'s' if run.warnings != 1 else ''}"),
            html.Ul(items) if items else html.P("Details are in the run's Data Docs."),
            html.A("Validation reports (Data Docs)", href=f"/data-docs/{run.run_id}/index.html"),
        ]
    )


def runs_section(runs: list[RunSummary], warned: list[WarningFile]) -> html.Div:
    if not runs:
        return html.Div(html.P("No refresh has finished yet."))
    by_run: dict[str, list[WarningFile]] = {}
    for w in warned:
        by_run.setdefault(w.run_id, []).append(w)
    rows = [
        html.Tr(
            [
                html.Th(minute(r.started_at), scope="row"),
                html.Td(minute(r.finished_at)),
                html.Td(RUN_STATUS_TEXT.get(r.status, r.status)),
                html.Td(f"{r.files_new:,}"),
                html.Td(f"{r.files_loaded:,}"),
                html.Td(f"{r.files_rejected:,}"),
                html.Td(_warnings_cell(r, by_run)),
                html.Td(r.message or ""),
            ]
        )
        for r in runs
    ]
    return _scroll_table(
        "Recent refreshes as published in the serving snapshot, newest first",
        ("Started", "Ended", "Result", "New files", "Loaded", "Rejected", "Warnings", "Note"),
        rows,
    )


def rejected_section(rejected: list) -> Any:
    if not rejected:
        return html.P("No extract has been rejected.")
    rows = [
        html.Tr(
            [
                html.Th(
                    [
                        html.Span(f"{org_label(r.org_code)}, {kind_label(r.kind)}"),
                        html.Br(),
                        _report_link(r.run_id, r.file_name),
                    ],
                    scope="row",
                ),
                html.Td(minute(r.finished_at)),
                html.Td(day(r.as_at)),
                html.Td(
                    html.Ul(
                        [html.Li(rule_words(x)) for x in (r.rules_failed or "").split(",") if x],
                        className="mb-0 ps-3",
                    )
                    if r.rules_failed
                    else ""
                ),
                html.Td(r.message or ""),
                html.Td(html.Code(r.file_name)),
            ]
        )
        for r in rejected
    ]
    return _scroll_table(
        "Extracts rejected, newest first (reasons name rules, columns and row numbers; "
        "never identifiers)",
        ("Sender and report", "When", "Snapshot as at", "Rules failed", "Reason", "File"),
        rows,
    )


def layout(**_: str) -> html.Div:
    header = page_header(
        "Data and pipeline",
        "Which senders are up to date, what the last refreshes did, and why any extract was "
        "rejected.",
    )
    try:
        with reader().cursor() as cur:
            fresh = freshness(cur, date.today())
            runs = recent_runs(cur, 15)
            warned = warning_files(cur, [r.run_id for r in runs])
            rejected = rejected_files(cur, 50)
    except (NoSnapshotError, ValueError) as exc:  # no snapshot yet; a bad cadence setting
        return html.Div([header, notice(str(exc))])
    prefect_ui = os.environ.get(PREFECT_UI_ENV, "http://127.0.0.1:4200")
    latest_docs = runs[0].run_id if runs else None
    return html.Div(
        [
            header,
            html.Div(
                [
                    html.Button(
                        "Run a refresh now", id=ids.DATA_RUN_NOW, className="btn btn-primary me-3"
                    ),
                    html.A(
                        "Open the Prefect UI (schedules, history)",
                        href=prefect_ui,
                        className="me-3",
                    ),
                    html.A(
                        "Validation reports (Data Docs) for the last run",
                        href=f"/data-docs/{latest_docs}/index.html",
                    )
                    if latest_docs
                    else None,
                    html.Div(id=ids.DATA_RUN_STATUS, role="status", className="mt-2"),
                    dcc.Store(id=ids.DATA_STARTED),
                    dcc.Interval(id=ids.DATA_POLL, interval=POLL_MS, disabled=True),
                ],
                className="mb-4",
            ),
            html.H2("Refreshes started from this page", className="h4"),
            html.Div(launches_section(), id=ids.DATA_LAUNCHES),
            html.H2("Freshness by sender", className="h4 mt-4"),
            html.Div(freshness_section(fresh), id=ids.DATA_FRESHNESS),
            html.H2("Recent runs", className="h4 mt-4"),
            html.Div(runs_section(runs, warned), id=ids.DATA_RUNS),
            html.H2("Rejected extracts", className="h4 mt-4"),
            html.Div(rejected_section(rejected), id=ids.DATA_REJECTED),
        ],
        className="analyst-page",
    )


@dash.callback(
    Output(ids.DATA_RUN_STATUS, "children"),
    Output(ids.DATA_STARTED, "data"),
    Input(ids.DATA_RUN_NOW, "n_clicks"),
    prevent_initial_call=True,
)
def _run_now(n_clicks: int | None) -> tuple[str, str]:
    """Start a refresh for an analyst (the guard refuses other roles) and audit who did."""
    from dashboard.auth import policy
    from dashboard.auth.web import current_role, record, signed_in
    from dashboard.refresh import start_refresh

    if not policy.can(current_role(), policy.DATA):
        raise dash.exceptions.PreventUpdate
    user = signed_in()
    message = start_refresh(reader().settings, by=user.username if user else None)
    record("refresh.start", "pipeline", {"result": message})
    return message, datetime.now().isoformat()


@dash.callback(
    Output(ids.DATA_LAUNCHES, "children"),
    Output(ids.DATA_POLL, "disabled"),
    Input(ids.DATA_POLL, "n_intervals"),
    Input(ids.DATA_STARTED, "data"),
    prevent_initial_call=True,
)
def _poll_launches(_n: int | None, _started: str | None) -> tuple[Any, bool]:
    """Redraw the refreshes started here while one runs; stop polling once none does."""
    from dashboard.auth import policy
    from dashboard.auth.web import current_role
    from dashboard.refresh import launches

    if not policy.can(current_role(), policy.DATA):
        raise dash.exceptions.PreventUpdate
    running = any(launch.state == "running" for launch in launches(reader().settings, 3))
    return launches_section(), not running
