"""Who may do what: roles, capabilities, and which capability each page, route and callback
needs. Pure data and functions, so the access matrix can be read and tested on its own.

Every request is checked against this table server-side (``dashboard.auth.web``); anything
not listed here is refused (fail closed), and a test checks every registered page, route and
callback has an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from accounts.roles import ROLES as ROLES  # re-exported: the pages list roles from here

ROLE_TEXT = {
    "board": "Board member",
    "pcc": "Police and crime commissioner",
    "owner": "Recommendation owner",
    "analyst": "Analyst",
    "admin": "Administrator",
}

SCORECARDS = "scorecards"  # national, area, compare, recommendations, PDFs, /api/metrics
UPDATE_RECS = "update_recommendations"  # change one's own organisation's recommendation rows
DATA = "data"  # data and pipeline page, run now, rejection reports, Data Docs
USERS = "users"  # user administration and the audit log
DEFINITIONS = "definitions"  # the metric catalogue (every signed-in user)
SIGNED_IN = "signed_in"  # any session (page routing, layout, sign-out)

ROLE_CAPABILITIES: Mapping[str, frozenset[str]] = {
    "board": frozenset({SCORECARDS, DEFINITIONS, SIGNED_IN}),
    "pcc": frozenset({SCORECARDS, DEFINITIONS, SIGNED_IN}),
    "owner": frozenset({SCORECARDS, UPDATE_RECS, DEFINITIONS, SIGNED_IN}),
    # Analysts read the scorecards (to check that a repaired extract fixed the figures) but
    # never change a recommendation.
    "analyst": frozenset({DATA, SCORECARDS, DEFINITIONS, SIGNED_IN}),
    "admin": frozenset({USERS, DEFINITIONS, SIGNED_IN}),
}

# Paths anyone may fetch without a session: the login page, static files, the health check.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/_favicon.ico", "/favicon.ico"})

# Dash pages (GET renders the app shell; the layout arrives through the routing callback).
PAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/$"), SCORECARDS),
    (re.compile(r"^/area/[^/]*$"), SCORECARDS),
    (re.compile(r"^/compare$"), SCORECARDS),
    (re.compile(r"^/revisions$"), SCORECARDS),
    (re.compile(r"^/recommendations(/[^/]*)?$"), SCORECARDS),
    (re.compile(r"^/data$"), DATA),
    (re.compile(r"^/definitions$"), DEFINITIONS),
    (re.compile(r"^/admin/(users|audit)$"), USERS),
)
# One real path for every page above (a known force, recommendation 4): the one list that the
# access and browser tests and the dashboard benchmark visit, kept beside the patterns so a
# new page is added to both (a unit test checks they match).
PAGE_EXAMPLES: tuple[str, ...] = (
    "/",
    "/area/kent",
    "/compare",
    "/revisions",
    "/recommendations",
    "/recommendations/4",
    "/definitions",
    "/data",
    "/admin/users",
    "/admin/audit",
)

# Plain Flask routes (downloads, exports, the API) and Dash's own endpoints.
ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/board-pack\.pdf$"), SCORECARDS),
    (re.compile(r"^/area/[^/]+/board-pack\.pdf$"), SCORECARDS),
    (re.compile(r"^/api/"), SCORECARDS),
    (re.compile(r"^/reports/"), DATA),
    (re.compile(r"^/data-docs/"), DATA),
    (re.compile(r"^/logout$"), SIGNED_IN),
    (re.compile(r"^/_dash-(layout|dependencies|update-component)$"), SIGNED_IN),
    (re.compile(r"^/_reload-hash$"), SIGNED_IN),
)

# Callbacks, by the id of what they write (first match wins; for a pattern-matching id the
# "index" is used, which figure cards set to their card id). The form's submit writes
# recommendation rows, so it needs UPDATE_RECS; reading the form's evidence does not.
CALLBACK_OUTPUTS: tuple[tuple[str, str], ...] = (
    ("_pages_", SIGNED_IN),
    ("national-", SCORECARDS),
    ("area-", SCORECARDS),
    ("compare-", SCORECARDS),
    ("revisions-", SCORECARDS),
    ("recs-", SCORECARDS),
    ("rec-form-result", UPDATE_RECS),
    ("rec-", SCORECARDS),
    ("data-", DATA),
    ("definitions-", DEFINITIONS),
    ("admin-", USERS),
)

LANDING_DEFAULT = {
    "board": "/",
    "owner": "/recommendations",
    "analyst": "/data",
    "admin": "/admin/users",
}


def can(role: str | None, capability: str) -> bool:
    """Whether a role (None: no session) holds a capability."""
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())


def public(path: str) -> bool:
    """Paths served without a session."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def page_capability(path: str) -> str | None:
    """The capability a Dash page path needs; None for a path that is no page (Dash shows
    its own not-found page, which any signed-in user may see)."""
    for pattern, cap in PAGES:
        if pattern.match(path):
            return cap
    return None


def page_exists(path: str) -> bool:
    """Whether a path is one of the app's pages with a real subject: a known force on
    ``/area/<force>``, one of the 13 recommendations on ``/recommendations/<n>``. Anything
    else gets the app's friendly not-found page with HTTP 404."""
    if page_capability(path) is None:
        return False
    from scorecard import reference

    parts = path.strip("/").split("/")
    if parts[0] == "area":
        return len(parts) == 2 and parts[1] in {f.code for f in reference.forces()}
    if parts[0] == "recommendations" and len(parts) == 2:
        return parts[1] in {str(r.rec_no) for r in reference.recommendations()}
    return True


def route_capability(path: str) -> str | None:
    """The capability a non-page route needs, or None when the path is not a known route."""
    for pattern, cap in ROUTES:
        if pattern.match(path):
            return cap
    return None


def _output_key(output_id: Any) -> str:
    if isinstance(output_id, Mapping):
        return str(output_id.get("index", ""))
    return str(output_id)


def callback_capabilities(output_ids: Iterable[Any]) -> set[str] | None:
    """Capabilities needed to run a callback writing these outputs; None if any output is
    unknown (refused)."""
    needed: set[str] = set()
    for oid in output_ids:
        key = _output_key(oid)
        cap = next((c for prefix, c in CALLBACK_OUTPUTS if key.startswith(prefix)), None)
        if cap is None:
            return None
        needed.add(cap)
    return needed or None


def landing(role: str, org_code: str | None) -> str:
    """Where a user lands after signing in: a PCC on their force's scorecard."""
    if role == "pcc" and org_code:
        return f"/area/{org_code}"
    return LANDING_DEFAULT.get(role, "/definitions")
