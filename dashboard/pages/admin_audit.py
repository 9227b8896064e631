"""The audit log (``/admin/audit``, admins only): every write made through the scorecard -
recommendation updates, user changes, refreshes started, lock-outs - newest first, with who,
when, and the state before and after. The log is append-only in the database."""

from __future__ import annotations

import json
from typing import Any

import dash
import pandas as pd
from dash import html

from accounts import appdb
from dashboard import ids
from dashboard.ui.components import page_header, table

dash.register_page(__name__, name="Audit log", path="/admin/audit", title="Audit log", order=7)

LIMIT = 500


def _state(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, default=str)


def layout(**_: Any) -> html.Div:
    rows = [
        {
            "When (UTC)": f"{e['at']:%Y-%m-%d %H:%M:%S}",
            "Who": e["who"],
            "Action": e["action"],
            "What": e["target"],
            "Before": _state(e["before"]),
            "After": _state(e["after"]),
        }
        for e in appdb.audit_entries(LIMIT)
    ]
    frame = pd.DataFrame(rows, columns=["When (UTC)", "Who", "Action", "What", "Before", "After"])
    return html.Div(
        [
            page_header(
                "Audit log",
                "Every change made through the scorecard, newest first. Entries cannot be "
                "edited or removed.",
            ),
            html.Div(
                table(frame, f"The newest {len(frame)} entries (at most {LIMIT})")
                if len(frame)
                else html.P("Nothing has been changed yet."),
                id=ids.ADMIN_AUDIT,
                className="table-responsive",
            ),
        ]
    )
