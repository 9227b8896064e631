"""Users for every role and signing in from tests (Flask test client or Playwright)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.auth.policy import PAGE_EXAMPLES

PASSWORD = "correct-horse-battery-staple"
# The owner is CPS Headquarters, sole owner of recommendation 9 and joint owner of 13; the
# PCC's force is Kent.
ORGS = {"pcc": "kent", "owner": "cps_hq"}
ROLES = ("board", "pcc", "owner", "analyst", "admin")
# Every page of the app, as the access tests visit them (the app's own list).
PAGES = PAGE_EXAMPLES


@dataclass(frozen=True)
class RoleUser:
    username: str
    role: str
    org_code: str | None


def user_for(role: str) -> RoleUser:
    return RoleUser(f"test-{role}", role, ORGS.get(role))


def ensure_role_users() -> None:
    """One user per role in the current SCORECARD_HOME's app database (idempotent)."""
    from accounts import users

    for role in ROLES:
        u = user_for(role)
        if users.get(u.username) is None:
            users.add(u.username, role, PASSWORD, org_code=u.org_code, who="tests")


def origin_headers(base: str = "http://localhost") -> dict[str, str]:
    """What a browser sends with a same-origin POST (the test client's host is localhost)."""
    return {"Origin": base}


def login(client: object, role: str, base: str = "http://localhost") -> None:
    """Sign a Flask test client in as the role's test user."""
    resp = client.post(  # type: ignore[attr-defined]
        "/login",
        data={"username": user_for(role).username, "password": PASSWORD},
        headers=origin_headers(base),
    )
    assert resp.status_code == 302, (role, resp.status_code, resp.data[:300])
