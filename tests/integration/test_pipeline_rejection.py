"""Every must rule, broken alone in a real extract, rejects that file with a report naming
the rule and the column; none of its rows reach the warehouse; the other files load.

The broken files run against a copy of the session's loaded home, so only they (and one
good file) are processed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.suites import all_rule_ids
from pipelines.runtime import close_all
from scorecard.contract import KINDS
from scorecard.settings import load_settings
from tests.helpers.mutations import break_rule
from tests.helpers.pipeline import AS_AT, LoadedHome, copy_home, run

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

SENDER = {
    "police_cases": "surrey",
    "cps_cases": "cps_wessex",
    "cps_action_plans": "cps_wessex",
    "cps_court_outcomes": "cps_wessex",
    "workforce": "kent",
    "recommendation_updates": "kent",
}
FILE_LEVEL = ("file.readable", "file.header", "file.not_empty", "file.newer")


def _must_rules() -> list[tuple[str, str, str]]:
    out = []
    for kind in KINDS:
        seen = set()
        for rule_id, severity, column in all_rule_ids(kind):
            if severity == "must" and not rule_id.startswith("file.") and rule_id not in seen:
                seen.add(rule_id)
                out.append((kind, rule_id, column))
    return out


MUST_RULES = _must_rules()


@pytest.fixture(scope="module")
def rejection_run(
    tmp_path_factory: pytest.TempPathFactory, loaded_home: LoadedHome
) -> Iterator[dict]:
    """On a copy of the loaded base set, one run with a bad file per must rule and one good
    file."""
    from tests.helpers.settings import TEST_KEY

    mp = pytest.MonkeyPatch()
    home = copy_home(loaded_home.path, tmp_path_factory.mktemp("reject") / "home")
    mp.setenv("SCORECARD_HOME", str(home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    mp.delenv("SCORECARD_CONFIG", raising=False)
    base = loaded_home.files
    landing = home / "landing"
    with duckdb.connect(str(load_settings(home).warehouse_path), read_only=True) as ro:
        before = dict(
            ro.execute(
                "SELECT kind || '/' || org_code, count(*) FROM raw.extracts GROUP BY 1"
            ).fetchall()
        )

    bad: dict[str, str] = {}
    for n, (kind, rule_id, _col) in enumerate(MUST_RULES, start=1):
        org = SENDER[kind]
        as_at = AS_AT + timedelta(days=n)
        src = base / f"{kind}__{org}__{AS_AT.isoformat()}.csv"
        frame = pd.read_csv(src, dtype=str, keep_default_na=False)
        broken = break_rule(frame, kind, rule_id, org=org, as_at=as_at)
        name = f"{kind}__{org}__{as_at.isoformat()}.csv"
        broken.to_csv(landing / name, index=False)
        bad[name] = rule_id
    # File-level failures.
    d = len(MUST_RULES) + 1
    wf = base / f"workforce__kent__{AS_AT.isoformat()}.csv"
    names = {
        "file.readable": f"workforce__kent__{(AS_AT + timedelta(days=d)).isoformat()}.csv",
        "file.header": f"workforce__kent__{(AS_AT + timedelta(days=d + 1)).isoformat()}.csv",
        "file.not_empty": f"workforce__kent__{(AS_AT + timedelta(days=d + 2)).isoformat()}.csv",
        "file.newer": "workforce__kent__2020-03-31.csv",
    }
    text = wf.read_bytes()
    (landing / names["file.readable"]).write_bytes(text.replace(b"kent", b"k\xffent", 1))
    (landing / names["file.header"]).write_bytes(text.replace(b"org_code,", b"org,", 1))
    (landing / names["file.not_empty"]).write_bytes(text.split(b"\n")[0] + b"\n")
    (landing / names["file.newer"]).write_bytes(text + b"\n")
    bad.update({v: k for k, v in names.items()})
    # One good new file from another sender, in the same run.
    good_src = base / f"workforce__surrey__{AS_AT.isoformat()}.csv"
    good = pd.read_csv(good_src, dtype=str, keep_default_na=False)
    good.loc[0, "detective_vacancies"] = str(int(good.loc[0, "detective_vacancies"] or 0) + 1)
    good_name = f"workforce__surrey__{(AS_AT + timedelta(days=1)).isoformat()}.csv"
    good.to_csv(landing / good_name, index=False)

    result = run(home)
    close_all()
    assert result.new == len(bad) + 1, "only the new files are processed"
    wh = duckdb.connect(str(load_settings(home).warehouse_path), read_only=True)
    yield {
        "home": home,
        "result": result,
        "bad": bad,
        "good": good_name,
        "wh": wh,
        "before": before,
    }
    wh.close()
    mp.undo()


def test_run_is_partial_and_the_good_file_loads(rejection_run: dict) -> None:
    result = rejection_run["result"]
    assert result.status == "partial" and result.exit_code == 3
    outcomes = {f["file"]: f["outcome"] for f in result.files}
    assert outcomes[rejection_run["good"]] == "loaded"
    assert {n for n, o in outcomes.items() if o == "rejected"} == set(rejection_run["bad"])


@pytest.mark.parametrize(
    ("kind", "rule_id", "column"), MUST_RULES + [("workforce", r, "") for r in FILE_LEVEL]
)
def test_each_must_rule_rejects_with_a_report(
    rejection_run: dict, kind: str, rule_id: str, column: str
) -> None:
    name = next(n for n, r in rejection_run["bad"].items() if r == rule_id)
    entry = next(f for f in rejection_run["result"].files if f["file"] == name)
    assert entry["outcome"] == "rejected"
    assert rule_id in entry["rules_failed"]
    report = json.loads(Path(entry["report"]).read_text())
    text = json.dumps(report)
    assert rule_id in text and name in text
    if column:
        failed = [f for f in report["failures"] if f["rule_id"] == rule_id]
        assert failed and failed[0]["column"] == column
        assert failed[0]["count"] >= 1 and failed[0]["row_numbers"]
    wh = rejection_run["wh"]
    loaded = wh.execute("SELECT count(*) FROM raw.extracts WHERE file_name = ?", [name]).fetchone()
    assert loaded[0] == 0
    quarantined = list((rejection_run["home"] / "landing" / "quarantine").glob(f"*/{name}"))
    assert quarantined, "the rejected file is in quarantine"


def test_no_rows_of_rejected_files_reach_the_warehouse(rejection_run: dict) -> None:
    wh = rejection_run["wh"]
    after = dict(
        wh.execute(
            "SELECT kind || '/' || org_code, count(*) FROM raw.extracts GROUP BY 1"
        ).fetchall()
    )
    before = rejection_run["before"]
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"workforce/surrey"}
    current_as_at = wh.execute(
        "SELECT max(as_at) FROM raw.extracts WHERE org_code IN (?, ?, ?) AND is_current",
        ["surrey", "cps_wessex", "kent"],
    ).fetchone()[0]
    assert current_as_at <= AS_AT + timedelta(days=1)
    assert isinstance(current_as_at, date)
