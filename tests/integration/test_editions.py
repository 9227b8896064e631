"""Editions end to end: publish the session's loaded nation as an edition, load a corrected
extract (Kent's police records, a week later, with 30% of the cases gone), and check that
the revisions view lists exactly the headline cells that moved, while the edition's pages,
CSVs and board packs are unchanged.

One incremental refresh (one new file, then the marts) on a copy of ``loaded_home``: the
correction has to go through the real flow for the ledger and marts to be the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from tests.helpers.auth import ensure_role_users, login, origin_headers
from tests.helpers.browser import pdf_text
from tests.helpers.pipeline import LoadedHome, copy_home, run
from warehouse import db

LABEL = "Q2 2026-27 board"
PERIOD = "2023-24"
KENT_FILE = "police_cases__kent__2024-09-30.csv"
CORRECTED = "police_cases__kent__2024-10-07.csv"


@dataclass
class Revised:
    home: Path
    before: dict[str, str]  # what the edition showed before the correction
    after: dict[str, str]  # the same, after it
    edition_file: Path
    latest_file: Path


def _page_json(client: object, url: str) -> str:
    """A page as Dash's router renders it for a signed-in board member (every table and CSV
    store in the page), with the snapshot cache emptied first so the figures are re-read."""
    from dashboard.data import source
    from tests.helpers.callbacks import callback_request

    app = _apps[0]
    with source.cache_lock:
        source._cache.clear()
    path, _, query = url.partition("?")
    key = next(k for k in app.callback_map if "_pages_content" in k)
    body = callback_request(
        app, key, {"_pages_location.pathname": path, "_pages_location.search": f"?{query}"}
    )
    resp = client.post("/_dash-update-component", json=body, headers=origin_headers())  # type: ignore[attr-defined]
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_data(as_text=True)


_apps: list = []


def _client() -> object:
    """A signed-in board member's client on one app for the module."""
    from dashboard.app import create_app

    if not _apps:
        _apps.append(create_app())
        _apps[0].server.test_client().get("/login")  # Dash adds its routing callbacks here
    client = _apps[0].server.test_client()
    login(client, "board")
    return client


def _artefacts(client: object) -> dict[str, str]:
    q = f"edition={quote_plus(LABEL)}&period={PERIOD}"
    out = {
        "national page": _page_json(client, f"/?{q}"),
        "area page": _page_json(client, f"/area/kent?{q}"),
        "compare page": _page_json(client, f"/compare?{q}&force=kent"),
    }
    for name, url in (
        ("national pack", "/board-pack.pdf"),
        ("area pack", "/area/kent/board-pack.pdf"),
    ):
        resp = client.get(f"{url}?{q}")  # type: ignore[attr-defined]
        assert resp.status_code == 200, resp.data[:200]
        out[name] = pdf_text(resp.data)
    return out


@pytest.fixture(scope="module")
def revised(loaded_home: LoadedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Revised]:
    import dashboard.data.snapshot as snapshot
    from scorecard.settings import load_settings
    from tests.conftest import _use_home
    from warehouse import editions

    mp = pytest.MonkeyPatch()
    home = _use_home(mp, copy_home(loaded_home.path, tmp_path_factory.mktemp("editions") / "home"))
    snapshot._reader = None  # the latest figures are this home's (not an earlier module's)
    try:
        ensure_role_users()
        edition = editions.publish(load_settings(), LABEL, "Seen by the national board", "tests")
        client = _client()
        before = _artefacts(client)
        landing = home / "landing"
        lines = (landing / KENT_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
        (landing / CORRECTED).write_text("".join(lines[: 1 + int((len(lines) - 1) * 0.7)]))
        result = run(home)
        assert (result.status, result.loaded) == ("succeeded", 1), result.message
        after = _artefacts(client)
        latest = (home / "snapshots" / "current.duckdb").resolve()
        yield Revised(home, before, after, edition.file, latest)
    finally:
        snapshot._reader = None
        mp.undo()
        _apps.clear()


def _headline_cells(path: Path) -> dict[tuple, float | None]:
    """Every headline tile's cell in a file, read directly (not through the dashboard)."""
    from dashboard.data.headline import tile_stat
    from dashboard.data.revisions import LEVELS
    from dashboard.data.scorecard import headline_basis
    from warehouse.metrics import catalogue

    out: dict[tuple, float | None] = {}
    con = db.read_only(path)  # the dashboard's configuration: it has the same file open
    try:
        for m in catalogue.headline():
            for lv, org, period, value, supp in con.execute(
                "SELECT level, org_code, period, value, suppressed FROM mart.metric_values "
                "WHERE metric_id = ? AND stat = ? AND basis = ? AND breakdown = ''",
                [m.id, tile_stat(m), headline_basis(m)],
            ).fetchall():
                if lv in LEVELS:
                    shown = None if supp or value is None or value != value else float(value)
                    out[(lv, org, period, m.id)] = shown
    finally:
        con.close()
    return out


def test_revisions_list_exactly_the_cells_that_moved(revised: Revised) -> None:
    from dashboard.data import revisions as rd
    from dashboard.data.headline import tile_stat
    from dashboard.data.scorecard import stat_unit
    from warehouse.metrics import catalogue
    from warehouse.metrics.revisions import moved

    then, now = _headline_cells(revised.edition_file), _headline_cells(revised.latest_file)
    expected = {
        k: (then.get(k), now.get(k))
        for k in then.keys() | now.keys()
        if moved(
            then.get(k), now.get(k), stat_unit(catalogue.get(k[3]), tile_stat(catalogue.get(k[3])))
        )
    }
    rev = rd.revisions(LABEL)
    got = {
        (r["level"], r["org_code"], r["period"], r["metric_id"]): (r["old"], r["new"])
        for r in rev.cells.to_dict("records")
    }
    assert got == expected
    assert any(k[:2] == ("force", "kent") for k in got), "Kent's own figures moved"
    assert rev.changed_senders == ("kent",)
    assert {tuple(s) for s in rev.cells["senders"]} == {("kent",)}, "every move is Kent's"
    frame = rd.table(rev)
    assert set(frame["Moved by"]) == {rd.org_name("kent")}
    assert not frame.apply(lambda c: c.astype(str).str.contains("_")).any().any(), "no codes"


def test_the_edition_is_unchanged_byte_for_byte(revised: Revised) -> None:
    for name in revised.before:
        assert revised.after[name] == revised.before[name], name
    assert "Edition: Q2 2026-27 board, published" in revised.before["national pack"]
    assert "Edition: Q2 2026-27 board, published" in revised.before["national page"]


def test_latest_figures_did_change(revised: Revised) -> None:
    """The control: the same page on the latest figures is not the edition's."""
    latest = _page_json(_client(), f"/area/kent?period={PERIOD}")
    assert "Latest figures" in latest
    assert latest.replace("Latest figures", "") != revised.after["area page"]


def test_the_revisions_page_states_its_threshold_and_lists_the_moves(revised: Revised) -> None:
    text = _page_json(_client(), f"/revisions?edition={quote_plus(LABEL)}")
    assert "percentage points or more" in text and "Kent Police" in text, text[:3000]
    assert "headline figures have changed beyond the threshold" in text
    unknown = _page_json(_client(), "/revisions?edition=nope")
    assert "There is no published edition called 'nope'" in unknown


def test_an_unknown_edition_is_a_clear_message(revised: Revised) -> None:
    client = _client()
    assert "There is no published edition called 'nope'" in _page_json(client, "/?edition=nope")
    resp = client.get("/board-pack.pdf?edition=nope")  # type: ignore[attr-defined]
    assert resp.status_code == 404 and b"no published edition" in resp.data


def test_publishing_twice_with_one_label_is_refused(revised: Revised) -> None:
    from typer.testing import CliRunner

    from scorecard_app.cli import app

    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(revised.home))
    try:
        res = CliRunner().invoke(app, ["editions", "publish", "--label", LABEL])
        assert res.exit_code == 2 and "already exists" in res.output
        res = CliRunner().invoke(app, ["editions", "publish", "--label", "a/b"])
        assert res.exit_code == 2 and "path characters" in res.output
        res = CliRunner().invoke(app, ["editions", "publish", "--label", "After the fix"])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(app, ["editions", "list"])
        assert LABEL in res.output and "After the fix" in res.output
        from accounts import appdb

        entries = appdb.audit_entries(action="edition.publish")
        assert [(e["target"], e["who"].startswith("cli")) for e in entries] == [
            ("After the fix", True)
        ], "the refused publishes are not audited"
    finally:
        mp.undo()
