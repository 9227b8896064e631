"""App database: update validation (every rule, clear messages) and history with before/after."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from accounts import appdb


@pytest.fixture
def eng(tmp_path: Path):  # type: ignore[no-untyped-def]
    e = appdb.engine(url=f"sqlite:///{tmp_path / 'sub' / 'app.sqlite'}")
    yield e
    appdb.dispose_all()


def form(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "rec_no": "4",
        "owner_code": "kent",
        "status": "in_progress",
        "target_date": "2026-12-31",
        "evidence": "",
    }
    base.update(over)
    return base


def valid(who: str = "A Owner", **over: object) -> appdb.StatusUpdate:
    """The form with ``over`` validated as saved by the signed-in user ``who``."""
    return appdb.validate_update(form(**over), who=who)


def errors(who: str = "A Owner", **over: object) -> dict[str, str]:
    with pytest.raises(appdb.UpdateError) as exc:
        valid(who, **over)
    return exc.value.errors


def test_valid_update_is_parsed() -> None:
    u = valid(evidence="  Done  ")
    assert u == appdb.StatusUpdate(4, "kent", "in_progress", date(2026, 12, 31), "Done", "A Owner")


def test_blank_target_keeps_current() -> None:
    assert valid(target_date="").target_date is None


@pytest.mark.parametrize("rec", ["99", "0", "abc", None, ""])
def test_unknown_recommendation(rec: object) -> None:
    assert "rec_no" in errors(rec_no=rec)


def test_owner_must_own_the_recommendation() -> None:
    # Recommendation 9 is CPS HQ's alone; Kent does not own it.
    msg = errors(rec_no="9")["owner_code"]
    assert "does not own recommendation 9" in msg and "Kent" in msg
    assert "not a known" in errors(owner_code="atlantis")["owner_code"]
    assert "owner_code" in errors(owner_code="")


def test_allowed_owners_and_who_come_from_the_session() -> None:
    with pytest.raises(appdb.UpdateError) as exc:
        appdb.validate_update(form(), who="Signed In", allowed_owners={"surrey"})
    assert "cannot update for" in exc.value.errors["owner_code"]
    # a "who" in the form is never used: the update is the signed-in user's
    u = appdb.validate_update(form(who="Forged"), who="Signed In", allowed_owners={"kent"})
    assert u.who == "Signed In"


def test_status_must_be_in_the_contract() -> None:
    assert "status" in errors(status="done")


@pytest.mark.parametrize("bad", ["2026-02-30", "31/12/2026", "2020-01-01", "2099-01-01"])
def test_target_date_must_be_a_plausible_date(bad: str) -> None:
    assert "target_date" in errors(target_date=bad)


def test_evidence_limit_and_required_when_done() -> None:
    assert "2000" in errors(evidence="x" * 2001)["evidence"]
    valid(evidence="x" * 2000)
    for status in ("implemented", "verified"):
        assert "required" in errors(status=status, evidence=" ")["evidence"]
    valid(status="not_applicable")


def test_name_required_and_all_problems_reported_together() -> None:
    errs = errors(who=" ", status="nope", target_date="x")
    assert set(errs) == {"who", "status", "target_date"}
    assert "200" in errors(who="x" * 201)["who"]


def test_history_keeps_who_when_before_after(eng) -> None:  # type: ignore[no-untyped-def]
    before = appdb.RecState("in_progress", date(2022, 1, 16), None)
    u1 = valid(status="implemented", evidence="Audit done", target_date="")
    t1 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    appdb.record_update(u1, before, at=t1, eng=eng)
    after1 = appdb.RecState("implemented", date(2022, 1, 16), "Audit done")
    u2 = valid("B Owner", status="verified", evidence="Verified")
    appdb.record_update(u2, after1, at=datetime(2026, 10, 2, tzinfo=UTC), eng=eng)
    appdb.record_update(valid(owner_code="surrey"), None, eng=eng)

    rows = appdb.history(4, "kent", eng=eng)
    assert [r["who"] for r in rows] == ["B Owner", "A Owner"]
    first = rows[1]
    assert first["at"] == t1
    assert (first["before_status"], first["after_status"]) == ("in_progress", "implemented")
    assert first["after_target_date"] == date(2022, 1, 16)  # blank target kept the current
    assert rows[0]["before_evidence"] == "Audit done"
    assert rows[0]["after_target_date"] == date(2026, 12, 31)
    latest = appdb.latest(4, eng=eng)
    assert latest[(4, "kent")]["after_status"] == "verified"
    assert (4, "surrey") in latest and appdb.history(5, eng=eng) == []


def test_tables_created_on_first_use_from_settings(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SCORECARD_HOME", str(tmp_path / "h"))
    monkeypatch.delenv("SCORECARD_APP_DB", raising=False)
    try:
        e = appdb.engine()
        assert (tmp_path / "h" / "app.sqlite").exists()
        assert appdb.history(eng=e) == []
    finally:
        appdb.dispose_all()
