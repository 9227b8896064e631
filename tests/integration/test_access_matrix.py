"""The access matrix: every role (and no session) against every page, the page routing
callback, every Dash callback, every download and the API, over a real published snapshot.
Expected results come from the table in dashboard/auth/policy.py, which this test also
checks is complete (every page, route and callback has an entry). And an owner cannot
change another organisation's recommendation even with a hand-made request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from accounts import appdb
from dashboard.auth import policy
from tests.helpers.auth import PAGES as SHARED_PAGES
from tests.helpers.auth import ROLES, login, origin_headers, user_for
from tests.helpers.callbacks import callback_outputs, callback_request, concrete_id

pytestmark = pytest.mark.integration

WHO = [None, *ROLES]
PAGES = [*SHARED_PAGES, "/area/no-such-force"]
REFUSED = "You cannot open this page"


@pytest.fixture(scope="module")
def app(published_home: Path) -> Iterator[Any]:
    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(published_home))
    import dashboard.data.snapshot as snapshot
    from dashboard.app import create_app

    snapshot._reader = None
    appdb.dispose_all()
    a = create_app()
    a.server.test_client().get("/login")  # Dash adds its page-routing callbacks on first request
    yield a
    snapshot._reader = None
    appdb.dispose_all()
    mp.undo()


@pytest.fixture(scope="module")
def clients(app: Any) -> dict[str | None, Any]:
    out: dict[str | None, Any] = {}
    for role in WHO:
        c = app.server.test_client()
        if role is not None:
            login(c, role)
        out[role] = c
    return out


def _allowed(role: str | None, capability: str | None) -> bool:
    return policy.can(role, capability or policy.SIGNED_IN)


def _callback_keys(app: Any) -> list[str]:
    """Server-side callbacks that write outputs (a no-output or clientside callback never
    reaches the server)."""
    return sorted(
        k
        for k, spec in app.callback_map.items()
        if not spec.get("no_output") and spec.get("callback") is not None
    )


def test_every_page_route_and_callback_is_in_the_table(app: Any) -> None:
    import dash

    for entry in dash.page_registry.values():
        template = entry.get("path_template") or entry["path"]
        sample = "/".join("x" if p.startswith("<") else p for p in template.split("/"))
        assert policy.page_capability(sample) is not None, template
    for key in _callback_keys(app):
        ids = [concrete_id(i) for i, _ in callback_outputs(key)]
        assert policy.callback_capabilities(ids) is not None, key
    for rule in app.server.url_map.iter_rules():
        path = rule.rule
        if "<path:path>" in path or path == "/":  # Dash's page catch-all: checked as pages
            continue
        sample = path.replace("<path:name>", "x/y").replace("<", "").replace(">", "")
        assert (
            policy.public(sample)
            or policy.route_capability(sample) is not None
            or sample.startswith(("/_dash-component-suites", "/assets", "/static"))
        ), path


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize("path", PAGES)
def test_pages(clients: dict, role: str | None, path: str) -> None:
    resp = clients[role].get(path, headers={"Accept": "text/html"})
    cap = policy.page_capability(path)
    if role is None:
        assert resp.status_code == 302
        assert resp.headers["Location"] == f"/login?next={path}"
    elif _allowed(role, cap):
        # A page about nothing real (an unknown force) keeps the friendly page but says 404.
        assert resp.status_code == (200 if policy.page_exists(path) else 404)
    elif path == "/":
        assert resp.status_code == 302
        assert resp.headers["Location"] == policy.landing(role, user_for(role).org_code)
    else:
        assert resp.status_code == 403 and REFUSED.encode() in resp.data


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize("path", PAGES)
def test_page_routing_callback(app: Any, clients: dict, role: str | None, path: str) -> None:
    """Dash renders a page's layout through its routing callback, not the page URL: a role
    without access gets the refusal there too, never the content."""
    key = next(k for k in app.callback_map if "_pages_content" in k)
    body = callback_request(
        app, key, {"_pages_location.pathname": path, "_pages_location.search": ""}
    )
    resp = clients[role].post("/_dash-update-component", json=body, headers=origin_headers())
    if role is None:
        assert resp.status_code == 401
        return
    assert resp.status_code == 200, resp.data[:300]
    refused = REFUSED in resp.get_data(as_text=True)
    assert refused is not _allowed(role, policy.page_capability(path))


@pytest.mark.parametrize("role", WHO)
def test_every_callback(app: Any, clients: dict, role: str | None) -> None:
    """Each server-side callback: refused (401/403) exactly when the table says so. The
    inputs are empty, so an allowed callback may decline to update (204), never fail."""
    for key in _callback_keys(app):
        if "_pages_content" in key:
            continue
        needed = policy.callback_capabilities([concrete_id(i) for i, _ in callback_outputs(key)])
        assert needed, key
        if "data-run-status" in key:  # do not start refreshes here; see the next test
            needed_ok = all(policy.can(role, c) for c in needed)
            assert needed_ok is (role == "analyst")
            continue
        resp = clients[role].post(
            "/_dash-update-component", json=callback_request(app, key), headers=origin_headers()
        )
        if role is None:
            assert resp.status_code == 401, key
        elif all(policy.can(role, c) for c in needed):
            assert resp.status_code in (200, 204), (role, key, resp.status_code)
        else:
            assert resp.status_code == 403, (role, key)


def test_run_now_is_refused_to_everyone_but_analysts(app: Any, clients: dict) -> None:
    key = next(k for k in app.callback_map if "data-run-status" in k)
    body = callback_request(app, key, {"data-run-now.n_clicks": 1})
    for role in WHO:
        if role == "analyst":
            continue
        resp = clients[role].post("/_dash-update-component", json=body, headers=origin_headers())
        assert resp.status_code == (401 if role is None else 403), role
    assert not [e for e in appdb.audit_entries() if e["action"] == "refresh.start"]


def test_analysts_read_the_scorecards_and_still_land_on_data(app: Any, clients: dict) -> None:
    """An analyst checks that a repaired extract fixed the figures: every scorecard page and
    PDF opens, the recommendation form's save does not, and sign-in still lands on /data."""
    analyst = clients["analyst"]
    for path in ("/", "/area/kent", "/compare", "/recommendations/4", "/board-pack.pdf"):
        assert analyst.get(path).status_code == 200, path
    assert not policy.can("analyst", policy.UPDATE_RECS)
    assert _submit(app, analyst, 13, "cps_hq").status_code == 403
    assert policy.landing("analyst", None) == "/data"


def test_bad_urls_keep_the_friendly_page_and_answer_404(clients: dict) -> None:
    for path in ("/no-such-page", "/area/nowhere", "/recommendations/99"):
        resp = clients["board"].get(path)
        assert resp.status_code == 404, path
        assert b"_dash-app-content" in resp.data or b"react-entry-point" in resp.data
    assert clients["board"].get("/area/kent").status_code == 200


def _report_paths(home: Path) -> tuple[str, str]:
    report = next((home / "reports").glob("*/*.report.txt"))
    run_id = report.parent.name
    docs = next((home / "reports" / run_id / "data_docs").rglob("index.html"))
    rel = docs.relative_to(home / "reports" / run_id / "data_docs")
    return f"/reports/{run_id}/{report.name}", f"/data-docs/{run_id}/{rel}"


@pytest.mark.parametrize("role", WHO)
def test_downloads_and_api(published_home: Path, clients: dict, role: str | None) -> None:
    report, docs = _report_paths(published_home)
    routes = {
        "/board-pack.pdf": policy.SCORECARDS,
        "/area/kent/board-pack.pdf": policy.SCORECARDS,
        "/api/metrics?level=national&period=2023-24": policy.SCORECARDS,
        report: policy.DATA,
        docs: policy.DATA,
    }
    for path, cap in routes.items():
        resp = clients[role].get(path)
        if role is None:
            assert resp.status_code == 401, path
        elif policy.can(role, cap):
            assert resp.status_code == 200, (role, path, resp.status_code)
        else:
            assert resp.status_code == 403, (role, path)
            assert b"%PDF" not in resp.data and b"metric_id" not in resp.data


def _submit(app: Any, client: Any, rec_no: int, owner: str, status: str = "in_progress") -> Any:
    key = next(k for k in app.callback_map if "rec-form-result" in k)
    values = {
        "rec-form-submit.n_clicks": 1,
        "rec-form-rec.data": rec_no,
        "rec-form-owner.value": owner,
        "rec-form-status.value": status,
        "rec-form-target.value": "2027-06-30",
        "rec-form-evidence.value": "Hand-made request",
    }
    return client.post(
        "/_dash-update-component", json=callback_request(app, key, values), headers=origin_headers()
    )


def _rows(rec_no: int, owner: str) -> int:
    with appdb.engine().connect() as con:
        t = appdb.rec_updates
        return con.execute(
            sa.select(sa.func.count()).where(t.c.rec_no == rec_no, t.c.owner_code == owner)
        ).scalar_one()


def test_an_owner_cannot_change_another_owners_recommendation(app: Any, clients: dict) -> None:
    owner = clients["owner"]  # signed in for CPS headquarters
    before = _rows(4, "kent"), _rows(13, "college_of_policing")
    for rec_no, other in ((4, "kent"), (13, "college_of_policing")):
        resp = _submit(app, owner, rec_no, other)
        assert resp.status_code == 200
        text = resp.get_data(as_text=True)
        assert "The update was not saved" in text and "You cannot update for" in text
    assert (_rows(4, "kent"), _rows(13, "college_of_policing")) == before
    # Other roles cannot reach the save at all.
    for role in (None, "board", "pcc", "analyst", "admin"):
        assert _submit(app, clients[role], 13, "cps_hq").status_code in (401, 403), role
    assert _rows(13, "cps_hq") == 0
    # Their own row saves, with who taken from the session, and is audited.
    resp = _submit(app, owner, 13, "cps_hq")
    assert "Saved: recommendation 13" in resp.get_data(as_text=True)
    row = appdb.history(13, "cps_hq")[0]
    assert row["who"] == user_for("owner").username and row["after_status"] == "in_progress"
    entry = next(e for e in appdb.audit_entries() if e["action"] == "recommendation.update")
    assert entry["who"] == "test-owner" and entry["target"] == "recommendation 13 / cps_hq"
    assert entry["after"]["status"] == "in_progress"


def test_data_docs_render_offline_under_the_csp(clients: dict, published_home: Path) -> None:
    """Data Docs fetched through the app name no other host (no CDN, no logo on S3, no link
    to greatexpectations.io) and carry no script the CSP would block; every stylesheet and
    page they reference answers 200 from the app."""
    import re
    from urllib.parse import urljoin

    _report, docs = _report_paths(published_home)
    analyst = clients["analyst"]
    index = analyst.get(docs)
    assert index.status_code == 200
    pages = {docs: index.get_data(as_text=True)}
    links = re.findall(r'(?:href|src)="([^"#]+)"', pages[docs])
    validation = next(link for link in links if link.startswith("validations/"))
    page_url = urljoin(docs, validation)
    resp = analyst.get(page_url)
    assert resp.status_code == 200
    pages[page_url] = resp.get_data(as_text=True)
    for url, text in pages.items():
        assert not re.search(r"https?://", text), (url, re.findall(r"https?://[^\"' ]+", text))
        assert "<script" not in text.lower(), url
        refs = re.findall(r'(?:href|src)="([^"#]+)"', text)
        sheets = re.findall(r'<link[^>]*href="([^"]+)"', text)
        assert "/assets/bootstrap.min.css" in sheets, url
        for ref in set(sheets) | {r for r in refs if r.endswith((".css", ".ico", ".png"))}:
            assert analyst.get(urljoin(url, ref)).status_code == 200, (url, ref)
