"""The access table on its own: roles, capabilities, paths and callback outputs."""

from __future__ import annotations

import pytest

from dashboard.auth import policy


@pytest.mark.parametrize(
    ("role", "capability", "expected"),
    [
        ("board", policy.SCORECARDS, True),
        ("board", policy.DATA, False),
        ("board", policy.UPDATE_RECS, False),
        ("pcc", policy.SCORECARDS, True),
        ("pcc", policy.USERS, False),
        ("owner", policy.UPDATE_RECS, True),
        ("owner", policy.SCORECARDS, True),
        ("analyst", policy.DATA, True),
        ("analyst", policy.SCORECARDS, True),
        ("analyst", policy.UPDATE_RECS, False),
        ("analyst", policy.USERS, False),
        ("admin", policy.USERS, True),
        ("admin", policy.SCORECARDS, False),
        ("admin", policy.DATA, False),
        (None, policy.DEFINITIONS, False),
        ("root", policy.USERS, False),
    ],
)
def test_can(role: str | None, capability: str, expected: bool) -> None:
    assert policy.can(role, capability) is expected


def test_every_role_signs_in_and_reads_definitions() -> None:
    for role in policy.ROLES:
        assert policy.can(role, policy.SIGNED_IN) and policy.can(role, policy.DEFINITIONS)


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("/login", True),
        ("/healthz", True),
        ("/assets/bootstrap.min.css", True),
        ("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js", True),
        ("/", False),
        ("/logout", False),
        ("/api/metrics", False),
        ("/login/../data", False),
        ("/_dash-layout", False),
    ],
)
def test_public_paths(path: str, public: bool) -> None:
    assert policy.public(path) is public


@pytest.mark.parametrize(
    ("path", "capability"),
    [
        ("/", policy.SCORECARDS),
        ("/area/kent", policy.SCORECARDS),
        ("/compare", policy.SCORECARDS),
        ("/recommendations", policy.SCORECARDS),
        ("/recommendations/4", policy.SCORECARDS),
        ("/data", policy.DATA),
        ("/definitions", policy.DEFINITIONS),
        ("/admin/users", policy.USERS),
        ("/admin/audit", policy.USERS),
        ("/no-such-page", None),
    ],
)
def test_page_capability(path: str, capability: str | None) -> None:
    assert policy.page_capability(path) == capability


def test_page_examples_cover_every_page_pattern() -> None:
    """The paths the access tests and the benchmark visit: one or more per page, no other."""
    assert all(policy.page_capability(p) is not None for p in policy.PAGE_EXAMPLES)
    for pattern, _ in policy.PAGES:
        assert any(pattern.match(p) for p in policy.PAGE_EXAMPLES), pattern.pattern
    assert len(set(policy.PAGE_EXAMPLES)) == len(policy.PAGE_EXAMPLES)


@pytest.mark.parametrize(
    ("path", "capability"),
    [
        ("/board-pack.pdf", policy.SCORECARDS),
        ("/area/kent/board-pack.pdf", policy.SCORECARDS),
        ("/api/metrics", policy.SCORECARDS),
        ("/reports/abc/x.report.txt", policy.DATA),
        ("/data-docs/abc/index.html", policy.DATA),
        ("/_dash-update-component", policy.SIGNED_IN),
        ("/area/kent", None),
    ],
)
def test_route_capability(path: str, capability: str | None) -> None:
    assert policy.route_capability(path) == capability


@pytest.mark.parametrize(
    ("outputs", "needed"),
    [
        (["national-content", "national-pdf"], {policy.SCORECARDS}),
        (["rec-form-result", "rec-history"], {policy.UPDATE_RECS, policy.SCORECARDS}),
        (["rec-evidence-content"], {policy.SCORECARDS}),
        (["data-run-status"], {policy.DATA}),
        ([{"type": "csv-download", "index": "compare-funnel"}], {policy.SCORECARDS}),
        (["admin-add-result", "admin-users"], {policy.USERS}),
        (["_pages_content", "_pages_store"], {policy.SIGNED_IN}),
        (["something-new"], None),
        (["national-content", "unknown"], None),
        ([], None),
    ],
)
def test_callback_capabilities_fail_closed(outputs: list, needed: set[str] | None) -> None:
    assert policy.callback_capabilities(outputs) == needed


def test_landing() -> None:
    assert policy.landing("pcc", "kent") == "/area/kent"
    assert policy.landing("board", None) == "/"
    assert policy.landing("owner", "cps_hq") == "/recommendations"
    assert policy.landing("analyst", None) == "/data"
    assert policy.landing("admin", None) == "/admin/users"


@pytest.mark.parametrize(
    ("path", "exists"),
    [
        ("/", True),
        ("/data", True),
        ("/area/kent", True),
        ("/area/nowhere", False),
        ("/area/", False),
        ("/recommendations", True),
        ("/recommendations/13", True),
        ("/recommendations/14", False),
        ("/recommendations/x", False),
        ("/nowhere", False),
        ("/admin/secret", False),
    ],
)
def test_page_exists(path: str, exists: bool) -> None:
    """Paths that are no page, or a page about nothing real, answer 404 (dashboard.auth.web)."""
    assert policy.page_exists(path) is exists
