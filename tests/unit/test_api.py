"""/api/metrics: the export's rows as JSON, and every malformed parameter a clear 400."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from dashboard import api
from dashboard.data import source
from tests.helpers.serving import MissingSnapshot, serving
from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import export


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    w = Warehouse()
    w.police(
        "kent", [{"recorded_date": d("2023-05-10"), "isva_referral": i < 12} for i in range(30)]
    )
    w.police("surrey", [{"recorded_date": d("2023-06-01")}] * 3)
    w.build()
    return w


@pytest.fixture
def client(wh: Warehouse):  # type: ignore[no-untyped-def]
    app = Flask(__name__)
    api.register_api(app)
    with serving(wh.con):
        yield app.test_client()


def test_rows_and_columns_match_the_export(client, wh: Warehouse) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/metrics?level=force&period=2023-24")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    got = resp.get_json()
    expected = json.loads(export.to_json(export.rows(wh.con, "force", "2023-24")))
    assert got == expected and len(got) > 0
    assert list(got[0]) == list(export.COLUMNS)
    assert {r["level"] for r in got} == {"force"} and {r["period"] for r in got} == {"2023-24"}
    surrey = [r for r in got if r["org_code"] == "surrey" and r["metric_id"] == "volume.recorded"]
    assert surrey and surrey[0]["value"] is None and surrey[0]["suppressed"] == "small_count"


def test_one_filter_is_enough(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/metrics?level=national").status_code == 200
    rows = client.get("/api/metrics?period=2023-24-Q1").get_json()
    assert rows and {r["period"] for r in rows} == {"2023-24-Q1"}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "give level and/or period"),
        ("?level=county", "unknown level 'county'"),
        ("?period=2023", "not a financial year"),
        ("?period=2023-25", "not a financial year"),
        ("?period=2023-24-Q5", "not a financial year"),
        ("?level=force&colour=red", "unknown parameter(s) colour"),
        ("?level=force&level=national", "at most once"),
    ],
)
def test_bad_parameters_are_clear_400s(client, query: str, words: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/metrics" + query)
    assert resp.status_code == 400
    assert words in resp.get_json()["error"]


def test_no_snapshot_is_a_503() -> None:
    app = Flask(__name__)
    api.register_api(app)
    with source.use(MissingSnapshot()):
        resp = app.test_client().get("/api/metrics?level=force")
    assert resp.status_code == 503 and "etl run" in resp.get_json()["error"]


def test_rows_come_in_bounded_pages_with_a_next_link(
    client, wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A request returns at most PAGE_MAX rows however many match, and links the next page."""
    monkeypatch.setattr(api, "PAGE_MAX", 7, raising=False)
    expected = json.loads(export.to_json(export.rows(wh.con, "force", None)))
    assert len(expected) > 3 * 7
    got: list[dict] = []
    url: str | None = "/api/metrics?level=force"
    pages = 0
    while url:
        resp = client.get(url)
        assert resp.status_code == 200, resp.get_json()
        page = resp.get_json()
        assert 0 < len(page) <= 7
        assert resp.headers["X-Total-Count"] == str(len(expected))
        got += page
        pages += 1
        url = resp.headers.get("X-Next-Page")
        if url:
            assert resp.headers["Link"] == f'<{url}>; rel="next"'
            assert "level=force" in url and "limit=7" in url
    assert got == expected and pages == -(-len(expected) // 7)


def test_limit_and_offset(client, wh: Warehouse) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(export.to_json(export.rows(wh.con, "national", None)))
    resp = client.get("/api/metrics?level=national&limit=3&offset=2")
    assert resp.get_json() == expected[2:5]
    last = client.get(f"/api/metrics?level=national&offset={len(expected) - 1}")
    assert last.get_json() == expected[-1:] and "Link" not in last.headers
    beyond = client.get(f"/api/metrics?level=national&offset={len(expected) + 10}")
    assert beyond.status_code == 200 and beyond.get_json() == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?level=force&limit=0", "limit must be between 1 and"),
        ("?level=force&limit=1000000", "limit must be between 1 and"),
        ("?level=force&limit=ten", "limit must be a whole number"),
        ("?level=force&offset=-1", "offset must be at least 0"),
        ("?level=force&offset=1&offset=2", "offset at most once"),
    ],
)
def test_bad_paging_is_a_clear_400(client, query: str, words: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/metrics" + query)
    assert resp.status_code == 400 and words in resp.get_json()["error"]
