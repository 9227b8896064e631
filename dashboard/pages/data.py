"""Data and pipeline (``/data``): freshness per sender, runs, rejected extracts, run now."""

from __future__ import annotations

import os
from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, html

from dashboard import ids
from dashboard.data.snapshot import NoSnapshotError, reader
from dashboard.ui.components import notice, page_header, table
from expectations.report_ids import report_id
from warehouse.status import freshness, recent_runs, rejected_files

dash.register_page(
    __name__, name="Data and pipeline", path="/data", title="Data and pipeline", order=4
)

PREFECT_UI_ENV = "PREFECT_UI_URL"


def _report_link(run_id: str, file_name: str) -> html.A:
    name = f"{report_id(file_name)}.report.txt"
    return html.A(
        "report",
        href=f"/reports/{run_id}/{name}",
        **{"aria-label": f"Rejection report for {file_name}"},
    )


def layout(**_: str) -> html.Div:
    header = page_header(
        "Data and pipeline",
        "Which senders are up to date, what the last refreshes did, and why any extract was "
        "rejected.",
    )
    try:
        with reader().cursor() as cur:
            fresh = pd.DataFrame(freshness(cur, date.today()))
            runs = pd.DataFrame(recent_runs(cur, 15))
            rejected = rejected_files(cur, 50)
    except NoSnapshotError as exc:
        return html.Div([header, notice(str(exc))])
    prefect_ui = os.environ.get(PREFECT_UI_ENV, "http://127.0.0.1:4200")
    latest_docs = runs["run_id"].iloc[0] if len(runs) else None
    rejected_rows = [
        html.Tr(
            [
                html.Td(f"{r.finished_at:%Y-%m-%d %H:%M}"),
                html.Td(r.org_code or ""),
                html.Td(r.kind or ""),
                html.Td(str(r.as_at or "")),
                html.Td(r.file_name),
                html.Td(r.rules_failed or ""),
                html.Td(r.message or ""),
                html.Td(_report_link(r.run_id, r.file_name)),
            ]
        )
        for r in rejected
    ]
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
                ],
                className="mb-4",
            ),
            html.H2("Freshness by sender", className="h4"),
            html.Div(
                table(
                    fresh.rename(
                        columns={
                            "last_as_at": "last as_at",
                            "days_since": "days since",
                            "last_outcome": "last outcome",
                            "last_file": "last file",
                        }
                    ),
                    "Last snapshot loaded per organisation and extract kind",
                ),
                id=ids.DATA_FRESHNESS,
            ),
            html.H2("Recent runs", className="h4 mt-4"),
            html.Div(
                table(runs.drop(columns=["run_id"]) if len(runs) else runs, "Recent refreshes"),
                id=ids.DATA_RUNS,
            ),
            html.H2("Rejected extracts", className="h4 mt-4"),
            html.Div(
                html.Table(
                    [
                        html.Caption(
                            "Extracts rejected, newest first (reasons name rules, "
                            "columns and row numbers; never identifiers)"
                        ),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in (
                                        "When",
                                        "Sender",
                                        "Kind",
                                        "as_at",
                                        "File",
                                        "Rules failed",
                                        "Reason",
                                        "Report",
                                    )
                                ]
                            )
                        ),
                        html.Tbody(rejected_rows),
                    ],
                    className="table table-sm",
                )
                if rejected_rows
                else html.P("No extract has been rejected."),
                id=ids.DATA_REJECTED,
            ),
        ]
    )


@dash.callback(
    Output(ids.DATA_RUN_STATUS, "children"),
    Input(ids.DATA_RUN_NOW, "n_clicks"),
    State(ids.DATA_RUN_STATUS, "children"),
    prevent_initial_call=True,
)
def _run_now(n_clicks: int | None, _current: object) -> str:
    """Start a refresh for an analyst (the guard refuses other roles) and audit who did."""
    from dashboard.auth import policy
    from dashboard.auth.web import current_role, record
    from dashboard.refresh import start_refresh

    if not policy.can(current_role(), policy.DATA):
        raise dash.exceptions.PreventUpdate
    message = start_refresh(reader().settings)
    record("refresh.start", "pipeline", {"result": message})
    return message
