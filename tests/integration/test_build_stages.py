"""The build's transactions: core, facts and cells are committed stage by stage (DuckDB reads
committed tables faster), and every published table switches in one last transaction, so a
failure there leaves the marts exactly as the previous build left them."""

from __future__ import annotations

import pytest

from tests.helpers.warehouse import Warehouse
from warehouse import build as wbuild

MARTS = ("metric_values", "spc", "recommendation_status", "build_info")


def _marts(w: Warehouse) -> dict[str, list[tuple]]:
    return {t: w.con.execute(f"SELECT * FROM mart.{t} ORDER BY ALL").fetchall() for t in MARTS}


def test_a_failure_in_the_marts_stage_leaves_the_marts_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = Warehouse()
    w.police("kent", [{}] * 12)
    w.build()
    before = _marts(w)
    assert any(r for r in before["metric_values"])

    w.police("surrey", [{}] * 30)

    def fail(con: object, ref: object) -> int:
        raise RuntimeError("spc failed")

    monkeypatch.setattr(wbuild, "build_spc", fail)  # after metric_values, inside the marts stage
    with pytest.raises(RuntimeError, match="spc failed"):
        w.build()
    assert _marts(w) == before
    # The stages before were committed: core already holds Surrey's records.
    assert w.con.execute("SELECT count(*) FROM temp.cases").fetchone() == (42,)

    monkeypatch.undo()
    w.build()
    after = _marts(w)
    assert after["metric_values"] != before["metric_values"]
    assert w.one("volume.recorded", "count", level="force", org="surrey")["value"] == 30
