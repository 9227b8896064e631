"""The reader: CSV (with or without BOM), Parquet and XLSX give the same normalised frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.read import read_extract
from scorecard.contract import ContractError

HEADER = "urn,plan_no,issued_date,target_date,response_date,items,escalated"
ROWS = [" A1 ,1,2020-01-02,,2020-02-01,3,Y", 'A2,"2",2020-01-02,2020-01-05,,4,']
EXPECTED = [
    {
        "row_no": 1,
        "urn": "A1",
        "plan_no": "1",
        "issued_date": "2020-01-02",
        "target_date": None,
        "response_date": "2020-02-01",
        "items": "3",
        "escalated": "y",
    },
    {
        "row_no": 2,
        "urn": "A2",
        "plan_no": "2",
        "issued_date": "2020-01-02",
        "target_date": "2020-01-05",
        "response_date": None,
        "items": "4",
        "escalated": None,
    },
]


def _csv(tmp_path: Path, text: str, prefix: bytes = b"") -> Path:
    p = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.csv"
    p.write_bytes(prefix + text.encode("utf-8"))
    return p


def _check(frame: pd.DataFrame) -> None:
    got = frame.astype(object).where(frame.notna(), None)
    assert got.to_dict("records") == EXPECTED


def test_csv_is_trimmed_nulled_and_lower_cased(tmp_path: Path) -> None:
    _check(read_extract(_csv(tmp_path, "\n".join([HEADER, *ROWS]) + "\n"), "cps_action_plans"))


def test_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    path = _csv(tmp_path, "\r\n".join([HEADER, *ROWS]) + "\r\n", prefix=b"\xef\xbb\xbf")
    _check(read_extract(path, "cps_action_plans"))


def test_parquet_and_xlsx_read_like_csv(tmp_path: Path) -> None:
    typed = pd.DataFrame(
        {
            "urn": ["A1", "A2"],
            "plan_no": [1, 2],
            "issued_date": pd.to_datetime(["2020-01-02", "2020-01-02"]),
            "target_date": pd.to_datetime([None, "2020-01-05"]),
            "response_date": pd.to_datetime(["2020-02-01", None]),
            "items": [3, 4],
            "escalated": ["Y", None],
        }
    )
    pq = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.parquet"
    typed.to_parquet(pq)
    _check(read_extract(pq, "cps_action_plans"))
    xl = tmp_path / "cps_action_plans__cps_wessex__2024-03-31.xlsx"
    typed.to_excel(xl, index=False)
    _check(read_extract(xl, "cps_action_plans"))


def test_invalid_utf8_is_named(tmp_path: Path) -> None:
    path = _csv(tmp_path, "\n".join([HEADER, *ROWS]))
    path.write_bytes(path.read_bytes().replace(b"A2", b"A\xff2"))
    with pytest.raises(ContractError) as err:
        read_extract(path, "cps_action_plans")
    assert err.value.rule_id == "file.readable" and "UTF-8" in str(err.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER.replace(",escalated", "") + "\nA1,1,2020-01-02,,,3\n")
    with pytest.raises(ContractError) as err:
        read_extract(path, "cps_action_plans")
    assert err.value.rule_id == "file.header" and "escalated" in str(err.value)


def test_header_only_is_empty(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        read_extract(_csv(tmp_path, HEADER + "\n"), "cps_action_plans")
    assert err.value.rule_id == "file.not_empty"


def test_empty_file_has_no_header(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        read_extract(_csv(tmp_path, ""), "cps_action_plans")
    assert err.value.rule_id == "file.header"


def test_ragged_csv_is_unreadable_without_echoing_the_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "\nSECRET-URN-42,1,2020-01-02\n")
    with pytest.raises(ContractError) as err:
        read_extract(path, "cps_action_plans")
    assert err.value.rule_id == "file.readable"
    assert "columns" in str(err.value)
    assert "SECRET-URN-42" not in str(err.value)


def test_corrupt_parquet_and_xlsx(tmp_path: Path) -> None:
    for ext in ("parquet", "xlsx"):
        p = tmp_path / f"cps_action_plans__cps_wessex__2024-03-31.{ext}"
        p.write_bytes(b"not really a file")
        with pytest.raises(ContractError) as err:
            read_extract(p, "cps_action_plans")
        assert err.value.rule_id == "file.readable"
