"""Which edition a request shows, and the main navigation keeping it: a page's own address
says it; Dash's layout and callback requests, which carry no query string, take it from the
page that made them (the Referer); links to pages that show editions keep it, others do not."""

from __future__ import annotations

import pytest
from flask import Flask

from dashboard.data import source

APP = Flask(__name__)
PAGE = "http://127.0.0.1:8050/compare?force=kent&edition=Q2+2026-27+board"


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/?edition=Q2", {}, "Q2"),
        ("/?edition=", {}, None),
        ("/", {}, None),
        ("/_dash-layout", {"Referer": PAGE}, "Q2 2026-27 board"),
        ("/_dash-update-component", {"Referer": PAGE}, "Q2 2026-27 board"),
        ("/_dash-layout", {}, None),
        # Any other request ignores the page it came from: a link's target says its own edition.
        ("/download/csv", {"Referer": PAGE}, None),
    ],
)
def test_the_edition_a_request_shows(
    path: str, headers: dict[str, str], expected: str | None
) -> None:
    with APP.test_request_context(path, headers=headers):
        assert source.edition_label() == expected


def test_nav_links_keep_the_edition_only_on_pages_that_show_editions() -> None:
    from dashboard.app import nav_href

    national = {"path": "/", "shows_editions": True}
    recommendations = {"path": "/recommendations"}
    with APP.test_request_context("/_dash-layout", headers={"Referer": PAGE}):
        assert nav_href(national) == "/?edition=Q2+2026-27+board"
        assert nav_href(recommendations) == "/recommendations"
    with APP.test_request_context("/_dash-layout", headers={"Referer": "http://h/compare"}):
        assert nav_href(national) == "/"


def test_the_scorecard_pages_say_they_show_editions() -> None:
    import dash

    from dashboard.app import create_app

    create_app()
    showing = {
        p.get("path_template") or p["path"]
        for p in dash.page_registry.values()
        if p.get("shows_editions")
    }
    assert showing == {"/", "/area/<force_code>", "/compare"}
