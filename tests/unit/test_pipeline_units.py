"""Pure pieces of the pipeline: names, pseudonyms, config, casting and the atomic load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import pseudonymise as ps
from pipelines.config import ConfigError, load_config, parse_config
from pipelines.load import (
    Incoming,
    current_extract,
    insert_rows_sql,
    load_extract,
    load_extracts,
)
from scorecard.contract import ContractError, parse_extract_name
from scorecard.settings import load_settings
from warehouse import db
from warehouse.migrate import migrate


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("police_cases_kent_2024-03-31.csv", "is not named"),
        ("arrests__kent__2024-03-31.csv", "unknown kind"),
        ("police_cases__atlantis__2024-03-31.csv", "unknown organisation"),
        ("police_cases__kent__2024-02-30.csv", "not a YYYY-MM-DD"),
        ("police_cases__kent__2024-03-31.txt", "extension"),
        ("police_cases__cps_wessex__2024-03-31.csv", "cannot send police_cases"),
        ("cps_cases__kent__2024-03-31.csv", "cannot send cps_cases"),
    ],
)
def test_bad_names_are_named(name: str, fragment: str) -> None:
    with pytest.raises(ContractError) as err:
        parse_extract_name(name)
    assert err.value.rule_id == "file.name" and fragment in str(err.value)


def test_good_name() -> None:
    n = parse_extract_name("cps_action_plans__cps_london_north__2024-03-31.parquet")
    assert (n.kind, n.org_code, n.as_at, n.ext) == (
        "cps_action_plans",
        "cps_london_north",
        date(2024, 3, 31),
        "parquet",
    )


def test_pseudonym_is_keyed_and_stable() -> None:
    s = pd.Series(["KEN/1", None, "KEN/1", "KEN/2"], dtype=object)
    a = ps.pseudonymise_series(b"k" * 16, s)
    b = ps.pseudonymise_series(b"j" * 16, s)
    assert a[0] == a[2] != a[3]
    assert pd.isna(a[1])
    assert a[0] != b[0]
    assert a[0] == ps.pseudonym(b"k" * 16, "KEN/1") and len(a[0]) == 64
    assert "KEN" not in a[0]


def test_key_required_unless_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ps.KEY_ENV, raising=False)
    monkeypatch.delenv(ps.DEMO_ENV, raising=False)
    with pytest.raises(ps.MissingKeyError, match="SCORECARD_PSEUDONYM_KEY"):
        ps.load_key()
    monkeypatch.setenv(ps.KEY_ENV, "short")
    with pytest.raises(ps.MissingKeyError, match="at least"):
        ps.load_key()
    monkeypatch.delenv(ps.KEY_ENV)
    monkeypatch.setenv(ps.DEMO_ENV, "1")
    assert ps.load_key() == ps.DEMO_KEY.encode()


def test_config_default_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    settings = load_settings(tmp_path)
    cfg = load_config(settings)
    assert cfg.sources[0].name == "landing" and cfg.sources[0].url.endswith("landing")
    assert cfg.schedules[0].timezone == "Europe/London"
    with pytest.raises(ConfigError, match="non-empty list"):
        parse_config({"sources": []}, "x.yaml")
    with pytest.raises(ConfigError, match="5 fields"):
        parse_config(
            {"sources": [{"name": "a", "url": "/x"}], "schedules": [{"name": "n", "cron": "* *"}]},
            "x.yaml",
        )
    with pytest.raises(ConfigError, match="unknown sources"):
        parse_config(
            {
                "sources": [{"name": "a", "url": "/x"}],
                "schedules": [{"name": "n", "cron": "0 2 * * *", "sources": ["b"]}],
            },
            "x.yaml",
        )
    bad = tmp_path / "pipeline.yaml"
    bad.write_text("sources: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(settings)


def test_insert_sql_quotes_identifiers_and_binds_the_id() -> None:
    sql = insert_rows_sql("cps_action_plans", "incoming")
    assert '"urn"' in sql and 'CAST("issued_date" AS DATE)' in sql
    assert sql.count("?") == 1


def _plans(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_no": list(range(1, n + 1)),
            "urn": [f"u{i}" for i in range(n)],
            "plan_no": ["1"] * n,
            "issued_date": ["2020-01-02"] * n,
            "target_date": [None] * n,
            "response_date": ["2020-02-01"] * n,
            "items": ["3"] * n,
            "escalated": ["y"] + [None] * (n - 1),
        },
        dtype=object,
    )


def _load(con: duckdb.DuckDBPyConnection, as_at: date, frame: pd.DataFrame) -> int:
    return load_extract(
        con,
        kind="cps_action_plans",
        org_code="cps_wessex",
        as_at=as_at,
        file_name=f"cps_action_plans__cps_wessex__{as_at}.csv",
        source="t",
        checksum=str(as_at),
        frame=frame,
        run_id="r",
    )


def test_load_switches_current_and_keeps_vintages(tmp_path: Path) -> None:
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    first = _load(con, date(2024, 3, 31), _plans(3))
    second = _load(con, date(2024, 6, 30), _plans(5))
    cur = current_extract(con, "cps_action_plans", "cps_wessex")
    assert cur is not None and cur.extract_id == second and cur.row_count == 5
    counts = dict(
        con.execute("SELECT extract_id, count(*) FROM raw.cps_action_plans GROUP BY 1").fetchall()
    )
    assert counts == {first: 3, second: 5}
    row = con.execute(
        "SELECT escalated, issued_date FROM raw.cps_action_plans WHERE extract_id = ? "
        "AND row_no = 1",
        [second],
    ).fetchone()
    assert row == (True, date(2020, 1, 2))
    with pytest.raises(ContractError) as err:
        _load(con, date(2024, 6, 30), _plans(2))
    assert err.value.rule_id == "file.newer"
    with pytest.raises(ContractError):
        _load(con, date(2023, 1, 1), _plans(2))


def test_failed_load_writes_nothing(tmp_path: Path) -> None:
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    _load(con, date(2024, 3, 31), _plans(2))
    broken = _plans(2)
    broken.loc[1, "items"] = "not a number"  # would never pass validation; forces a cast error
    with pytest.raises(duckdb.Error):
        _load(con, date(2024, 6, 30), broken)
    assert con.execute("SELECT count(*) FROM raw.extracts").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM raw.cps_action_plans").fetchone()[0] == 2
    cur = current_extract(con, "cps_action_plans", "cps_wessex")
    assert cur is not None and cur.as_at == date(2024, 3, 31)


def _incoming(org: str, as_at: date, frame: pd.DataFrame) -> Incoming:
    return Incoming(
        org, as_at, f"cps_action_plans__{org}__{as_at}.csv", "t", f"{org}{as_at}", frame
    )


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT e.org_code, e.as_at, e.is_current, p.row_no, p.urn, p.items "
        "FROM raw.cps_action_plans p JOIN raw.extracts e USING (extract_id) ORDER BY ALL"
    ).fetchall()


def test_a_batch_loads_in_one_insert_each_row_under_its_own_extract(tmp_path: Path) -> None:
    """Three senders' extracts in one load: each row under its own file's extract id, in
    its row order; each sender's previous vintage switched off; the same rows as loading
    the files one by one."""
    orgs = ["cps_wessex", "cps_south_east", "cps_north_west"]
    frames = [_plans(3), _plans(1), _plans(4)]
    frames[1]["items"] = ["7"]
    by_batch = db.read_write(tmp_path / "batch.duckdb")
    alone = db.read_write(tmp_path / "alone.duckdb")
    for con in (by_batch, alone):
        migrate(con)
        for org in orgs[:2]:  # an earlier vintage of two of them
            load_extract(
                con, kind="cps_action_plans", org_code=org, as_at=date(2024, 3, 31),
                file_name=f"{org}-old", source="t", checksum=f"{org}-old", frame=_plans(2),
                run_id="r",
            )  # fmt: skip
    new = [_incoming(org, date(2024, 6, 30), f) for org, f in zip(orgs, frames, strict=True)]
    ids = load_extracts(by_batch, "cps_action_plans", new, run_id="r")
    one_by_one = [load_extracts(alone, "cps_action_plans", [i], run_id="r")[0] for i in new]
    assert len(set(ids)) == 3 and len(one_by_one) == 3
    for org, frame, extract_id in zip(orgs, frames, ids, strict=True):
        cur = current_extract(by_batch, "cps_action_plans", org)
        assert cur is not None and (cur.extract_id, cur.row_count) == (extract_id, len(frame))
        got = by_batch.execute(
            "SELECT row_no, urn, items FROM raw.cps_action_plans WHERE extract_id = ? "
            "ORDER BY row_no",
            [extract_id],
        ).fetchall()
        assert got == [(r, u, int(i)) for r, u, i in frame[["row_no", "urn", "items"]].values]
    assert _rows(by_batch) == _rows(alone)
    seen = by_batch.execute("SELECT count(*) FROM meta.files_seen").fetchone()
    assert seen is not None and seen[0] == 5


def test_a_batch_load_that_fails_writes_nothing_of_any_file(tmp_path: Path) -> None:
    """One file not newer (or one bad cast) in a batch: none of its files is written."""
    con = db.read_write(tmp_path / "w.duckdb")
    migrate(con)
    _load(con, date(2024, 3, 31), _plans(2))
    before = (_rows(con), con.execute("SELECT * FROM raw.extracts ORDER BY ALL").fetchall())
    broken = _plans(2)
    broken.loc[1, "items"] = "not a number"
    batches = [
        [_incoming("cps_south_east", date(2024, 6, 30), _plans(3)),
         _incoming("cps_wessex", date(2024, 3, 31), _plans(1))],  # not newer
        [_incoming("cps_south_east", date(2024, 6, 30), _plans(3)),
         _incoming("cps_wessex", date(2024, 6, 30), broken)],
    ]  # fmt: skip
    for batch in batches:
        with pytest.raises((ContractError, duckdb.Error)):
            load_extracts(con, "cps_action_plans", batch, run_id="r")
        after = (_rows(con), con.execute("SELECT * FROM raw.extracts ORDER BY ALL").fetchall())
        assert after == before
        assert con.execute("SELECT count(*) FROM meta.files_seen").fetchone() == (1,)
    with pytest.raises(ValueError, match="one extract per sender"):
        load_extracts(con, "cps_action_plans", [batches[0][0], batches[0][0]], run_id="r")


def test_a_rejection_is_worded_without_codes_or_plural_brackets() -> None:
    from pipelines.flow import rejection_message

    assert rejection_message(1) == "Rejected: 1 check that must pass failed; the report names it"
    assert rejection_message(3).startswith("Rejected: 3 checks that must pass failed")
    assert "(s)" not in rejection_message(1) + rejection_message(2)


def test_the_prefect_home_is_made_with_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` in a fresh clone sets PREFECT_HOME=.scorecard/prefect before .scorecard
    exists; Prefect makes only the last folder, and its temporary server then failed with
    'unable to open database file'."""
    from pipelines.runtime import prefect_environment

    nested = tmp_path / "fresh-clone" / ".scorecard" / "prefect"
    monkeypatch.setenv("PREFECT_HOME", str(nested))
    prefect_environment(tmp_path / "fresh-clone" / ".scorecard")
    assert nested.is_dir()
    monkeypatch.delenv("PREFECT_HOME")
    prefect_environment(tmp_path / "other")
    assert (tmp_path / "other" / "prefect").is_dir()
