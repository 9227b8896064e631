"""The audit log read as changes ("Status: In progress → Implemented") and filtered by user,
action and day (dashboard.data.audit, accounts.appdb.audit_entries)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from accounts import appdb
from dashboard.data.audit import action_text, change_list, target_text


def test_a_change_lists_only_what_changed_in_words() -> None:
    before = {"status": "in_progress", "target_date": "2026-06-30", "evidence": "plan"}
    after = {"status": "implemented", "target_date": "2026-06-30", "evidence": "report"}
    assert change_list(before, after) == [
        "Evidence: plan → report",
        "Status: In progress → Implemented",
    ]


def test_new_and_removed_fields_and_plain_values() -> None:
    assert change_list(None, {"role": "analyst", "disabled": False}) == [
        "Disabled: no",
        "Role: Analyst",
    ]
    assert change_list({"locked_until": "2026-04-01T02:30:00+00:00"}, {}) == [
        "Locked until: removed (was 01 Apr 2026 02:30)"
    ]
    assert change_list({"failed_logins": 5}, {"failed_logins": 0}) == ["Failed sign-ins: 5 → 0"]
    assert change_list(None, None) == []


def test_targets_and_organisations_read_as_words() -> None:
    assert (
        target_text("recommendation 9 / cps_hq")
        == "Recommendation 9, CPS headquarters (national RASSO lead)"
    )
    assert target_text("test-owner") == "test-owner"
    assert change_list(None, {"org_code": "cps_hq", "locked_until": None}) == [
        "Locked until: none",
        "Organisation: CPS headquarters (national RASSO lead)",
    ]


def test_actions_read_as_words() -> None:
    assert action_text("recommendation.update") == "Recommendation updated"
    assert action_text("some.new_thing") == "Some new thing"


@pytest.fixture
def eng(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = appdb.engine(url=f"sqlite:///{tmp_path / 'app.sqlite'}")
    with engine.begin() as con:
        appdb.audit(con, "ana", "refresh.start", "pipeline", None, {"result": "ok"},
                    at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC))  # fmt: skip
        appdb.audit(con, "bob", "user.add", "eve", None, {"role": "board"},
                    at=datetime(2026, 4, 2, 23, 59, tzinfo=UTC))  # fmt: skip
        appdb.audit(con, "ana", "user.add", "fay", None, {"role": "pcc"},
                    at=datetime(2026, 4, 3, 0, 1, tzinfo=UTC))  # fmt: skip
    yield engine
    engine.dispose()


def test_filters_by_user_action_and_day(eng) -> None:  # type: ignore[no-untyped-def]
    def targets(**kw: object) -> list[str]:
        return [e["target"] for e in appdb.audit_entries(eng=eng, **kw)]  # type: ignore[arg-type]

    assert targets() == ["fay", "eve", "pipeline"]
    assert targets(who="ana") == ["fay", "pipeline"]
    assert targets(action="user.add") == ["fay", "eve"]
    assert targets(who="ana", action="user.add") == ["fay"]
    assert targets(since=date(2026, 4, 2), until=date(2026, 4, 2)) == ["eve"]
    assert targets(since=date(2026, 4, 3)) == ["fay"]
    assert targets(until=date(2026, 4, 1)) == ["pipeline"]
    assert appdb.audit_facets(eng=eng) == (["ana", "bob"], ["refresh.start", "user.add"])
