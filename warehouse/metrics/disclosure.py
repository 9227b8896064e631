"""Disclosure control (ARCHITECTURE decision 4), applied once in the mart every consumer reads.

Rules, thresholds from settings (suppress_count_max, suppress_base_min):
- count: a value of 1..count_max is suppressed ("small_count");
- rate: a denominator of 1..base_min-1 ("small_base"), or a numerator of 1..count_max
  ("small_count": the numerator is itself a published count);
- mean, median: resting on 1..base_min-1 cases ("small_base").
A suppressed row keeps its reason in ``suppressed`` and publishes no numerator, denominator,
value, limits or position. Zero is never suppressed (nothing to disclose).
Known limit: no secondary suppression - a suppressed cell can sometimes be recovered by
subtraction from a total and its other breakdowns.
"""

from __future__ import annotations

SMALL_COUNT = "small_count"
SMALL_BASE = "small_base"

# Named parameters: $count_max, $base_min. Columns: stat, numerator, denominator, value.
REASON_SQL = """
CASE
    WHEN stat = 'count' AND value >= 1 AND value <= $count_max THEN 'small_count'
    WHEN stat = 'rate' AND denominator >= 1 AND denominator < $base_min THEN 'small_base'
    WHEN stat = 'rate' AND numerator >= 1 AND numerator <= $count_max THEN 'small_count'
    WHEN stat IN ('mean', 'median') AND denominator >= 1 AND denominator < $base_min
        THEN 'small_base'
END
"""


def reason(
    stat: str, numerator: float | None, denominator: float | None, value: float | None,
    *, count_max: int, base_min: int,
) -> str | None:  # fmt: skip
    """Python twin of :data:`REASON_SQL` (used by tests and any Python-side consumer)."""
    if stat == "count":
        return SMALL_COUNT if value is not None and 1 <= value <= count_max else None
    if stat == "rate":
        if denominator is not None and 1 <= denominator < base_min:
            return SMALL_BASE
        if numerator is not None and 1 <= numerator <= count_max:
            return SMALL_COUNT
        return None
    if denominator is not None and 1 <= denominator < base_min:
        return SMALL_BASE
    return None
