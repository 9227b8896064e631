"""User administration in the browser: an admin adds a user, disables them, and both show in
the audit log with who did it; the new user can sign in only while enabled."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import PageLog, Served
from tests.browser.scorecard_helpers import open_page

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[object, PageLog]]
NEW_PASSWORD = "a-brand-new-long-password"


def _try_sign_in(pg: object, served: Served, username: str, password: str) -> str:
    pg.goto(served.url + "/login")  # type: ignore[attr-defined]
    pg.fill("#username", username)  # type: ignore[attr-defined]
    pg.fill("#password", password)  # type: ignore[attr-defined]
    with pg.expect_navigation():  # type: ignore[attr-defined]
        pg.click("button[type=submit]")  # type: ignore[attr-defined]
    return pg.url  # type: ignore[attr-defined]


def test_admin_adds_and_disables_a_user_and_the_audit_log_shows_it(
    served: Served, page_as: PageAs
) -> None:
    pg, log = page_as("admin")
    open_page(pg, served, "/admin/users")
    pg.fill("#admin-add-name", "new-pcc")  # type: ignore[attr-defined]
    pg.select_option("#admin-add-role", "pcc")  # type: ignore[attr-defined]
    pg.select_option("#admin-add-org", "surrey")  # type: ignore[attr-defined]
    pg.fill("#admin-add-password", NEW_PASSWORD)  # type: ignore[attr-defined]
    pg.fill("#admin-add-confirm", "something else entirely")  # type: ignore[attr-defined]
    pg.click("#admin-add-submit")  # type: ignore[attr-defined]
    pg.wait_for_selector("#admin-add-result .alert-danger")  # type: ignore[attr-defined]
    assert "passwords differ" in pg.inner_text("#admin-add-result")  # type: ignore[attr-defined]
    pg.fill("#admin-add-confirm", NEW_PASSWORD)  # type: ignore[attr-defined]
    pg.click("#admin-add-submit")  # type: ignore[attr-defined]
    pg.wait_for_selector("#admin-add-result .alert-success")  # type: ignore[attr-defined]
    assert "new-pcc" in pg.inner_text("#admin-users")  # type: ignore[attr-defined]

    other, _ = page_as(None)
    assert _try_sign_in(other, served, "new-pcc", NEW_PASSWORD).endswith("/area/surrey")

    open_page(pg, served, "/admin/users")
    pg.select_option("#admin-act-user", "new-pcc")  # type: ignore[attr-defined]
    pg.click("#admin-act-disable")  # type: ignore[attr-defined]
    pg.wait_for_selector("#admin-act-result .alert-success")  # type: ignore[attr-defined]
    # The disabled user's open session ends at once, and they cannot sign in again.
    other.goto(served.url + "/area/surrey")  # type: ignore[attr-defined]
    assert "/login" in other.url  # type: ignore[attr-defined]
    third, _ = page_as(None)
    assert "/login" in _try_sign_in(third, served, "new-pcc", NEW_PASSWORD)

    open_page(pg, served, "/admin/audit")
    audit = pg.inner_text("#admin-audit")  # type: ignore[attr-defined]
    assert "user.add" in audit and "user.disable" in audit and "test-admin" in audit
    assert NEW_PASSWORD not in audit and "argon2" not in audit
    assert log.console_errors == [] and log.failed_requests == []
