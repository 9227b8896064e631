"""Each rule has one home: the RAG rule in Python and the SQL CASE generated from it agree
on every status and date case; financial-year arithmetic is the kernel's."""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import pytest

from dashboard.ui import status
from scorecard import periods, rag
from scorecard.contract import REC_STATUSES


def test_rag_sql_is_the_python_rule() -> None:
    con = duckdb.connect()
    dates = (None, date(2024, 1, 1), date(2024, 6, 30))
    for st, target, as_at in itertools.product((*REC_STATUSES, "no_return"), dates, dates):
        got = con.execute(
            f"SELECT {rag.rag_sql('s', 't', 'a')} FROM (SELECT ? AS s, ?::DATE AS t, ?::DATE AS a)",
            [st, target, as_at],
        ).fetchone()
        assert got is not None
        assert got[0] == rag.rag_of(st, target, as_at)[0], (st, target, as_at)


@pytest.mark.parametrize(
    ("status_", "target", "as_at", "expected"),
    [
        ("not_applicable", date(2020, 1, 1), date(2024, 1, 1), ("grey", False)),
        ("verified", date(2020, 1, 1), date(2024, 1, 1), ("green", False)),
        ("in_progress", date(2020, 1, 1), date(2024, 1, 1), ("red", True)),
        ("no_return", date(2025, 1, 1), date(2024, 1, 1), ("amber", False)),
        ("not_started", None, date(2024, 1, 1), ("amber", False)),
    ],
)
def test_rag_of(status_: str, target: date | None, as_at: date, expected: tuple) -> None:
    assert rag.rag_of(status_, target, as_at) == expected


def test_every_rag_has_words_colour_and_pattern() -> None:
    for r in rag.RAGS:
        assert status.RAG[r] and status.rag_colour(r) and r in status.RAG_PATTERN
    assert len(set(status.RAG_PATTERN.values())) == len(rag.RAGS)
    assert status.rag_label("green").startswith("Green: done")


def test_financial_years() -> None:
    assert periods.fy_label(2016) == "2016-17" and periods.fy_label(1999) == "1999-00"
    assert periods.fy_start_year(date(2024, 3, 31)) == 2023
    assert periods.fy_start_year(date(2024, 4, 1)) == 2024
    assert periods.fy_first_day(2023) == date(2023, 4, 1)
    assert periods.fy_of(date(2024, 3, 31)) == "2023-24"


def test_last_complete_periods() -> None:
    assert periods.last_complete_fy(None) is None
    assert periods.last_complete_fy(date(2024, 3, 31)) == "2023-24"
    assert periods.last_complete_fy(date(2024, 3, 30)) == "2022-23"
    # the day after a leap year's 31 March (the build once subtracted 366 days: 2023-24)
    assert periods.last_complete_fy(date(2025, 4, 1)) == "2024-25"
    assert periods.last_complete_quarter(date(2024, 3, 31)) == "2023-24-Q4"
    assert periods.last_complete_quarter(date(2024, 5, 1)) == "2023-24-Q4"
    assert periods.quarters_between("2023-24-Q3", "2024-25-Q1") == [
        "2023-24-Q3", "2023-24-Q4", "2024-25-Q1"]  # fmt: skip
