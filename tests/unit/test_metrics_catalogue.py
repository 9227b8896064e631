"""The catalogue is the single source: every entry has its SQL, every metric SQL has an entry,
and the recommendations' evidence names only catalogue metrics."""

from __future__ import annotations

from importlib import resources

import pytest

from scorecard import reference
from warehouse.metrics import catalogue


def _metric_sql_files() -> set[str]:
    return {e.name for e in resources.files(catalogue.SQL_PACKAGE).iterdir()
            if e.name.startswith("metric__") and e.name.endswith(".sql")}  # fmt: skip


def test_every_entry_has_its_sql_file() -> None:
    files = _metric_sql_files()
    for m in catalogue.load():
        assert m.sql in files, f"{m.id}: no SQL file {m.sql}"
        assert m.sql == f"metric__{m.id}.sql"
        assert "SELECT" in m.sql_text().upper()


def test_every_metric_sql_file_has_an_entry() -> None:
    named = {m.sql for m in catalogue.load()}
    assert _metric_sql_files() - named == set()


def test_domain_catalogue_is_complete() -> None:
    ids = {m.id for m in catalogue.load()}
    assert len(ids) == 41
    for must in ("volume.recorded", "rate.referral", "time.report_to_police_nfa",
                 "quality.linkage", "equality.outcomes", "workforce.joint_training"):  # fmt: skip
        assert must in ids


def test_recommendation_evidence_ids_exist() -> None:
    ids = {m.id for m in catalogue.load()}
    for rec in reference.recommendations():
        assert set(rec.evidence) <= ids, f"rec {rec.rec_no}: {set(rec.evidence) - ids}"


def test_required_breakdowns_and_recs() -> None:
    by = catalogue.by_id()
    assert by["time.report_to_police_nfa"].breakdowns == ("team_type",)
    assert set(by["equality.outcomes"].breakdowns) == {"sex", "age_band", "ethnicity"}
    assert by["rate.referral"].recs == (4, 5)
    assert by["rate.referral"].basis == ("period", "cohort")
    for m in catalogue.load():
        assert m.definition and m.name and m.unit and m.direction
        assert set(m.levels) <= set(catalogue.LEVELS)


def test_loader_rejects_bad_entries() -> None:
    good = ("metrics:\n  - {id: a.b, name: n, definition: d, stage: s, side: police, "
            "basis: [period], unit: count, direction: neutral, stats: [count], "
            "sql: x.sql}\n")  # fmt: skip
    assert catalogue.parse(good)[0].levels == catalogue.DEFAULT_LEVELS["police"]
    with pytest.raises(catalogue.CatalogueError, match="side"):
        catalogue.parse(good.replace("side: police", "side: probation"))
    with pytest.raises(catalogue.CatalogueError, match="stats"):
        catalogue.parse(good.replace("stats: [count]", "stats: [mode]"))
    with pytest.raises(catalogue.CatalogueError, match="duplicate"):
        catalogue.parse(good + good.replace("metrics:\n", ""))
    with pytest.raises(catalogue.CatalogueError, match="missing"):
        catalogue.parse(good.replace("name: n, ", ""))
