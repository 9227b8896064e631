"""Dash application factory (``use_pages``; one module per page under ``dashboard/pages``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import dash
from dash import html
from flask import Response, abort, send_from_directory

from dashboard.api import register_api
from dashboard.auth import policy
from dashboard.auth.web import init_app as init_auth
from dashboard.auth.web import signed_in
from dashboard.data import source
from dashboard.pdf import register as register_board_pack
from dashboard.ui import editions as edition_ui
from dashboard.ui import figures
from dashboard.ui.attrs import attrs
from scorecard.settings import load_settings

HERE = Path(__file__).parent
_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
# Report file names are expectations.report.report_id(...): ASCII, no leading dot, whatever
# the sender called the file, so every report is reachable from /data.
_REPORT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.report\.(txt|json)\Z")


def nav_href(page: dict) -> str:
    """A page's link: to a page that shows editions (registered with ``shows_editions``) it
    keeps the edition being shown, so a board member reading "the Q2 scorecard" stays in it
    when moving from the national page to /compare; other pages have only live data."""
    query = source.edition_query() if page.get("shows_editions") else {}
    return page["path"] + (f"?{urlencode(query)}" if query else "")


def _nav() -> html.Nav:
    """Links to the registered (non-template) pages the signed-in user may open, who they
    are, and a sign-out button (a POST, so a link elsewhere cannot sign them out)."""
    user = signed_in()
    role = user.role if user else None
    links = [
        html.Li(
            html.A(p["name"], href=nav_href(p), className="nav-link text-white"),
            className="nav-item",
        )
        for p in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
        if not p.get("path_template")
        and policy.can(role, policy.page_capability(p["path"]) or policy.SIGNED_IN)
    ]
    parts: list = [
        html.A(
            "Rape response scorecard",
            href=policy.landing(user.role, user.org_code) if user else "/",
            className="navbar-brand text-white",
        ),
        html.Ul(links, className="navbar-nav flex-row flex-wrap gap-3 me-auto"),
    ]
    if user is not None:
        who = f"{user.username} ({policy.ROLE_TEXT.get(user.role, user.role)}"
        who += f", {user.org_name})" if user.org_name else ")"
        parts.append(
            html.Form(
                [
                    html.Span(who, className="text-white small me-2", id="signed-in-as"),
                    html.Button("Sign out", type="submit", className="btn btn-sm btn-light"),
                ],
                action="/logout",
                method="POST",
                className="d-flex align-items-center ms-3",
            )
        )
    return attrs(
        html.Nav(parts, className="navbar navbar-dark bg-dark px-3 d-flex"), {"aria-label": "Main"}
    )


def _shell() -> html.Div:
    """Page frame: skip link, header with navigation, main landmark, footer."""
    return html.Div(
        [
            html.A("Skip to main content", href="#main", className="visually-hidden-focusable"),
            html.Header(_nav()),
            html.Main(dash.page_container, className="container py-4", id="main"),
            html.Footer(
                html.P(
                    "OFFICIAL-SENSITIVE. Figures are disclosure-controlled: counts of 1-4 and "
                    "rates on fewer than 10 cases are suppressed.",
                    className="small text-body-secondary container",
                ),
                className="border-top py-3",
            ),
        ]
    )


def create_app() -> dash.Dash:
    """Build the app; Bootstrap is served from local assets, never a CDN."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="Rape response scorecard",
        update_title="",  # the tab title stays put while a callback runs
        suppress_callback_exceptions=True,
    )
    # Language for screen readers; Dash's script holder is a <footer>, which would give every
    # page a second contentinfo landmark, so it becomes a plain div.
    app.index_string = (
        app.index_string.replace("<html>", '<html lang="en-GB">')
        .replace("<footer>", '<div id="dash-scripts">')
        .replace("</footer>", "</div>")
    )
    app.layout = _shell

    @app.server.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    @app.server.get("/reports/<run_id>/<name>")
    def rejection_report(run_id: str, name: str) -> Response:
        """A rejection report (plain text or JSON); names only rules, columns and rows."""
        if not _RUN_ID.match(run_id) or not _REPORT.match(name):
            abort(404)
        return send_from_directory(load_settings().reports_dir / run_id, name)

    @app.server.get("/data-docs/<run_id>/<path:name>")
    def data_docs(run_id: str, name: str) -> Response:
        """The run's Great Expectations Data Docs (static HTML built by the pipeline)."""
        if not _RUN_ID.match(run_id):
            abort(404)
        return send_from_directory(load_settings().reports_dir / run_id / "data_docs", name)

    figures.register_callbacks(app)
    edition_ui.register_callbacks(app)
    register_board_pack(app.server)
    register_api(app.server)
    init_auth(app)
    return app
