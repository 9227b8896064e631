"""An owner's landing on /recommendations: their rows, overdue first, and the headline count
(dashboard.data.recommendations.owner_rows / overdue_count, ui.recommendations.overdue_sentence)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.data import recommendations as rd
from dashboard.ui.recommendations import overdue_sentence


def _status() -> pd.DataFrame:
    rows = [
        # rec, owner, status, target, overdue, days, rag
        (1, "kent", "in_progress", date(2022, 1, 1), True, 100, "red"),
        (4, "kent", "in_progress", date(2021, 1, 1), True, 465, "red"),
        (2, "kent", "implemented", date(2022, 1, 1), False, 0, "green"),
        (3, "kent", "not_started", date(2026, 1, 1), False, 0, "amber"),
        (1, "essex", "in_progress", date(2020, 1, 1), True, 830, "red"),
    ]
    return pd.DataFrame(
        [
            {
                "rec_no": n, "title": f"Title {n}", "owner_code": o, "owner_name": o.title(),
                "owner_kind": "force", "status": s, "target_date": t, "target_source": "default",
                "as_at": date(2022, 4, 10), "overdue": od, "days_overdue": d, "rag": g,
                "last_updated_on": None, "evidence": None, "source": "extract return",
                "updated_by": "",
            }
            for n, o, s, t, od, d, g in rows
        ],
        columns=rd.STATUS_COLUMNS,
    )  # fmt: skip


def test_owner_rows_are_their_own_overdue_first() -> None:
    frame = rd.owner_rows(_status(), "kent")
    assert frame["Recommendation"].tolist() == [4, 1, 2, 3]
    assert frame["Days overdue"].tolist() == ["465", "100", "", ""]
    assert frame["Status"].iloc[0].startswith("In progress (red")
    assert rd.overdue_count(_status(), "kent") == (2, 4)
    assert rd.overdue_count(_status(), "surrey") == (0, 0)


@pytest.mark.parametrize(
    ("overdue", "owned", "text"),
    [
        (3, 5, "3 of your 5 recommendations are overdue."),
        (1, 5, "1 of your 5 recommendations is overdue."),
        (0, 2, "None of your 2 recommendations is overdue."),
        (1, 1, "Your one recommendation is overdue."),
        (0, 1, "Your one recommendation is not overdue."),
        (0, 0, "Your organisation owns none of the 13 recommendations."),
    ],
)
def test_overdue_sentence(overdue: int, owned: int, text: str) -> None:
    assert overdue_sentence(overdue, owned) == text


def test_owners_in_order_puts_the_signed_in_owner_first() -> None:
    df = _status()[lambda x: x["rec_no"] == 1]
    assert rd.owners_in_order(df)["owner_code"].tolist() == ["essex", "kent"]
    assert rd.owners_in_order(df, "kent")["owner_code"].tolist() == ["kent", "essex"]
    assert rd.owners_table(df, "kent")["Owner"].tolist() == ["Kent", "Essex"]
