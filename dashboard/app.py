"""Dash application factory (``use_pages``; one module per page under ``dashboard/pages``)."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

HERE = Path(__file__).parent


def create_app() -> dash.Dash:
    """Build the app; Bootstrap is served from local assets, never a CDN."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="Rape response scorecard",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">')
    app.layout = html.Div(
        [
            html.Header(
                html.Nav(
                    html.A("Rape response scorecard", href="/", className="navbar-brand"),
                    className="navbar navbar-dark bg-dark px-3",
                    **{"aria-label": "Main"},
                )
            ),
            html.Main(dash.page_container, className="container py-4", id="main"),
        ]
    )

    @app.server.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    return app


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    create_app().run(host=host, port=port, debug=debug)
