"""Financial years (``YYYY-YY``) and quarters (``YYYY-YY-Q1``..``Q4``, Q1 = April-June).

The one home of financial-year arithmetic: the synthetic generator, the warehouse and the
dashboard all import it (scorecard/ is the bottom layer), so they cannot drift apart. The
same rules exist as SQL expressions (:data:`FY_SQL`, :data:`QUARTER_SQL`) so the marts and
Python (export validation, SPC) agree on every period label.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

FY_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")

# SQL for a DATE column named event_date (financial year starts 1 April).
_FY_START = "(year(event_date) - CAST(month(event_date) < 4 AS INTEGER))"
FY_SQL = f"(CAST({_FY_START} AS VARCHAR) || '-' || lpad(CAST(({_FY_START} + 1) % 100 AS VARCHAR), 2, '0'))"  # noqa: E501
QUARTER_SQL = f"({FY_SQL} || '-Q' || CAST((month(event_date) + 8) % 12 // 3 + 1 AS VARCHAR))"


FY_START_MONTH = 4  # a financial year runs 1 April to 31 March


def fy_start_year(d: date) -> int:
    """The calendar year a date's financial year starts in (2016 for 2016-17)."""
    return d.year if d.month >= FY_START_MONTH else d.year - 1


def fy_first_day(start_year: int) -> date:
    """1 April of the financial year starting in ``start_year``."""
    return date(start_year, FY_START_MONTH, 1)


def fy_label(start_year: int) -> str:
    """``2016`` -> ``'2016-17'``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_of(d: date) -> str:
    return fy_label(fy_start_year(d))


def last_complete_fy(ref: date | None) -> str | None:
    """The latest financial year ending on or before ``ref`` (the scorecard's default)."""
    if ref is None:
        return None
    y = fy_start_year(ref)
    return fy_label(y) if bounds(fy_label(y))[1] <= ref else fy_label(y - 1)


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


def previous_period(period: str) -> str:
    """The period before: the previous financial year, or the previous quarter."""
    y = int(period[:4])
    if kind(period) == "fy":
        return fy_label(y - 1)
    q = int(period[-1])
    return f"{fy_label(y)}-Q{q - 1}" if q > 1 else f"{fy_label(y - 1)}-Q4"


def year_earlier(period: str) -> str:
    """The same period a year earlier."""
    y = int(period[:4])
    return fy_label(y - 1) + (period[7:] if kind(period) == "quarter" else "")


def quarters_between(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    out, d = [], bounds(first)[0]
    end = bounds(last)[0]
    while d <= end:
        out.append(quarter_of(d))
        d = bounds(out[-1])[1] + timedelta(days=1)
    return out


def last_complete_quarter(ref: date) -> str:
    """The last quarter ending on or before the reference date."""
    last_q = quarter_of(ref)
    if bounds(last_q)[1] > ref:
        last_q = quarter_of(bounds(last_q)[0] - timedelta(days=1))
    return last_q
