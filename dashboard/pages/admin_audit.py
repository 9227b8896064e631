"""The audit log (``/admin/audit``, admins only): every write made through the scorecard -
recommendation updates, user changes, refreshes started, lock-outs - newest first, with who,
when, and what changed (a list such as "Status: In progress → Implemented"), filtered by
user, action and day. The log is append-only in the database."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from accounts import appdb
from dashboard import ids
from dashboard.data.audit import action_text, change_list, target_text
from dashboard.ui.attrs import attrs
from dashboard.ui.components import page_header

dash.register_page(__name__, name="Audit log", path="/admin/audit", title="Audit log", order=7)

LIMIT = 500
ANY = "*"  # "everyone" / "every action": no username or action is spelled like this


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def audit_table(
    who: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Any:
    entries = appdb.audit_entries(LIMIT, who=who, action=action, since=since, until=until)
    if not entries:
        return html.P("No entry matches." if (who or action or since or until) else
                      "Nothing has been changed yet.")  # fmt: skip
    rows = []
    for e in entries:
        changes = change_list(e["before"], e["after"])
        rows.append(
            html.Tr(
                [
                    html.Th(f"{e['at']:%d %b %Y %H:%M}", scope="row"),
                    html.Td(e["who"]),
                    html.Td(action_text(e["action"])),
                    html.Td(target_text(e["target"])),
                    html.Td(
                        html.Ul([html.Li(c) for c in changes], className="mb-0 ps-3")
                        if changes
                        else "no change recorded"
                    ),
                ]
            )
        )
    caption = f"The newest {len(entries):,} entries" + (
        f" (at most {LIMIT})" if len(entries) == LIMIT else ""
    )
    return attrs(
        html.Div(
            html.Table(
                [
                    html.Caption(caption),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(h, scope="col")
                                for h in ("When (UTC)", "Who", "Action", "About", "What changed")
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
                className="table table-sm align-middle",
            ),
            className="analyst-scroll",
            tabIndex=0,
            role="region",
        ),
        {"aria-label": caption},
    )


def layout(**_: Any) -> html.Div:
    people, actions = appdb.audit_facets()
    return html.Div(
        [
            page_header(
                "Audit log",
                "Every change made through the scorecard, newest first. Entries cannot be "
                "edited or removed.",
            ),
            attrs(
                html.Div(
                    [
                        html.Div(
                            [
                                html.Label(
                                    "User", htmlFor=ids.ADMIN_AUDIT_WHO, className="form-label"
                                ),
                                dbc.Select(
                                    id=ids.ADMIN_AUDIT_WHO,
                                    options=[{"label": "Everyone", "value": ANY}]
                                    + [{"label": p, "value": p} for p in people],
                                    value=ANY,
                                ),
                            ]
                        ),
                        html.Div(
                            [
                                html.Label(
                                    "Action", htmlFor=ids.ADMIN_AUDIT_ACTION, className="form-label"
                                ),
                                dbc.Select(
                                    id=ids.ADMIN_AUDIT_ACTION,
                                    options=[{"label": "Every action", "value": ANY}]
                                    + [{"label": action_text(a), "value": a} for a in actions],
                                    value=ANY,
                                ),
                            ]
                        ),
                        html.Div(
                            [
                                html.Label(
                                    "From", htmlFor=ids.ADMIN_AUDIT_SINCE, className="form-label"
                                ),
                                dcc.Input(
                                    id=ids.ADMIN_AUDIT_SINCE,
                                    type="date",  # type: ignore[arg-type]  # the browser's own date field: dcc.Input passes it on; its stub lists fewer types
                                    className="form-control",
                                    debounce=True,
                                ),
                            ]
                        ),
                        html.Div(
                            [
                                html.Label(
                                    "To", htmlFor=ids.ADMIN_AUDIT_UNTIL, className="form-label"
                                ),
                                dcc.Input(
                                    id=ids.ADMIN_AUDIT_UNTIL,
                                    type="date",  # type: ignore[arg-type]  # the browser's own date field: dcc.Input passes it on; its stub lists fewer types
                                    className="form-control",
                                    debounce=True,
                                ),
                            ]
                        ),
                    ],
                    className="admin-filters",
                    role="search",
                ),
                {"aria-label": "Filter the audit log"},
            ),
            html.Div(audit_table(), id=ids.ADMIN_AUDIT),
        ],
        className="admin-page",
    )


@dash.callback(
    Output(ids.ADMIN_AUDIT, "children"),
    Input(ids.ADMIN_AUDIT_WHO, "value"),
    Input(ids.ADMIN_AUDIT_ACTION, "value"),
    Input(ids.ADMIN_AUDIT_SINCE, "value"),
    Input(ids.ADMIN_AUDIT_UNTIL, "value"),
    prevent_initial_call=True,
)
def _filter(who: str | None, action: str | None, since: str | None, until: str | None) -> Any:
    """Redraw the log for the chosen user, action and days (admins only: the guard checks
    the output's capability before this runs)."""
    return audit_table(
        None if who in (None, "", ANY) else who,
        None if action in (None, "", ANY) else action,
        _day(since),
        _day(until),
    )
