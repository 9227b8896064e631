"""User administration in the browser: an admin adds a user, disables them, and both show in
the audit log with who did it; the new user can sign in only while enabled."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.helpers.browser import PageLog, Served, open_page, try_sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[Page, PageLog]]
NEW_PASSWORD = "a-brand-new-long-password"


def test_admin_adds_and_disables_a_user_and_the_audit_log_shows_it(
    served: Served, page_as: PageAs
) -> None:
    pg, log = page_as("admin")
    open_page(pg, served, "/admin/users")
    pg.fill("#admin-add-name", "new-pcc")
    pg.select_option("#admin-add-role", "pcc")
    pg.select_option("#admin-add-org", "surrey")
    pg.fill("#admin-add-password", NEW_PASSWORD)
    pg.fill("#admin-add-confirm", "something else entirely")
    pg.click("#admin-add-submit")
    pg.wait_for_selector("#admin-add-result .alert-danger")
    assert "passwords differ" in pg.inner_text("#admin-add-result")
    pg.fill("#admin-add-confirm", NEW_PASSWORD)
    pg.click("#admin-add-submit")
    pg.wait_for_selector("#admin-add-result .alert-success")
    assert "new-pcc" in pg.inner_text("#admin-users")

    other, _ = page_as(None)
    assert try_sign_in(other, served, "new-pcc", NEW_PASSWORD).endswith("/area/surrey")

    open_page(pg, served, "/admin/users")
    pg.select_option("#admin-act-user", "new-pcc")
    pg.click("#admin-act-disable")
    pg.wait_for_selector("#admin-act-result .alert-success")
    # The disabled user's open session ends at once, and they cannot sign in again.
    other.goto(served.url + "/area/surrey")
    assert "/login" in other.url
    third, _ = page_as(None)
    assert "/login" in try_sign_in(third, served, "new-pcc", NEW_PASSWORD)

    open_page(pg, served, "/admin/audit")
    audit = pg.inner_text("#admin-audit")
    assert "User added" in audit and "User disabled" in audit and "test-admin" in audit
    assert "Disabled: no → yes" in audit  # before and after as a change list
    assert NEW_PASSWORD not in audit and "argon2" not in audit
    assert log.console_errors == [] and log.failed_requests == []
