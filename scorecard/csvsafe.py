"""The one way the product writes CSV for people: cells a spreadsheet would run are disarmed.

Evidence text, organisation names and every other string came from users or senders, and a
spreadsheet opening a downloaded CSV treats a cell starting ``=``, ``+``, ``-``, ``@``, tab or
carriage return as a formula (``=HYPERLINK(...)`` leaks data, ``=cmd|...`` runs a program).
Such text cells get a leading single quote (OWASP "CSV injection"); numbers stay numbers, so a
negative value is still a number in the sheet. Every CSV download in the dashboard and the
CLI's ``metrics export`` goes through :func:`frame_to_csv` or :func:`rows_to_csv`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180 line ends: with "\n" alone, the csv module would leave a carriage return inside a
# text cell unquoted and the file would not read back.
LINE_END = "\r\n"
# A cell that is only a signed figure - a number, or one of the app's change texts such as
# "+2.1 percentage points" (or "pp"), "+3 days", "+1,234 (+5.0%)" - has no function call, DDE
# "|" or reference to another workbook, so it can neither fetch nor run anything; it is left
# as shown on screen.
_FIGURE = r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?"
_PLAIN_NUMBER = re.compile(rf"^{_FIGURE}( (pp|percentage points|per 100|days))?( \({_FIGURE}\))?$")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate, prefixed with ``'``; anything else as given."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def frame_to_csv(frame: pd.DataFrame) -> str:
    """``frame.to_csv(index=False)`` with text cells neutralised (numeric columns untouched)."""
    safe = frame.copy()
    for col in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[col]) or pd.api.types.is_bool_dtype(safe[col])):
            safe[col] = safe[col].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator=LINE_END)


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of a header and rows, text cells neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=LINE_END)
    w.writerow([neutralise(h) for h in header])
    for row in rows:
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue()
