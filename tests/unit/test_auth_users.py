"""Accounts: argon2 hashes, validation with clear messages, lock-out and the client throttle,
the append-only audit log, and the `scorecard users` commands (password never an argument)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from accounts import appdb, users

PW = "a-long-enough-password"


@pytest.fixture
def db(home: Path):  # type: ignore[no-untyped-def]
    appdb.dispose_all()
    yield appdb.engine()
    appdb.dispose_all()


def test_add_stores_an_argon2_hash_and_audits_without_it(db) -> None:  # type: ignore[no-untyped-def]
    u = users.add("Alice", "pcc", PW, org_code="kent", who="admin1")
    assert (u.username, u.role, u.org_code) == ("alice", "pcc", "kent")
    with db.connect() as con:
        stored = con.execute(sa.select(appdb.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored
    entry = appdb.audit_entries()[0]
    assert (entry["who"], entry["action"], entry["target"]) == ("admin1", "user.add", "alice")
    assert entry["before"] is None and entry["after"]["role"] == "pcc"
    assert "argon2" not in str(entry) and PW not in str(entry)


@pytest.mark.parametrize(
    ("name", "role", "org", "password", "words"),
    [
        ("x", "board", None, PW, "username 'x' is not allowed"),
        ("bob smith", "board", None, PW, "not allowed"),
        ("bob", "superuser", None, PW, "unknown role 'superuser'"),
        ("bob", "pcc", None, PW, "needs --org"),
        ("bob", "pcc", "cps_london_north", PW, "not a force code"),
        ("bob", "owner", "atlantis", PW, "not a known force"),
        ("bob", "board", "kent", PW, "has no organisation"),
        ("bob", "board", None, "short", "at least 12 characters"),
        ("bob-the-builder", "board", None, "bob-the-builder", "must not be the username"),
    ],
)
def test_bad_users_are_refused_with_a_reason(  # type: ignore[no-untyped-def]
    db, name: str, role: str, org: str | None, password: str, words: str
) -> None:
    with pytest.raises(users.UserError, match=words):
        users.add(name, role, password, org_code=org, who="t")
    assert users.list_users() == []


def test_duplicate_name_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    users.add("alice", "board", PW, who="t")
    with pytest.raises(users.UserError, match="already exists"):
        users.add("ALICE", "analyst", PW, who="t")


def test_lockout_after_repeated_failures_then_unlock(db) -> None:  # type: ignore[no-untyped-def]
    users.add("alice", "board", PW, who="t")
    limits = users.LoginLimits(max_failures=3, lockout_minutes=15, client_failures=100)
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for i in range(3):
        r = users.authenticate("alice", "wrong", "10.0.0.1", limits=limits, now=t0)
        assert r.reason == "bad", i
    # Locked: even the right password is refused until the lock expires.
    assert users.authenticate("alice", PW, "10.0.0.2", limits=limits, now=t0).reason == "locked"
    later = t0 + timedelta(minutes=16)
    assert users.authenticate("alice", PW, "10.0.0.2", limits=limits, now=later).reason == "ok"
    assert any(e["action"] == "user.locked" for e in appdb.audit_entries())
    # An admin can lift a lock early.
    for _ in range(3):
        users.authenticate("alice", "wrong", "10.0.0.3", limits=limits, now=later)
    assert users.get("alice").locked(later)  # type: ignore[union-attr]
    users.unlock("alice", who="admin1")
    assert users.authenticate("alice", PW, "10.0.0.3", limits=limits, now=later).reason == "ok"


def test_client_throttle_counts_unknown_names_too(db) -> None:  # type: ignore[no-untyped-def]
    limits = users.LoginLimits(client_failures=4, client_window_minutes=10)
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for i in range(4):
        assert users.authenticate(f"nobody{i}", "x", "10.9.9.9", limits=limits, now=t0).reason == (
            "bad"
        )
    r = users.authenticate("nobody", "x", "10.9.9.9", limits=limits, now=t0 + timedelta(minutes=1))
    assert r.reason == "throttled" and 0 < r.retry_after <= 600
    # Another client is not affected; the window passes.
    assert users.authenticate("nobody", "x", "10.1.1.1", limits=limits, now=t0).reason == "bad"
    late = t0 + timedelta(minutes=11)
    assert users.authenticate("nobody", "x", "10.9.9.9", limits=limits, now=late).reason == "bad"


def test_disable_and_password_change_end_sessions(db) -> None:  # type: ignore[no-untyped-def]
    u = users.add("alice", "board", PW, who="t")
    assert users.set_password("alice", "another-long-password", who="t").session_epoch > (
        u.session_epoch
    )
    assert users.authenticate("alice", PW, "c").reason == "bad"
    assert users.authenticate("alice", "another-long-password", "c").reason == "ok"
    d = users.set_disabled("alice", True, who="t")
    assert d.disabled and users.authenticate("alice", "another-long-password", "c").reason == (
        "disabled"
    )
    after = appdb.audit_entries()[0]
    assert after["action"] == "user.disable" and after["before"]["disabled"] is False


def test_audit_log_is_append_only_in_the_database(db) -> None:  # type: ignore[no-untyped-def]
    users.add("alice", "board", PW, who="t")
    for stmt in (
        sa.update(appdb.audit_log).values(who="someone else"),
        sa.delete(appdb.audit_log),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.begin() as con:
            con.execute(stmt)
    assert [e["who"] for e in appdb.audit_entries()] == ["t"]


def _cli(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scorecard_app", "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_reads_the_password_from_stdin_never_an_argument(home: Path) -> None:
    ok = _cli(["add", "carol", "--role", "owner", "--org", "cps_hq"], PW + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "added carol (owner, cps_hq)" in ok.stdout
    listed = _cli(["list"])
    assert "carol" in listed.stdout and "owner" in listed.stdout and "active" in listed.stdout
    no_arg = _cli(["add", "dave", "--role", "board", "--password", PW])
    assert no_arg.returncode == 2 and "No such option" in no_arg.stderr
    weak = _cli(["add", "erin", "--role", "board"], "short\n")
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr
    empty = _cli(["add", "erin", "--role", "board"], "")
    assert empty.returncode == 2 and "no password on standard input" in empty.stderr
    assert _cli(["disable", "carol"]).returncode == 0
    assert "disabled" in _cli(["list"]).stdout
    missing = _cli(["set-password", "nobody"], PW + "\n")
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr
    appdb.dispose_all()
    actions = [e["action"] for e in appdb.audit_entries()]
    assert actions[:2] == ["user.disable", "user.add"]
    assert appdb.audit_entries()[0]["who"].startswith("cli")
    appdb.dispose_all()


def test_demo_users_get_fresh_random_passwords_each_run(db) -> None:  # type: ignore[no-untyped-def]
    from scorecard_app.demo import demo_users

    first = demo_users()
    assert sorted(r for _, r, _, _ in first) == sorted(
        ["board", "pcc", "owner", "analyst", "admin"]
    )
    for name, _, _, password in first:
        assert users.authenticate(name, password, "demo").reason == "ok"
    second = demo_users()
    assert {n: p for n, _, _, p in first} != {n: p for n, _, _, p in second}
    name, _, _, old = first[0]
    assert users.authenticate(name, old, "demo").reason == "bad"
