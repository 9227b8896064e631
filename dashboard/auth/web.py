"""Sign-in, sessions and server-side access checks on the Dash app's Flask server.

One ``before_request`` hook decides every request from :mod:`dashboard.auth.policy`:
unsafe methods must come from this site's own origin; everything but the login page, static
assets and ``/healthz`` needs a session; pages, routes and each Dash callback (by the ids it
writes) need their capability. Page layouts are also guarded, because Dash renders a page's
layout through its routing callback rather than through the page's URL.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import dash
from flask import Flask, Response, current_app, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from accounts import appdb
from accounts import users as accounts
from dashboard.auth import policy

log = logging.getLogger(__name__)

SECRET_ENV = "SCORECARD_SECRET_KEY"
PUBLIC_URL_ENV = "SCORECARD_PUBLIC_URL"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE = "scorecard_session"


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login sees it. The id carries the account's session epoch,
    so a password change, role change or disable ends every session already issued, and the
    id of this browser's server-side session row, so signing out ends this one (a copied
    cookie stops working) and leaves the user's other browsers signed in."""

    def __init__(self, user: accounts.User, sid: str) -> None:
        self.user = user
        self.sid = sid

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_epoch}:{self.sid}"


def _idle() -> timedelta:
    return timedelta(minutes=int(os.environ.get("SCORECARD_SESSION_MINUTES", "60") or 60))


def _load_user(raw: str) -> SessionUser | None:
    try:
        uid_text, epoch_text, sid = raw.split(":", 2)
        uid, epoch = int(uid_text), int(epoch_text)
    except ValueError:
        return None  # malformed, or a cookie from before server-side sessions: sign in again
    user = accounts.get_by_id(uid)
    if user is None or user.disabled or user.session_epoch != epoch:
        return None
    if not accounts.session_alive(uid, sid, _idle()):
        return None
    return SessionUser(user, sid)


def signed_in() -> accounts.User | None:
    """The signed-in user of the current request, or None (no session, or no request)."""
    try:
        if current_user.is_authenticated:
            return current_user.user
    except (RuntimeError, AttributeError):  # outside a request
        return None
    return None


def current_role() -> str | None:
    user = signed_in()
    return user.role if user else None


def record(action: str, target: str, after: dict[str, Any] | None = None) -> None:
    """Audit a write made through the app by the signed-in user."""
    user = signed_in()
    with appdb.engine().begin() as con:
        appdb.audit(con, user.username if user else "anonymous", action, target, None, after)


# --- helpers for responses -------------------------------------------------------------------


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _allowed_origins() -> set[str]:
    origins = {request.host_url.rstrip("/").lower()}
    public = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if public and (o := _origin(public)):
        origins.add(o)
    return origins


def same_origin() -> bool:
    """A state-changing request must say it comes from this site (Origin, else Referer)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        referer = request.headers.get("Referer")
        origin = _origin(referer) if referer else None
    return origin is not None and origin.lower() in _allowed_origins()


def _wants_html() -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "")


def page(title: str, body: str, status: int = 200) -> Response:
    """A small server-rendered page (login, refusals) with the app's local stylesheet."""
    doc = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - Rape response scorecard</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/scorecard.css"></head>
<body><a class="visually-hidden-focusable" href="#main">Skip to main content</a>
<header><nav class="navbar navbar-dark bg-dark px-3" aria-label="Main">
<a class="navbar-brand text-white" href="/">Rape response scorecard</a></nav></header>
<main id="main" class="container py-4" style="max-width: 40rem">
<h1 class="h3">{html.escape(title)}</h1>{body}</main>
<footer class="border-top py-3"><p class="small text-body-secondary container">
OFFICIAL-SENSITIVE. Sign in with the account you were given; do not share it.</p></footer>
</body></html>"""
    return Response(doc, status=status, mimetype="text/html")


def refusal(status: int, message: str) -> Response:
    """A 4xx (or the plain 500) in the form the caller can use: a page for a browser, JSON
    for a script."""
    if _wants_html():
        link = '<p><a href="/">Go to the start page</a></p>' if status != 401 else ""
        titles = {401: "Sign in needed", 403: "You cannot open this page", 404: "Not found"}
        return page(
            titles.get(status, "Request refused" if status < 500 else "Something went wrong"),
            f'<div class="alert alert-warning" role="status">{html.escape(message)}</div>{link}',
            status,
        )
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


# What a ``next`` may contain: printable ASCII without spaces, quotes, angle brackets or
# backslashes. Anything else (tabs, CR/LF, which browsers and Werkzeug strip or refuse) means
# the value was not made by this app.
_NEXT_CHARS = re.compile(r"^[A-Za-z0-9/_.~%!$&'()*+,;=:@?-]*$")


def _safe_next(raw: str | None, role: str) -> str | None:
    """One of the app's own page paths that the role may open (with its query), else None:
    no open redirects, whatever a browser would make of the value."""
    if not raw or len(raw) > 300 or not _NEXT_CHARS.match(raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    cap = policy.page_capability(parts.path)
    if cap is None or not policy.can(role, cap):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- login page --------------------------------------------------------------------------------


def _login_form(message: str = "", username: str = "", next_path: str = "") -> str:
    alert = (
        f'<div class="alert alert-danger" role="alert">{html.escape(message)}</div>'
        if message
        else ""
    )
    return f"""{alert}
<p>This dashboard holds OFFICIAL-SENSITIVE information about rape cases. Sign in to continue.</p>
<form method="post" action="/login" class="card card-body" aria-label="Sign in">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<div class="mb-3"><label for="username" class="form-label">Username</label>
<input id="username" name="username" class="form-control" autocomplete="username"
 required value="{html.escape(username)}"></div>
<div class="mb-3"><label for="password" class="form-label">Password</label>
<input id="password" name="password" type="password" class="form-control"
 autocomplete="current-password" required></div>
<button type="submit" class="btn btn-primary">Sign in</button></form>"""


FAILED = (
    "Sign-in failed: the username or password is wrong, or the account is disabled or "
    "locked. After {n} failures in a row an account is locked for {m} minutes."
)


def _login() -> BaseResponse:
    if request.method == "GET":
        if signed_in():
            user = signed_in()
            assert user is not None
            return redirect(policy.landing(user.role, user.org_code))
        return page("Sign in", _login_form(next_path=request.args.get("next", "")[:300]))
    username = request.form.get("username", "")[:200]
    password = request.form.get("password", "")[:2048]
    next_path = request.form.get("next", "")[:300]
    limits = accounts.LoginLimits.from_env()
    result = accounts.authenticate(username, password, request.remote_addr or "unknown")
    if result.reason == "throttled":
        minutes = max(1, round(result.retry_after / 60))
        resp = page(
            "Sign in",
            _login_form(
                f"Too many failed sign-ins from this address. Try again in about {minutes} "
                "minute(s).",
                username,
                next_path,
            ),
            429,
        )
        resp.headers["Retry-After"] = str(result.retry_after)
        return resp
    if result.user is None:
        log.info("sign-in failed (%s)", result.reason)
        msg = FAILED.format(n=limits.max_failures, m=limits.lockout_minutes)
        return page("Sign in", _login_form(msg, username, next_path), 401)
    session.clear()  # a fresh session id: no fixation
    accounts.prune_sessions(_idle())
    login_user(SessionUser(result.user, accounts.start_session(result.user.id)))
    session.permanent = True
    log.info("user %s signed in", result.user.username)
    target = _safe_next(next_path, result.user.role) or policy.landing(
        result.user.role, result.user.org_code
    )
    return redirect(target, code=302)


def _logout() -> BaseResponse:
    """End this browser's session on the server too, so a copy of its cookie is worthless."""
    sid = getattr(current_user, "sid", None)
    if sid:
        accounts.end_session(sid)
        log.info("user %s signed out", current_user.user.username)
    logout_user()
    session.clear()
    return redirect("/login", code=302)


# --- the guard -----------------------------------------------------------------------------------


class MalformedCallback(ValueError):
    """A callback request that this app's pages never send."""


def _declared(key: str) -> list[dict[str, Any]]:
    """The outputs a registered callback writes, from its key in Dash's callback map
    (``id.prop`` or ``..id1.prop1...id2.prop2..``; pattern ids are JSON)."""
    from dash._utils import split_callback_id

    parts = split_callback_id(key)
    out = []
    for p in parts if isinstance(parts, list) else [parts]:
        oid: Any = p["id"]
        # Dash escapes dots in string ids; allow_duplicate adds "@<hash>" to the property.
        oid = json.loads(oid) if oid.startswith("{") else oid.replace("\\.", ".")
        out.append({"id": oid, "property": p["property"].split("@", 1)[0]})
    return out


def _id_matches(declared: Any, given: Any) -> bool:
    if isinstance(declared, str):
        return declared == given
    if not isinstance(given, dict) or set(given) != set(declared):
        return False
    # A wildcard (MATCH, ALL, ALLSMALLER) is stored as a one-item list; it matches any value.
    return all(isinstance(v, list) or given[k] == v for k, v in declared.items())


def _callback_outputs(body: Any, callback_map: Any) -> list[Any]:
    """The ids a callback request writes, checked against the callback Dash will run.

    Dash picks the function by ``output`` (the callback's key) but hands it the ``outputs``
    ids, so both must agree: otherwise a request could name an allowed id in ``outputs`` and
    run another role's callback through ``output``. Raises :class:`MalformedCallback`."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise MalformedCallback("no callback named")
    key = body["output"]
    if key not in callback_map:
        raise MalformedCallback("unknown callback")
    for field in ("inputs", "state"):
        items = body.get(field, [])
        if not isinstance(items, list):
            raise MalformedCallback(f"malformed {field}")
        flat = [y for x in items for y in (x if isinstance(x, list) else [x])]
        if not all(isinstance(x, dict) and "id" in x and "property" in x for x in flat):
            raise MalformedCallback(f"malformed {field}")
    declared = _declared(key)
    given = body.get("outputs")
    if isinstance(given, dict):
        given = [given]
    if not isinstance(given, list) or len(given) != len(declared):
        raise MalformedCallback("outputs do not match the callback")
    found: list[Any] = []
    for want, got in zip(declared, given, strict=True):
        # ALL/ALLSMALLER wildcards give a list of concrete outputs for one declared output.
        for o in got if isinstance(got, list) else [got]:
            if not (
                isinstance(o, dict)
                and str(o.get("property", "")).split("@", 1)[0] == want["property"]
                and _id_matches(want["id"], o.get("id"))
            ):
                raise MalformedCallback("outputs do not match the callback")
            found.append(o["id"])
    return found


def _guard() -> BaseResponse | None:
    path = request.path
    if request.method not in SAFE_METHODS and not same_origin():
        log.warning("refused a %s to %s from another origin", request.method, path)
        return refusal(403, "Refused: this request did not come from this site.")
    if policy.public(path):
        return None
    user = signed_in()
    if user is None:
        if _wants_html():
            target = request.full_path.rstrip("?")
            return redirect(f"/login?next={_quote(target)}", code=302)
        return refusal(401, "Sign in first: this needs a session.")
    role = user.role
    cap = policy.route_capability(path)
    if cap is not None:
        if not policy.can(role, cap):
            return refusal(403, "Your role does not allow this.")
        if path == "/_dash-update-component":
            app = current_app.extensions["scorecard_dash"]
            try:
                written = _callback_outputs(request.get_json(silent=True), app.callback_map)
            except MalformedCallback as exc:
                log.warning("refused a malformed callback request (%s)", exc)
                return refusal(400, "Malformed callback request.")
            needed = policy.callback_capabilities(written)
            if needed is None or not all(policy.can(role, c) for c in needed):
                return refusal(403, "Your role does not allow this.")
        return None
    cap = policy.page_capability(path)
    if cap is not None and not policy.can(role, cap):
        if path == "/":
            return redirect(policy.landing(role, user.org_code), code=302)
        return refusal(403, "Your role does not give access to this page.")
    return None


def _not_found_status(resp: Response) -> Response:
    """Dash answers every unknown path with its page shell (200) and shows its not-found
    page in the browser; keep that page but say 404, so links checkers, proxies and
    scripts see a bad URL as one."""
    path = request.path
    if (
        request.method == "GET"
        and resp.status_code == 200
        and resp.mimetype == "text/html"
        and not policy.public(path)
        and policy.route_capability(path) is None
        and not policy.page_exists(path)
    ):
        resp.status_code = 404
    return resp


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def guard_layout(layout: Any, capability: str) -> Callable[..., Any]:
    """Wrap a page layout: a user without the capability gets a plain refusal instead."""

    if getattr(layout, "_scorecard_guarded", False):
        return layout  # a second create_app in one process (tests)

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not policy.can(current_role(), capability):
            return dash.html.Div(
                [
                    dash.html.H1("You cannot open this page", className="h3"),
                    dash.html.P("Your role does not give access to this page.", role="status"),
                    dash.html.A("Go to the start page", href="/"),
                ]
            )
        return layout(*args, **kwargs) if callable(layout) else layout

    guarded._scorecard_guarded = True  # type: ignore[attr-defined]
    return guarded


def _sample_path(page_entry: dict[str, Any]) -> str:
    template = page_entry.get("path_template") or page_entry["path"]
    return "/".join("x" if part.startswith("<") else part for part in template.split("/"))


# --- headers -------------------------------------------------------------------------------------


def _headers(app: dash.Dash, https: bool) -> Callable[[Response], Response]:
    """Security headers on every response. The CSP's script hashes are worked out again
    whenever Dash has gained inline scripts (clientside callbacks are added as inline scripts
    when the server sets itself up on its first request, after create_app)."""
    from dash import _callback

    cached: dict[str, Any] = {"count": -1, "csp": ""}

    def csp() -> str:
        count = len(app._inline_scripts) + len(_callback.GLOBAL_INLINE_SCRIPTS)
        if count != cached["count"]:
            cached["csp"] = content_security_policy(list(app.csp_hashes()))
            cached["count"] = len(app._inline_scripts)
        return str(cached["csp"])

    def add(resp: Response) -> Response:
        h = resp.headers
        h["Content-Security-Policy"] = csp()
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if https:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not policy.public(request.path) or request.path == "/login":
            h["Cache-Control"] = "no-store"
        h.pop("Server", None)
        return resp

    return add


def content_security_policy(script_hashes: list[str]) -> str:
    """Same-origin everything; Dash's one inline script allowed by hash. Plotly sets inline
    styles, so style-src needs 'unsafe-inline' (styles cannot run code)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _secret() -> str:
    secret = os.environ.get(SECRET_ENV, "").strip()
    if secret:
        if len(secret) < 32:
            raise RuntimeError(f"{SECRET_ENV} must be at least 32 characters (use a random one)")
        return secret
    if os.environ.get("SCORECARD_DEMO") == "1":
        # Said, not warned: the demo's one warning is that it is a demo.
        log.info("%s not set; demo mode uses a random key (sessions end on restart)", SECRET_ENV)
        return secrets.token_hex(32)
    raise RuntimeError(
        f"{SECRET_ENV} is not set: the dashboard signs session cookies with it. Set a long "
        'random value, e.g. python -c "import secrets; print(secrets.token_hex(32))"'
    )


def _error_page(exc: Exception) -> Response:
    """No stack traces or identifiers in responses: log the error, answer plainly. A request
    the app never makes (Dash's "no such asset" for a made-up component-suite path) is the
    client's fault: a 404 and one log line, no traceback."""
    from dash.exceptions import DependencyException
    from werkzeug.exceptions import HTTPException

    if isinstance(exc, HTTPException):
        return exc  # type: ignore[return-value]
    if isinstance(exc, DependencyException):
        log.info("404 for a component-suite path Dash does not serve: %r", request.path[:200])
        return refusal(404, "Not found.")
    log.exception("unhandled error on %s", request.path)
    return refusal(500, "Something went wrong on the server; the error has been logged.")


def init_app(app: dash.Dash) -> None:
    """Add sign-in, the access guard, security headers and error pages to a Dash app."""
    server: Flask = app.server
    public_url = os.environ.get(PUBLIC_URL_ENV, "").strip()
    https = public_url.lower().startswith("https://")
    minutes = int(os.environ.get("SCORECARD_SESSION_MINUTES", "60") or 60)
    server.config.update(
        SECRET_KEY=_secret(),
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    proxies = int(os.environ.get("SCORECARD_TRUSTED_PROXIES", "0") or 0)
    if proxies > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(server)

    server.extensions["scorecard_dash"] = app  # the guard checks callbacks against its map
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    server.before_request(_guard)
    server.after_request(_headers(app, https))
    server.after_request(_not_found_status)
    server.register_error_handler(Exception, _error_page)

    for entry in dash.page_registry.values():
        cap = policy.page_capability(_sample_path(entry))
        if cap is not None:
            entry["layout"] = guard_layout(entry["layout"], cap)
