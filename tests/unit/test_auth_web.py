"""Hardening of the served app: sign-in throttled and locked out, session cookie flags,
security headers, cross-origin writes refused, no open redirect, no stack traces, and no
start without a signing key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts import appdb, users
from tests.helpers.auth import PASSWORD, ensure_role_users, login, origin_headers, user_for

SAME = origin_headers()


@pytest.fixture
def app(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("SCORECARD_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("SCORECARD_LOGIN_CLIENT_FAILURES", "6")
    appdb.dispose_all()
    ensure_role_users()
    from dashboard.app import create_app

    a = create_app()

    @a.server.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret detail kent-urn-123")

    yield a
    appdb.dispose_all()


@pytest.fixture
def client(app: object) -> object:
    return app.server.test_client()  # type: ignore[attr-defined]


def _try(client: object, username: str, password: str, ip: str = "10.0.0.1") -> object:
    return client.post(  # type: ignore[attr-defined]
        "/login",
        data={"username": username, "password": password},
        headers=SAME,
        environ_base={"REMOTE_ADDR": ip},
    )


def test_brute_force_locks_the_account_and_then_throttles_the_client(client: object) -> None:
    name = user_for("board").username
    for _ in range(3):
        assert _try(client, name, "wrong-password!").status_code == 401
    # Locked: the right password no longer works, and the page says so without saying why.
    locked = _try(client, name, PASSWORD)
    assert locked.status_code == 401 and b"locked for 15 minutes" in locked.data
    assert users.get(name).locked()  # type: ignore[union-attr]
    # From the same client, more failures (any names) hit the throttle: 429 + Retry-After.
    for i in range(3):
        _try(client, f"guess{i}", "x")
    throttled = _try(client, "test-pcc", PASSWORD)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    # Another client can still sign in to another account.
    assert _try(client, "test-pcc", PASSWORD, ip="10.0.0.2").status_code == 302


def test_session_cookie_flags(client: object, monkeypatch: pytest.MonkeyPatch) -> None:
    resp = _try(client, "test-board", PASSWORD)
    cookie = resp.headers["Set-Cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("scorecard_session=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_and_hsts_behind_https(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_PUBLIC_URL", "https://scorecard.example.gov.uk")
    appdb.dispose_all()
    ensure_role_users()
    from dashboard.app import create_app

    c = create_app().server.test_client()
    resp = c.post(
        "/login",
        data={"username": "test-board", "password": PASSWORD},
        headers={"Origin": "https://scorecard.example.gov.uk"},
    )
    assert resp.status_code == 302
    assert "Secure" in resp.headers["Set-Cookie"]
    assert "max-age" in resp.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("path", ["/login", "/definitions", "/healthz", "/api/metrics"])
def test_security_headers_everywhere(client: object, path: str) -> None:
    login(client, "board")
    h = client.get(path).headers  # type: ignore[attr-defined]
    csp = h["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "form-action 'self'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "Server" not in h


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Referer": "http://evil.example/page"},
        {},  # neither: refused, a browser always sends one on a POST
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ],
)
def test_cross_origin_posts_are_refused(client: object, headers: dict[str, str]) -> None:
    login(client, "analyst")
    body = {
        "output": "data-run-status.children",
        "outputs": {"id": "data-run-status", "property": "children"},
        "inputs": [{"id": "data-run-now", "property": "n_clicks", "value": 1}],
        "state": [{"id": "data-run-status", "property": "children", "value": None}],
        "changedPropIds": ["data-run-now.n_clicks"],
    }
    resp = client.post("/_dash-update-component", json=body, headers=headers)  # type: ignore[attr-defined]
    assert resp.status_code == 403 and b"did not come from this site" in resp.data
    assert client.post("/logout", headers=headers).status_code == 403  # type: ignore[attr-defined]
    login_resp = client.post(  # type: ignore[attr-defined]
        "/login", data={"username": "test-board", "password": PASSWORD}, headers=headers
    )
    assert login_resp.status_code == 403
    assert not [e for e in appdb.audit_entries() if e["action"] == "refresh.start"]


def test_same_origin_by_referer_is_accepted(client: object) -> None:
    resp = client.post(  # type: ignore[attr-defined]
        "/login",
        data={"username": "test-board", "password": PASSWORD},
        headers={"Referer": "http://localhost/login"},
    )
    assert resp.status_code == 302


def test_only_a_post_signs_out(client: object) -> None:
    login(client, "board")
    client.get("/logout")  # type: ignore[attr-defined]
    # A GET (a link or image elsewhere) does not sign anyone out.
    assert client.get("/_dash-layout").status_code == 200  # type: ignore[attr-defined]
    assert client.post("/logout", headers=SAME).status_code == 302  # type: ignore[attr-defined]
    assert client.get("/_dash-layout").status_code == 401  # type: ignore[attr-defined]


def test_disabling_a_user_ends_their_session_at_once(client: object) -> None:
    login(client, "board")
    assert client.get("/_dash-layout").status_code == 200  # type: ignore[attr-defined]
    users.set_disabled("test-board", True, who="t")
    assert client.get("/_dash-layout").status_code == 401  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("next_path", "role", "landing"),
    [
        ("//evil.example/", "board", "/"),
        ("https://evil.example/", "board", "/"),
        ("/\\evil.example", "board", "/"),
        ("/\t/evil.example", "board", "/"),  # browsers drop the tab: //evil.example
        ("/\r\n/evil.example", "board", "/"),  # CR/LF: never a 500, never a header
        ("/compare\r\nSet-Cookie: x=1", "board", "/"),
        ("/board-pack.pdf", "board", "/"),  # a route, not a page
        ("/no-such-page", "board", "/"),
        ("/area/kent?period=2023-24", "pcc", "/area/kent?period=2023-24"),
        ("/compare?metric=rate.referral", "board", "/compare?metric=rate.referral"),
        ("/data", "board", "/"),  # a page the role cannot open: its landing page instead
        ("/data", "analyst", "/data"),
        ("", "pcc", "/area/kent"),
    ],
)
def test_next_never_redirects_off_site(
    client: object, next_path: str, role: str, landing: str
) -> None:
    resp = client.post(  # type: ignore[attr-defined]
        "/login",
        data={"username": user_for(role).username, "password": PASSWORD, "next": next_path},
        headers=SAME,
    )
    assert resp.status_code == 302 and resp.headers["Location"] == landing


def test_errors_show_no_trace_or_detail(client: object) -> None:
    login(client, "board")
    resp = client.get("/boom-for-test", headers={"Accept": "text/html"})  # type: ignore[attr-defined]
    assert resp.status_code == 500
    assert b"Traceback" not in resp.data and b"kent-urn-123" not in resp.data
    assert b"Something went wrong" in resp.data


def test_login_page_is_public_and_plain(client: object) -> None:
    resp = client.get("/login")  # type: ignore[attr-defined]
    assert resp.status_code == 200 and b'lang="en-GB"' in resp.data
    assert b'autocomplete="current-password"' in resp.data
    assert resp.headers["Cache-Control"] == "no-store"


def test_no_signing_key_no_start(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.app import create_app

    monkeypatch.delenv("SCORECARD_SECRET_KEY")
    with pytest.raises(RuntimeError, match="SCORECARD_SECRET_KEY is not set"):
        create_app()
    monkeypatch.setenv("SCORECARD_SECRET_KEY", "too-short")
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app()


def test_sign_out_ends_the_session_on_the_server(app: object) -> None:
    """A copy of the cookie is worthless after sign-out; the user's other browsers stay in."""
    browser, copy, other = (app.server.test_client() for _ in range(3))  # type: ignore[attr-defined]
    login(browser, "board")
    login(other, "board")
    cookie = browser.get_cookie("scorecard_session")
    copy.set_cookie("scorecard_session", cookie.value)
    assert copy.get("/_dash-layout").status_code == 200
    assert browser.post("/logout", headers=SAME).status_code == 302
    assert copy.get("/_dash-layout").status_code == 401
    assert other.get("/_dash-layout").status_code == 200


def _update(client: object, output: str, outputs: object, inputs: object = ()) -> object:
    body = {"output": output, "outputs": outputs, "inputs": list(inputs), "state": []}
    return client.post("/_dash-update-component", json=body, headers=SAME)  # type: ignore[attr-defined]


def test_a_callback_runs_only_for_the_outputs_it_declares(
    client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dash runs the callback named by ``output``: naming an allowed id in ``outputs`` does
    not let a board member run the analyst's "run now"."""
    started: list[object] = []
    monkeypatch.setattr("dashboard.refresh.start_refresh", lambda s: started.append(s) or "x")
    login(client, "board")
    resp = _update(
        client,
        "data-run-status.children",
        {"id": "national-anything", "property": "children"},
        [{"id": "data-run-now", "property": "n_clicks", "value": 1}],
    )
    assert resp.status_code == 400 and not started  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/_dash-component-suites/dash/../x", None),
        ("GET", "/_dash-component-suites/dash/%2e%2e/app.py", None),
        ("GET", "/_dash-component-suites/no_such_lib/x.js", None),
        (
            "POST",
            "/_dash-update-component",
            {"output": "a.children", "outputs": {"id": "_pages_location", "property": "pathname"}},
        ),
        ("POST", "/_dash-update-component", {"output": "national-x.children", "outputs": []}),
        ("POST", "/_dash-update-component", [1, 2]),
        ("POST", "/login?next=%0d%0a", None),
    ],
)
def test_malformed_requests_get_a_4xx_and_no_traceback(
    client: object,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: object,
) -> None:
    login(client, "board")
    caplog.clear()
    if method == "GET":
        resp = client.get(path)  # type: ignore[attr-defined]
    else:
        form = {"username": "test-board", "password": PASSWORD, "next": "/\r\n"}
        resp = (
            client.post(path, json=body, headers=SAME)  # type: ignore[attr-defined]
            if body is not None
            else client.post(path, data=form, headers=SAME)  # type: ignore[attr-defined]
        )
    assert 300 <= resp.status_code < 500, resp.status_code
    assert b"Traceback" not in resp.data
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
