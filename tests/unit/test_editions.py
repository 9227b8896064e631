"""Editions and revisions: label rules, the publish's refusals and atomicity, the revisions
threshold and diff (pure functions, no pipeline)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.helpers.warehouse import settings as make_settings
from warehouse import editions
from warehouse.metrics import revisions as rv


# --- labels ---------------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["Q2 2026-27 board", "  March PCC panel  ", "Édition 3 (draft)"])
def test_good_labels_are_kept_trimmed(label: str) -> None:
    assert editions.check_label(label) == label.strip()


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * (editions.LABEL_MAX + 1), "at most"),
        ("../etc", "path"),
        ("a/b", "path"),
        ("a\\b", "path"),
        ("tab\there", "control"),
        ("new\nline", "control"),
        ("bell\x07", "control"),
        ("..", "path"),
    ],
)
def test_bad_labels_are_refused_with_a_reason(label: str, why: str) -> None:
    with pytest.raises(editions.EditionError, match=why):
        editions.check_label(label)


# --- publish ----------------------------------------------------------------------------------
def _snapshot(home: Path, value: float = 10.0) -> Path:
    """A minimal serving snapshot: the tables an edition's manifest reads."""
    snaps = home / "snapshots"
    snaps.mkdir(parents=True, exist_ok=True)
    path = snaps / "snapshot-20260101T000000000000-abcdef12.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA mart; CREATE SCHEMA meta; CREATE SCHEMA raw")
    con.execute("CREATE TABLE mart.build_info AS SELECT DATE '2026-09-30' AS data_as_at")
    con.execute("CREATE TABLE meta.snapshot AS SELECT 'run1' AS run_id, now() AS published_at")
    con.execute(
        "CREATE TABLE raw.extracts AS SELECT 'police_cases' AS kind, 'kent' AS org_code, "
        "DATE '2026-09-30' AS as_at, 'police_cases__kent__2026-09-30.csv' AS file_name, "
        "'abc' AS checksum, TRUE AS is_current"
    )
    con.execute(f"CREATE TABLE mart.metric_values AS SELECT {value} AS value")
    con.close()
    (snaps / "current.duckdb").symlink_to(path.name)
    return path


def test_publish_freezes_a_read_only_copy_with_its_manifest(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    _snapshot(s.home)
    e = editions.publish(s, " Q2 board ", "seen by the board", "cli:tester")
    assert (e.label, e.note, e.published_by) == ("Q2 board", "seen by the board", "cli:tester")
    assert e.file.exists() and e.file.parent == s.home / "editions"
    assert e.file.stat().st_mode & 0o777 == 0o400
    assert e.extracts == (
        {
            "kind": "police_cases",
            "org_code": "kent",
            "as_at": "2026-09-30",
            "file_name": "police_cases__kent__2026-09-30.csv",
            "checksum": "abc",
        },
    )
    assert str(e.data_as_at) == "2026-09-30"
    assert editions.get(s, "Q2 board") == e
    assert [x.label for x in editions.list_editions(s)] == ["Q2 board"]
    assert not list((s.home / "editions").glob(".*.tmp")), "no temporary file left"


def test_publishing_a_label_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    _snapshot(s.home)
    first = editions.publish(s, "Q2 board", "", "a")
    before = sorted(p.name for p in (s.home / "editions").iterdir())
    with pytest.raises(editions.EditionError, match="already exists"):
        editions.publish(s, "Q2 board", "again", "b")
    assert sorted(p.name for p in (s.home / "editions").iterdir()) == before
    assert editions.get(s, "Q2 board") == first


def test_no_snapshot_is_refused(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    with pytest.raises(editions.EditionError, match="no serving snapshot"):
        editions.publish(s, "Q2 board", "", "a")
    assert editions.list_editions(s) == []


def test_a_killed_publish_leaves_no_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the copy, before the manifest is linked: the label is still free, and the
    next publish clears the half-written files."""
    s = make_settings(tmp_path)
    _snapshot(s.home)

    def killed(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # what a kill looks like to the code in between

    monkeypatch.setattr(os, "link", killed)
    with pytest.raises(KeyboardInterrupt):
        editions.publish(s, "Q2 board", "", "a")
    monkeypatch.undo()
    assert editions.get(s, "Q2 board") is None and editions.list_editions(s) == []
    e = editions.publish(s, "Q2 board", "", "a")
    assert editions.get(s, "Q2 board") == e


def test_unknown_and_malformed_labels_look_up_nothing(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    assert editions.get(s, "nope") is None
    assert editions.get(s, "../../etc/passwd") is None


# --- the revisions threshold ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "unit", "moved"),
    [
        (50.0, 50.4, "percent", False),
        (50.0, 50.5, "percent", True),
        (50.0, 49.5, "percent", True),
        (12.0, 12.49, "per_100", False),
        (12.0, 12.5, "per_100", True),
        (9000, 9050, "count", False),  # 50 is under 1% of 9,000
        (9000, 9090, "count", True),
        (50, 51, "count", True),  # 1 and 2%
        (50, 50, "count", False),
        (300.0, 302.0, "days", False),  # under 1%
        (300.0, 303.0, "days", True),
        (20.0, 20.9, "days", False),  # under a day
        (None, 10.0, "count", True),  # suppressed then, shown now
        (10.0, None, "percent", True),
        (None, None, "percent", False),
        (float("nan"), float("nan"), "count", False),
    ],
)
def test_threshold(old: float | None, new: float | None, unit: str, moved: bool) -> None:
    assert rv.moved(old, new, unit) is moved


def _cells(values: dict[tuple[str, str, str], float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "level": lv,
                "org_code": org,
                "period": "2023-24",
                "metric_id": mid,
                "stat": "count" if mid.startswith("volume") else "rate",
                "basis": "period",
                "value": v,
            }
            for (lv, org, mid), v in values.items()
        ]
    )


def test_revised_cells_lists_exactly_the_moved_cells() -> None:
    units = {"volume.recorded/count": "count", "rate.police_charge/rate": "percent"}
    old = _cells(
        {
            ("national", "national", "volume.recorded"): 1000,
            ("force", "kent", "volume.recorded"): 100,
            ("force", "kent", "rate.police_charge"): 5.0,
            ("force", "surrey", "rate.police_charge"): 6.0,
            ("force", "essex", "rate.police_charge"): None,
        }
    )
    new = _cells(
        {
            ("national", "national", "volume.recorded"): 1005,  # 0.5%: not moved
            ("force", "kent", "volume.recorded"): 90,
            ("force", "kent", "rate.police_charge"): 4.2,
            ("force", "surrey", "rate.police_charge"): 6.3,  # 0.3 points: not moved
            ("force", "essex", "rate.police_charge"): 7.0,  # now shown
        }
    )
    got = rv.revised_cells(old, new, units)
    assert [(r.org_code, r.metric_id, r.old, r.new) for r in got.itertuples()] == [
        ("essex", "rate.police_charge", None, 7.0),
        ("kent", "rate.police_charge", 5.0, 4.2),
        ("kent", "volume.recorded", 100, 90),
    ]


def test_changed_senders_and_who_feeds_a_cell() -> None:
    then = [
        {"kind": "police_cases", "org_code": "kent", "checksum": "a"},
        {"kind": "cps_cases", "org_code": "cps_south_east", "checksum": "b"},
        {"kind": "police_cases", "org_code": "surrey", "checksum": "c"},
    ]
    now = [
        {"kind": "police_cases", "org_code": "kent", "checksum": "a2"},  # corrected
        {"kind": "cps_cases", "org_code": "cps_south_east", "checksum": "b"},
        {"kind": "police_cases", "org_code": "surrey", "checksum": "c"},
        {"kind": "workforce", "org_code": "essex", "checksum": "d"},  # new sender
    ]
    changed = rv.changed_senders(then, now)
    assert changed == {"kent", "essex"}
    assert rv.senders_for("national", "national", changed) == ["essex", "kent"]
    assert rv.senders_for("force", "kent", changed) == ["kent"]
    assert rv.senders_for("force", "surrey", changed) == []
    assert rv.senders_for("cps_area", "cps_south_east", changed) == ["kent"]
