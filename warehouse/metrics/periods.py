"""Financial years (``YYYY-YY``) and quarters (``YYYY-YY-Q1``..``Q4``, Q1 = April-June).

The same rules exist as SQL expressions (:data:`FY_SQL`, :data:`QUARTER_SQL`) so the marts
and Python (export validation, SPC) agree on every period label.
"""

from __future__ import annotations

import re
from datetime import date

FY_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")

# SQL for a DATE column named event_date (financial year starts 1 April).
_FY_START = "(year(event_date) - CAST(month(event_date) < 4 AS INTEGER))"
FY_SQL = f"(CAST({_FY_START} AS VARCHAR) || '-' || lpad(CAST(({_FY_START} + 1) % 100 AS VARCHAR), 2, '0'))"  # noqa: E501
QUARTER_SQL = f"({FY_SQL} || '-Q' || CAST((month(event_date) + 8) % 12 // 3 + 1 AS VARCHAR))"


def fy_start_year(d: date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def fy_of(d: date) -> str:
    y = fy_start_year(d)
    return f"{y}-{(y + 1) % 100:02d}"


def quarter_of(d: date) -> str:
    return f"{fy_of(d)}-Q{(d.month + 8) % 12 // 3 + 1}"


def is_valid(period: str) -> bool:
    """True for a well-formed financial year or quarter label (the years must be consecutive)."""
    m = FY_RE.match(period) or QUARTER_RE.match(period)
    return m is not None and (int(m[1]) + 1) % 100 == int(m[2])


def kind(period: str) -> str:
    """'fy' or 'quarter'; raises ValueError for anything else."""
    if not is_valid(period):
        raise ValueError(f"{period!r} is not a financial year (YYYY-YY) or quarter (YYYY-YY-Qn)")
    return "quarter" if QUARTER_RE.match(period) else "fy"


def bounds(period: str) -> tuple[date, date]:
    """First and last day of a financial year or quarter."""
    kind(period)
    y = int(period[:4])
    if QUARTER_RE.match(period):
        q = int(period[-1])
        start_month = (3 * q + 1) if q < 4 else 1
        start_year = y if q < 4 else y + 1
        start = date(start_year, start_month, 1)
        end_month = start_month + 2
        nxt = date(start_year + (end_month // 12), end_month % 12 + 1, 1)
        return start, date.fromordinal(nxt.toordinal() - 1)
    return date(y, 4, 1), date(y + 1, 3, 31)
